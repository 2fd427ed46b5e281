package io.fluxer.relay.channel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The channel glob: results equal a plain reference matcher's, in time linear in pattern × name. */
class GlobTest {

  @Test
  @DisplayName("* matches any run, ? one character, everything else itself; the empty pattern matches all")
  void basics() {
    assertThat(Glob.compile("").matches("anything")).isTrue();
    assertThat(Glob.compile("").matches("")).isTrue();
    assertThat(Glob.compile("chat:*").matches("chat:")).isTrue();
    assertThat(Glob.compile("chat:*").matches("chat:room")).isTrue();
    assertThat(Glob.compile("chat:*").matches("news:room")).isFalse();
    assertThat(Glob.compile("chat:r??m").matches("chat:room")).isTrue();
    assertThat(Glob.compile("chat:r??m").matches("chat:rom")).isFalse();
    assertThat(Glob.compile("chat:room.").matches("chat:roomX")).as("'.' is literal").isFalse();
    assertThat(Glob.compile("a[b]c").matches("a[b]c")).as("brackets are literal").isTrue();
    assertThat(Glob.compile("\\Q*").matches("\\Qx")).isTrue();
    assertThat(Glob.compile("*b").matches("ab\nb")).as("'*' crosses line ends").isTrue();
    assertThat(Glob.compile("chat:?").matches("chat:\uD83D\uDE00")).as("'?' is one code point").isTrue();
    assertThat(Glob.compile("room").matches("chat:room")).as("the whole name must match").isFalse();
  }

  @Test
  @DisplayName("A pathological pattern (17 chars vs 95, 3.2 s with java.util.regex) answers at once")
  void pathologicalPatternIsFast() {
    String name = "chat:" + "a".repeat(90);
    long start = System.nanoTime();
    assertThat(Glob.compile("*a*a*a*a*a*a*a*a*b").matches(name)).isFalse();
    assertThat(Glob.compile("*a*a*a*a*a*a*a*a*a").matches(name)).isTrue();
    String longest = "*a".repeat(Glob.MAX_LENGTH / 2 - 1) + "*b";
    assertThat(longest).hasSize(Glob.MAX_LENGTH);
    assertThat(Glob.compile(longest).matches("a".repeat(65535))).isFalse();
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
  }

  @Test
  @DisplayName("A pattern longer than 256 characters is refused with a message fit for a client")
  void tooLong() {
    assertThat(Glob.compile("?".repeat(Glob.MAX_LENGTH)).matches("x".repeat(Glob.MAX_LENGTH))).isTrue();
    assertThatThrownBy(() -> Glob.compile("?".repeat(Glob.MAX_LENGTH + 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pattern is longer than 256 characters");
  }

  @Test
  @DisplayName("The matcher agrees with a simple reference on 200,000 random patterns and names")
  void agreesWithReference() {
    Random random = new Random(15);
    String alphabet = "ab:*?";
    for (int n = 0; n < 200_000; n++) {
      String pattern = random(random, alphabet, random.nextInt(9));
      String name = random(random, "ab:", random.nextInt(12));
      assertThat(Glob.compile(pattern).matches(name))
          .as("'%s' against '%s'", pattern, name)
          .isEqualTo(pattern.isEmpty() || reference(pattern, 0, name, 0));
    }
  }

  private static String random(Random random, String alphabet, int length) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < length; i++) {
      s.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return s.toString();
  }

  /** The definition, by plain recursion (exponential, fine for short strings). */
  private static boolean reference(String p, int i, String s, int j) {
    if (i == p.length()) {
      return j == s.length();
    }
    char c = p.charAt(i);
    if (c == '*') {
      return reference(p, i + 1, s, j) || j < s.length() && reference(p, i, s, j + 1);
    }
    return j < s.length() && (c == '?' || c == s.charAt(j)) && reference(p, i + 1, s, j + 1);
  }
}
