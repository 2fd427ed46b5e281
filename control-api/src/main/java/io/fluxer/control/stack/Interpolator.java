package io.fluxer.control.stack;

import java.util.Map;
import java.util.function.Consumer;

/**
 * Compose variable interpolation of one scalar: {@code $VAR}, {@code ${VAR}}, {@code ${VAR:-default}}
 * (unset or empty), {@code ${VAR-default}} (unset), {@code ${VAR:?message}} / {@code ${VAR?message}}
 * (required), {@code ${VAR:+alt}} / {@code ${VAR+alt}} (alternative), and {@code $$} for a literal
 * {@code $}. Defaults and alternatives may themselves contain interpolations. A variable that is not
 * set and has no default becomes the empty string, with a warning, as Compose does.
 */
final class Interpolator {
  /** Why a scalar could not be interpolated; the caller adds the key path and line. */
  static final class Failure extends Exception {
    Failure(String message) {
      super(message, null, false, false);
    }
  }

  private final Map<String, String> env;

  Interpolator(Map<String, String> env) {
    this.env = env;
  }

  /**
   * @param unsetWarning receives the name of each variable that was not set and had no default
   */
  String interpolate(String text, Consumer<String> unsetWarning) throws Failure {
    if (text.indexOf('$') < 0) {
      return text;
    }
    StringBuilder out = new StringBuilder(text.length());
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c != '$') {
        out.append(c);
        i++;
        continue;
      }
      if (i + 1 >= text.length()) {
        throw invalid(text);
      }
      char next = text.charAt(i + 1);
      if (next == '$') {
        out.append('$');
        i += 2;
      } else if (next == '{') {
        int close = matchingBrace(text, i + 1);
        if (close < 0) {
          throw invalid(text);
        }
        out.append(braced(text.substring(i + 2, close), text, unsetWarning));
        i = close + 1;
      } else if (isNameStart(next)) {
        int end = i + 2;
        while (end < text.length() && isNamePart(text.charAt(end))) {
          end++;
        }
        String name = text.substring(i + 1, end);
        String value = env.get(name);
        if (value == null) {
          unsetWarning.accept(name);
          value = "";
        }
        out.append(value);
        i = end;
      } else {
        throw invalid(text);
      }
    }
    return out.toString();
  }

  private String braced(String expr, String whole, Consumer<String> unsetWarning) throws Failure {
    int n = 0;
    while (n < expr.length() && (n == 0 ? isNameStart(expr.charAt(n)) : isNamePart(expr.charAt(n)))) {
      n++;
    }
    if (n == 0) {
      throw invalid(whole);
    }
    String name = expr.substring(0, n);
    String value = env.get(name);
    if (n == expr.length()) {
      if (value == null) {
        unsetWarning.accept(name);
        return "";
      }
      return value;
    }
    boolean colon = expr.charAt(n) == ':';
    int op = colon ? n + 1 : n;
    if (op >= expr.length()) {
      throw invalid(whole);
    }
    char kind = expr.charAt(op);
    String arg = expr.substring(op + 1);
    boolean missing = colon ? value == null || value.isEmpty() : value == null;
    switch (kind) {
      case '-':
        return missing ? interpolate(arg, unsetWarning) : value;
      case '?':
        if (missing) {
          String why = arg.isEmpty() ? "is required" : interpolate(arg, unsetWarning);
          throw new Failure("required variable " + name + " is missing a value: " + why);
        }
        return value;
      case '+':
        return missing ? "" : interpolate(arg, unsetWarning);
      default:
        throw invalid(whole);
    }
  }

  /** Index of the brace closing the one at {@code open}, counting nested {@code ${...}}. */
  private static int matchingBrace(String text, int open) {
    int depth = 0;
    for (int i = open; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
        if (depth == 0) {
          return i;
        }
      }
    }
    return -1;
  }

  private static Failure invalid(String text) {
    return new Failure("invalid interpolation format in \"" + text
        + "\" (write $$ for a literal $)");
  }

  private static boolean isNameStart(char c) {
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  private static boolean isNamePart(char c) {
    return isNameStart(c) || (c >= '0' && c <= '9');
  }
}
