package io.fluxer.control.stack;

/**
 * The name checks a stack file needs, as plain loops over the characters: linear in the length and
 * never a backtracking regex on what a user sent. Callers check the length first.
 */
final class Names {
  private Names() {
  }

  /** Docker object names as the CLI allows them: {@code [a-zA-Z0-9][a-zA-Z0-9_.-]*}. */
  static boolean isName(String s) {
    if (s == null || s.isEmpty() || !alnum(s.charAt(0))) {
      return false;
    }
    for (int i = 1; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!alnum(c) && c != '_' && c != '.' && c != '-') {
        return false;
      }
    }
    return true;
  }

  /**
   * A DNS name component as swarm checks service and network names (swarmkit's
   * {@code [a-zA-Z0-9](?:[-_]*[A-Za-z0-9]+)*}): letters, digits, '-' and '_', starting and ending with
   * a letter or digit.
   */
  static boolean isDnsComponent(String s) {
    return bounded(s, "-_");
  }

  /**
   * A secret or config name as swarm checks it (swarmkit's validateConfigOrSecretAnnotations):
   * letters, digits, '-', '_' and '.', starting and ending with a letter or digit.
   */
  static boolean isObjectName(String s) {
    return bounded(s, "-_.");
  }

  /** An environment variable name: no {@code =} and no whitespace, not empty. */
  static boolean isEnvName(String s) {
    if (s == null || s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '=' || Character.isWhitespace(c)) {
        return false;
      }
    }
    return true;
  }

  /** One to {@code max} ASCII digits. */
  static boolean isDigits(String s, int max) {
    if (s == null || s.isEmpty() || s.length() > max) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') {
        return false;
      }
    }
    return true;
  }

  /** Letters and digits at both ends, letters, digits and {@code inner} between. */
  private static boolean bounded(String s, String inner) {
    if (s == null || s.isEmpty() || !alnum(s.charAt(0)) || !alnum(s.charAt(s.length() - 1))) {
      return false;
    }
    for (int i = 1; i < s.length() - 1; i++) {
      char c = s.charAt(i);
      if (!alnum(c) && inner.indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }

  private static boolean alnum(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
  }
}
