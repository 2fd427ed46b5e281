package io.fluxer.control.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class InterpolatorTest {
  private final Interpolator interpolator = new Interpolator(Map.of("TAG", "1.4.2", "EMPTY", "", "HOST", "db"));
  private final List<String> unset = new ArrayList<>();

  private String run(String text) throws Interpolator.Failure {
    return interpolator.interpolate(text, unset::add);
  }

  @Test
  void substitutesBracedAndBareNames() throws Exception {
    assertThat(run("fluxer/relay:${TAG}")).isEqualTo("fluxer/relay:1.4.2");
    assertThat(run("postgres://$HOST:5432/x")).isEqualTo("postgres://db:5432/x");
    assertThat(unset).isEmpty();
  }

  @Test
  void colonDashDefaultsWhenUnsetOrEmpty_dashOnlyWhenUnset() throws Exception {
    assertThat(run("${MISSING:-7}")).isEqualTo("7");
    assertThat(run("${EMPTY:-7}")).isEqualTo("7");
    assertThat(run("${MISSING-7}")).isEqualTo("7");
    assertThat(run("${EMPTY-7}")).isEmpty();
    assertThat(run("${TAG:-latest}")).isEqualTo("1.4.2");
  }

  @Test
  void defaultsMayNestInterpolations() throws Exception {
    assertThat(run("${MISSING:-${HOST}:5432}")).isEqualTo("db:5432");
  }

  @Test
  void alternativeValueWhenSet() throws Exception {
    assertThat(run("${TAG:+yes}")).isEqualTo("yes");
    assertThat(run("${EMPTY:+yes}")).isEmpty();
    assertThat(run("${EMPTY+yes}")).isEqualTo("yes");
  }

  @Test
  void requiredVariableFailsWithItsMessage() {
    assertThatThrownBy(() -> run("${DB_PASSWORD:?set the database password}"))
        .isInstanceOf(Interpolator.Failure.class)
        .hasMessage("required variable DB_PASSWORD is missing a value: set the database password");
    assertThatThrownBy(() -> run("${EMPTY:?}")).hasMessageContaining("EMPTY is missing a value");
    assertThatThrownBy(() -> run("${MISSING?}")).hasMessageContaining("MISSING is missing a value");
  }

  @Test
  void emptyButSetSatisfiesQuestionWithoutColon() throws Exception {
    assertThat(run("${EMPTY?needed}")).isEmpty();
  }

  @Test
  void doubleDollarIsALiteralDollar() throws Exception {
    assertThat(run("echo $$HOME costs $$5")).isEqualTo("echo $HOME costs $5");
    assertThat(unset).isEmpty();
  }

  @Test
  void unsetWithoutDefaultIsEmptyAndReported() throws Exception {
    assertThat(run("a${NOPE}b$ALSO_NOT")).isEqualTo("ab");
    assertThat(unset).containsExactly("NOPE", "ALSO_NOT");
  }

  @Test
  void invalidFormatsAreRefused() {
    for (String bad : List.of("price: $5", "trailing $", "${}", "${1X}", "${UNCLOSED", "${A:x}", "${A:}")) {
      assertThatThrownBy(() -> run(bad)).as(bad).isInstanceOf(Interpolator.Failure.class)
          .hasMessageContaining("invalid interpolation format").hasMessageContaining("$$");
    }
  }
}
