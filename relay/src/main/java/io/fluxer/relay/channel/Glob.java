package io.fluxer.relay.channel;

import java.util.Arrays;

/**
 * A channel name pattern: {@code *} matches any run of characters (also none), {@code ?} any one
 * character (code point), everything else itself. The empty pattern matches every name.
 *
 * <p>Matching never backtracks beyond the last {@code *} seen: it takes at most
 * (pattern length + 1) × (name length + 1) steps, and patterns are at most {@link #MAX_LENGTH}
 * characters long, so a pattern from a user cannot make a match slow. The one matcher behind the
 * server API's {@code channels} and {@code GET /api/v1/channels?pattern=}. Immutable, thread-safe.
 */
public final class Glob {
  /** The longest pattern {@link #compile} accepts, in characters. */
  public static final int MAX_LENGTH = 256;

  private static final int STAR = '*';
  private static final int ONE = '?';

  /** The pattern's code points, runs of {@code *} folded into one; empty: matches everything. */
  private final int[] pattern;

  private Glob(int[] pattern) {
    this.pattern = pattern;
  }

  /**
   * Compiles {@code pattern}.
   *
   * @throws IllegalArgumentException when it is longer than {@link #MAX_LENGTH} characters; the
   *     message is fit for a client
   */
  public static Glob compile(String pattern) {
    if (pattern.length() > MAX_LENGTH) {
      throw new IllegalArgumentException("pattern is longer than " + MAX_LENGTH + " characters");
    }
    int[] chars = pattern.codePoints().toArray();
    int n = 0;
    for (int c : chars) {
      if (c != STAR || n == 0 || chars[n - 1] != STAR) {
        chars[n++] = c;
      }
    }
    return new Glob(Arrays.copyOf(chars, n));
  }

  /** Whether the whole of {@code name} matches. */
  public boolean matches(String name) {
    if (pattern.length == 0) {
      return true;
    }
    int[] s = name.codePoints().toArray();
    int p = 0;
    int i = 0;
    int star = -1; // position of the last '*' seen in the pattern
    int resume = 0; // where in the name that '*' stops matching, so far
    while (i < s.length) {
      if (p < pattern.length && pattern[p] != STAR && (pattern[p] == ONE || pattern[p] == s[i])) {
        p++;
        i++;
      } else if (p < pattern.length && pattern[p] == STAR) {
        star = p++;
        resume = i;
      } else if (star >= 0) {
        // the last '*' takes one more character; earlier stars never need to take more
        p = star + 1;
        i = ++resume;
      } else {
        return false;
      }
    }
    while (p < pattern.length && pattern[p] == STAR) {
      p++;
    }
    return p == pattern.length;
  }
}
