package io.fluxer.control.stack;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The value syntaxes of compose files, as the Docker CLI reads them: Go durations, memory sizes with
 * binary units, CPU fractions, YAML 1.1 integers, and shell words. Each parser throws
 * {@link IllegalArgumentException} with a message fit to follow a key path.
 */
final class Units {
  private Units() {
  }

  /** Durations and sizes are short: longer text is refused before a pattern sees it. */
  static final int MAX_UNIT_TEXT = 64;
  private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|μs|ms|s|m|h)");
  private static final Pattern BYTES = Pattern.compile("(\\d+(?:\\.\\d+)?) ?([kmgtp])?i?b?", Pattern.CASE_INSENSITIVE);

  /**
   * Nanoseconds of a Go duration such as {@code 1m30s}, {@code 10s}, {@code 500ms}, {@code 1.5h};
   * {@code 0} alone needs no unit. Negative durations are refused.
   */
  static long durationNanos(String text) {
    String s = text.trim();
    if (s.equals("0")) {
      return 0;
    }
    if (s.isEmpty()) {
      throw new IllegalArgumentException("must be a duration such as 10s, 1m30s or 500ms");
    }
    if (s.length() > MAX_UNIT_TEXT) {
      throw new IllegalArgumentException("a duration has at most " + MAX_UNIT_TEXT + " characters");
    }
    Matcher m = DURATION_PART.matcher(s);
    BigDecimal total = BigDecimal.ZERO;
    int at = 0;
    while (at < s.length()) {
      if (!m.find(at) || m.start() != at) {
        throw new IllegalArgumentException("\"" + text + "\" is not a duration (use e.g. 10s, 1m30s, 500ms; units ns, us, ms, s, m, h)");
      }
      BigDecimal amount = new BigDecimal(m.group(1).endsWith(".") ? m.group(1) + "0" : m.group(1));
      total = total.add(amount.multiply(BigDecimal.valueOf(unitNanos(m.group(2)))));
      at = m.end();
    }
    try {
      return total.setScale(0, java.math.RoundingMode.DOWN).longValueExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("\"" + text + "\" is too long a duration");
    }
  }

  private static long unitNanos(String unit) {
    switch (unit) {
      case "ns":
        return 1L;
      case "us":
      case "µs":
      case "μs":
        return 1_000L;
      case "ms":
        return 1_000_000L;
      case "s":
        return 1_000_000_000L;
      case "m":
        return 60_000_000_000L;
      default:
        return 3_600_000_000_000L;
    }
  }

  /** Bytes of a memory size such as {@code 512M}, {@code 1g}, {@code 1.5GiB}, {@code 1024k} (binary units). */
  static long bytes(String text) {
    if (text.length() > MAX_UNIT_TEXT) {
      throw new IllegalArgumentException("a size has at most " + MAX_UNIT_TEXT + " characters");
    }
    Matcher m = BYTES.matcher(text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException("\"" + text + "\" is not a size (use e.g. 512M, 1g, 64k; binary units)");
    }
    long multiplier = 1;
    if (m.group(2) != null) {
      int power = "kmgtp".indexOf(m.group(2).toLowerCase(Locale.ROOT)) + 1;
      multiplier = 1L << (10 * power);
    }
    BigDecimal value = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(multiplier));
    try {
      return value.setScale(0, java.math.RoundingMode.DOWN).longValueExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("\"" + text + "\" is too large");
    }
  }

  /** Nano CPUs of a CPU count such as {@code 0.5} or {@code 2}; at most nine decimals. */
  static long nanoCpus(String text) {
    BigDecimal cpus;
    try {
      cpus = new BigDecimal(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("\"" + text + "\" is not a number of CPUs (use e.g. \"0.5\" or \"2\")");
    }
    if (cpus.signum() < 0) {
      throw new IllegalArgumentException("must not be negative");
    }
    BigDecimal nanos = cpus.movePointRight(9);
    try {
      return nanos.stripTrailingZeros().toBigIntegerExact().longValueExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("\"" + text + "\" is too precise (at most 9 decimals)");
    }
  }

  /**
   * A YAML 1.1 integer as SnakeYAML resolves it: decimal, {@code 0x} hex, {@code 0o} or leading-zero
   * octal (so a file mode {@code 0440} is 288), {@code 0b} binary, with optional sign and underscores.
   */
  static long yamlInt(String text) {
    String s = text.replace("_", "");
    boolean negative = false;
    if (s.startsWith("-") || s.startsWith("+")) {
      negative = s.startsWith("-");
      s = s.substring(1);
    }
    int radix = 10;
    if (s.startsWith("0x")) {
      radix = 16;
      s = s.substring(2);
    } else if (s.startsWith("0o")) {
      radix = 8;
      s = s.substring(2);
    } else if (s.startsWith("0b")) {
      radix = 2;
      s = s.substring(2);
    } else if (s.length() > 1 && s.startsWith("0")) {
      radix = 8;
      s = s.substring(1);
    }
    try {
      BigInteger value = new BigInteger(s, radix);
      return (negative ? value.negate() : value).longValueExact();
    } catch (NumberFormatException | ArithmeticException e) {
      throw new IllegalArgumentException("\"" + text + "\" is not an integer");
    }
  }

  /**
   * Splits a command string into words as Compose does (POSIX-like): whitespace separates words,
   * single quotes keep everything literally, double quotes keep spaces and honour backslash
   * escapes, a backslash outside quotes escapes the next character.
   */
  static List<String> shellWords(String text) {
    List<String> words = new ArrayList<>();
    StringBuilder word = new StringBuilder();
    boolean inWord = false;
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == '\'') {
        int end = text.indexOf('\'', i + 1);
        if (end < 0) {
          throw new IllegalArgumentException("unterminated single quote in \"" + text + "\"");
        }
        word.append(text, i + 1, end);
        inWord = true;
        i = end + 1;
      } else if (c == '"') {
        i++;
        boolean closed = false;
        while (i < text.length()) {
          char d = text.charAt(i);
          if (d == '"') {
            closed = true;
            i++;
            break;
          }
          if (d == '\\' && i + 1 < text.length() && "\"\\$`\n".indexOf(text.charAt(i + 1)) >= 0) {
            word.append(text.charAt(i + 1));
            i += 2;
          } else {
            word.append(d);
            i++;
          }
        }
        if (!closed) {
          throw new IllegalArgumentException("unterminated double quote in \"" + text + "\"");
        }
        inWord = true;
      } else if (c == '\\') {
        if (i + 1 >= text.length()) {
          throw new IllegalArgumentException("trailing backslash in \"" + text + "\"");
        }
        if (text.charAt(i + 1) != '\n') {
          word.append(text.charAt(i + 1));
          inWord = true;
        }
        i += 2;
      } else if (Character.isWhitespace(c)) {
        if (inWord) {
          words.add(word.toString());
          word.setLength(0);
          inWord = false;
        }
        i++;
      } else {
        word.append(c);
        inWord = true;
        i++;
      }
    }
    if (inWord) {
      words.add(word.toString());
    }
    return words;
  }
}
