package io.fluxer.relay.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Inputs found by {@link GlobFuzzTest}, kept as plain regression tests. */
class GlobFuzzFindingsTest {
  @Test
  void manyStarsAgainstANearMissAnswerPromptly() {
    Glob glob = Glob.compile("*a".repeat(12) + "*b");
    String name = "a".repeat(100);

    // the regular expression this replaced took minutes here (.*a.*a... backtracks through every star)
    boolean matches = assertTimeoutPreemptively(Duration.ofSeconds(2), () -> glob.matches(name));

    assertThat(matches).isFalse();
    assertThat(glob.matches(name + "b")).isTrue();
  }

  @Test
  void questionMarkIsOneCodePointAndMetacharactersAreLiteral() {
    assertThat(Glob.compile("?").matches("\uD83D\uDE00")).isTrue();
    assertThat(Glob.compile("\\Q.*\\E").matches("\\Q.*\\E")).isTrue();
    assertThat(Glob.compile("\\Q.*\\E").matches("\\Q.x\\E")).isTrue();
    assertThat(Glob.compile("a.c").matches("abc")).isFalse();
  }
}
