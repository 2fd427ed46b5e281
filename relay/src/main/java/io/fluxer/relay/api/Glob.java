package io.fluxer.relay.api;

import java.util.regex.Pattern;

/**
 * A channel name pattern: {@code *} matches any run of characters (also none), {@code ?} any one
 * character, everything else itself. The empty pattern matches every name.
 */
final class Glob {
  private final Pattern regex;

  private Glob(Pattern regex) {
    this.regex = regex;
  }

  static Glob compile(String pattern) {
    if (pattern.isEmpty()) {
      return new Glob(null);
    }
    StringBuilder re = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '*' || c == '?') {
        flush(re, literal);
        re.append(c == '*' ? ".*" : ".");
      } else {
        literal.append(c);
      }
    }
    flush(re, literal);
    return new Glob(Pattern.compile(re.toString(), Pattern.DOTALL));
  }

  private static void flush(StringBuilder re, StringBuilder literal) {
    if (!literal.isEmpty()) {
      re.append(Pattern.quote(literal.toString()));
      literal.setLength(0);
    }
  }

  boolean matches(String name) {
    return regex == null || regex.matcher(name).matches();
  }
}
