package io.fluxer.relay.api;

/**
 * A channel name pattern: {@code *} matches any run of characters (also none), {@code ?} any one
 * character (a code point), everything else itself. The empty pattern matches every name.
 *
 * <p>Matching takes at most O(pattern length * name length) steps, whatever the pattern: on a
 * mismatch only the most recent {@code *} is retried, never earlier ones (a regular expression
 * would backtrack through every star).
 */
final class Glob {
  private static final int ANY = -1;
  private static final int ONE = -2;

  /** Code points, with {@link #ANY} for {@code *} and {@link #ONE} for {@code ?}; null: match all. */
  private final int[] pattern;

  private Glob(int[] pattern) {
    this.pattern = pattern;
  }

  static Glob compile(String pattern) {
    if (pattern.isEmpty()) {
      return new Glob(null);
    }
    return new Glob(pattern.codePoints().map(c -> c == '*' ? ANY : c == '?' ? ONE : c).toArray());
  }

  boolean matches(String name) {
    if (pattern == null) {
      return true;
    }
    int[] text = name.codePoints().toArray();
    int p = 0;
    int t = 0;
    int star = -1;
    int starText = 0;
    while (t < text.length) {
      if (p < pattern.length && (pattern[p] == ONE || pattern[p] == text[t])) {
        p++;
        t++;
      } else if (p < pattern.length && pattern[p] == ANY) {
        star = p++;
        starText = t;
      } else if (star >= 0) {
        p = star + 1;
        t = ++starText;
      } else {
        return false;
      }
    }
    while (p < pattern.length && pattern[p] == ANY) {
      p++;
    }
    return p == pattern.length;
  }
}
