package io.fluxer.control.stack;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz targets: stack files and their {@code ${VAR}} interpolation, as a deploy request brings them.
 * A stack file either converts or fails with {@link StackFileException} listing its problems (the
 * API answers 400 with them); an interpolation either succeeds or fails with
 * {@link Interpolator.Failure}. Nothing else may escape.
 */
class StackFileFuzzTest {
  private static final Map<String, String> ENV = Map.of("TAG", "1.0", "EMPTY", "", "NAME", "web",
      "PORT", "8080", "DOLLAR", "$");
  private static final Map<String, byte[]> FILES = Map.of(
      "secret.txt", "s3cret".getBytes(StandardCharsets.UTF_8),
      "app.env", "A=1\n# comment\nB=two\n".getBytes(StandardCharsets.UTF_8));

  @FuzzTest
  @Timeout(10)
  void parse(byte[] input) {
    String yaml = new String(input, StandardCharsets.UTF_8);
    try {
      StackPlan plan = StackFile.parse("fuzz", yaml, ENV, FILES);
      assertThat(plan).isNotNull();
    } catch (StackFileException e) {
      assertThat(e.problems()).isNotEmpty();
      for (StackFileException.Problem p : e.problems()) {
        assertThat(p.message()).isNotBlank();
      }
    }
  }

  @FuzzTest
  @Timeout(10)
  void interpolate(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    List<String> unset = new ArrayList<>();
    String out;
    try {
      out = new Interpolator(ENV).interpolate(text, unset::add);
    } catch (Interpolator.Failure e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    if (text.indexOf('$') < 0) {
      assertThat(out).isEqualTo(text);
      assertThat(unset).isEmpty();
    }
    if (!text.replace("$$", "").contains("$")) {
      assertThat(out).isEqualTo(text.replace("$$", "$"));
    }
  }
}
