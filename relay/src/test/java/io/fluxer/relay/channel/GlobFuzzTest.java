package io.fluxer.relay.channel;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target: channel patterns of the server API. Input: the pattern, a NUL byte, the name (no NUL:
 * the pattern is matched against itself). {@link Glob} must agree with {@link #reference}, a plain
 * dynamic-programming matcher, and may reject a pattern only with IllegalArgumentException.
 */
class GlobFuzzTest {
  @FuzzTest
  @Timeout(10)
  void matchesLikeReference(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    int nul = text.indexOf('\0');
    String pattern = nul < 0 ? text : text.substring(0, nul);
    String name = nul < 0 ? text : text.substring(nul + 1);
    Glob glob;
    try {
      glob = Glob.compile(pattern);
    } catch (IllegalArgumentException e) {
      return;
    }
    assertThat(glob.matches(name))
        .as("pattern %s name %s", pattern, name)
        .isEqualTo(reference(pattern, name));
  }

  /**
   * The documented semantics, O(|pattern| * |name|): {@code *} any run (also none), {@code ?} any one
   * character (a code point: a surrogate pair is one), anything else itself; the empty pattern matches
   * everything.
   */
  static boolean reference(String patternText, String nameText) {
    if (patternText.isEmpty()) {
      return true;
    }
    int[] pattern = patternText.codePoints().toArray();
    int[] name = nameText.codePoints().toArray();
    int p = pattern.length;
    int n = name.length;
    // m[j]: pattern[0, i) matches name[0, j)
    boolean[] m = new boolean[n + 1];
    m[0] = true;
    for (int i = 1; i <= p; i++) {
      int c = pattern[i - 1];
      boolean[] next = new boolean[n + 1];
      next[0] = c == '*' && m[0];
      for (int j = 1; j <= n; j++) {
        next[j] = c == '*' ? m[j] || next[j - 1]
            : (c == '?' || c == name[j - 1]) && m[j - 1];
      }
      m = next;
    }
    return m[n];
  }
}
