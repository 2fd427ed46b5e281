package io.fluxer.relay.protocol;

/**
 * A forward-only reader of JSON text (RFC 8259, nothing more) over one client frame, for
 * {@link CommandDecoder}: it reads structure, names and scalars in place, and hands out
 * {@link String}s only for the values asked for; skipped values are checked and passed over.
 *
 * <p>Each character is looked at a bounded number of times (linear time; no regular expressions, no
 * backtracking) and nesting is limited to {@link #MAX_DEPTH}, so recursion is bounded. The limits
 * are those the Jackson parser it replaced applied: numbers of at most {@link #MAX_NUMBER_LENGTH}
 * digits, names of at most {@link #MAX_NAME_LENGTH} characters, and strings read as values of at
 * most {@link #MAX_STRING_LENGTH} characters. Any violation is a {@link ProtocolException}.
 *
 * <p>Not thread-safe; one cursor reads one text at a time ({@link #reset}), and may be reused.
 */
final class JsonCursor {
  static final int MAX_DEPTH = 64;
  static final int MAX_NUMBER_LENGTH = 1000;
  static final int MAX_NAME_LENGTH = 50_000;
  static final int MAX_STRING_LENGTH = 20_000_000;

  /** Kinds of value, from their first character. */
  static final int OBJECT = 1;
  static final int ARRAY = 2;
  static final int STRING = 3;
  static final int NUMBER = 4;
  static final int TRUE = 5;
  static final int FALSE = 6;
  static final int NULL = 7;

  private String s;
  private int end;
  private int pos;
  private int depth;

  // the last string scanned (name or value): its opening quote, the index past its closing quote,
  // whether it holds escapes, and its length once unescaped
  private int strStart;
  private int strEnd;
  private boolean strEscaped;
  private int strLength;

  // the last number scanned: integral (no fraction or exponent) and within a long, and its value
  private boolean numLong;
  private long numValue;

  /** Starts reading {@code text} from its beginning. */
  JsonCursor reset(String text) {
    s = text;
    end = text.length();
    pos = 0;
    depth = 0;
    return this;
  }

  /** Lets go of the text: a cursor kept for reuse must not keep a large frame alive. */
  void clear() {
    s = null;
    end = 0;
  }

  int position() {
    return pos;
  }

  int depth() {
    return depth;
  }

  String slice(int from, int to) {
    return s.substring(from, to);
  }

  // ---- structure

  /** Skips whitespace; the next character, or -1 at the end of the text. */
  int peek() {
    while (pos < end) {
      char c = s.charAt(pos);
      if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
        return c;
      }
      pos++;
    }
    return -1;
  }

  /** Skips whitespace; the kind of the value that starts there. Consumes nothing else. */
  int kind() throws ProtocolException {
    int c = peek();
    return switch (c) {
      case '{' -> OBJECT;
      case '[' -> ARRAY;
      case '"' -> STRING;
      case 't' -> TRUE;
      case 'f' -> FALSE;
      case 'n' -> NULL;
      case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9' -> NUMBER;
      default -> throw error(c < 0 ? "unexpected end of input, expected a value" : "unexpected character");
    };
  }

  /** Consumes the {@code {} or {@code [} at the current position (after {@link #kind}). */
  void enter() throws ProtocolException {
    if (++depth > MAX_DEPTH) {
      throw error("nesting deeper than " + MAX_DEPTH);
    }
    pos++;
  }

  /**
   * After {@link #enter} into an object: true when a member follows (then {@link #name} or
   * {@link #nameString} reads its name), false when the object is empty (then it is consumed).
   */
  boolean firstMember() throws ProtocolException {
    int c = peek();
    if (c == '}') {
      pos++;
      depth--;
      return false;
    }
    if (c != '"') {
      throw error("expected a field name or '}'");
    }
    return true;
  }

  /**
   * After a member's value: true when another member follows (the comma is consumed), false when
   * the object ends (the brace is consumed).
   */
  boolean nextMember() throws ProtocolException {
    int c = peek();
    if (c == ',') {
      pos++;
      if (peek() != '"') {
        throw error("expected a field name");
      }
      return true;
    }
    if (c == '}') {
      pos++;
      depth--;
      return false;
    }
    throw error("expected ',' or '}'");
  }

  /**
   * Reads a member's name and its colon; the index of the name in {@code names}, or -1 for a name
   * not in it. Nothing is allocated unless the name holds escapes.
   */
  int name(String[] names) throws ProtocolException {
    scanName();
    int found = -1;
    if (!strEscaped) {
      int len = strEnd - strStart - 2;
      for (int i = 0; i < names.length; i++) {
        String n = names[i];
        if (n.length() == len && s.regionMatches(strStart + 1, n, 0, len)) {
          found = i;
          break;
        }
      }
    } else {
      String decoded = unescape();
      for (int i = 0; i < names.length; i++) {
        if (names[i].equals(decoded)) {
          found = i;
          break;
        }
      }
    }
    colon();
    return found;
  }

  /** Reads a member's name and its colon; the name. */
  String nameString() throws ProtocolException {
    scanName();
    String name = strEscaped ? unescape() : s.substring(strStart + 1, strEnd - 1);
    colon();
    return name;
  }

  private void scanName() throws ProtocolException {
    scanString();
    if (strLength > MAX_NAME_LENGTH) {
      throw error("name longer than " + MAX_NAME_LENGTH + " characters");
    }
  }

  private void colon() throws ProtocolException {
    if (peek() != ':') {
      throw error("expected ':'");
    }
    pos++;
  }

  /**
   * After the members read so far of the objects open deeper than {@code depth}: checks and skips
   * the rest of each, innermost first, up to the close of the object entered at {@code depth + 1}.
   */
  void closeObjectsDeeperThan(int depth) throws ProtocolException {
    while (this.depth > depth) {
      while (nextMember()) {
        scanName();
        colon();
        skipValue();
      }
    }
  }

  // ---- values

  /** Checks and skips one value, whatever its kind. */
  void skipValue() throws ProtocolException {
    switch (kind()) {
      case OBJECT -> {
        enter();
        if (firstMember()) {
          do {
            scanName();
            colon();
            skipValue();
          } while (nextMember());
        }
      }
      case ARRAY -> {
        enter();
        if (peek() == ']') {
          pos++;
          depth--;
          return;
        }
        while (true) {
          skipValue();
          int c = peek();
          if (c == ',') {
            pos++;
          } else if (c == ']') {
            pos++;
            depth--;
            return;
          } else {
            throw error("expected ',' or ']'");
          }
        }
      }
      case STRING -> scanString();
      case NUMBER -> scanNumber();
      case TRUE -> literal("true");
      case FALSE -> literal("false");
      default -> literal("null");
    }
  }

  /** Consumes the literal of kind {@link #TRUE}, {@link #FALSE} or {@link #NULL} at the current position. */
  void literal(int kind) throws ProtocolException {
    literal(kind == TRUE ? "true" : kind == FALSE ? "false" : "null");
  }

  private void literal(String word) throws ProtocolException {
    if (!s.startsWith(word, pos)) {
      throw error("unrecognized token");
    }
    pos += word.length();
  }

  /** The string value at the current position, unescaped. */
  String string() throws ProtocolException {
    scanString();
    if (strLength > MAX_STRING_LENGTH) {
      throw error("string longer than " + MAX_STRING_LENGTH + " characters");
    }
    return strEscaped ? unescape() : s.substring(strStart + 1, strEnd - 1);
  }

  /** The string value at the current position as its exact JSON text, quotes and escapes included. */
  String rawString() throws ProtocolException {
    scanString();
    if (strLength > MAX_STRING_LENGTH) {
      throw error("string longer than " + MAX_STRING_LENGTH + " characters");
    }
    return s.substring(strStart, strEnd);
  }

  /**
   * Scans the number at the current position; true when it is an integer within a long, whose
   * value {@link #longValue} then gives.
   */
  boolean number() throws ProtocolException {
    scanNumber();
    return numLong;
  }

  long longValue() {
    return numValue;
  }

  /** Scans the string starting at the current quote: checks its escapes and measures it. */
  private void scanString() throws ProtocolException {
    int start = pos;
    int i = pos + 1;
    int length = 0;
    boolean escaped = false;
    while (true) {
      if (i >= end) {
        pos = i;
        throw error("unexpected end of input in a string");
      }
      char c = s.charAt(i++);
      if (c == '"') {
        break;
      }
      if (c == '\\') {
        escaped = true;
        if (i >= end) {
          pos = i;
          throw error("unexpected end of input in a string");
        }
        char e = s.charAt(i++);
        switch (e) {
          case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> { }
          case 'u' -> {
            if (i + 4 > end) {
              pos = i;
              throw error("unexpected end of input in a \\u escape");
            }
            for (int k = 0; k < 4; k++) {
              if (!isHex(s.charAt(i + k))) {
                pos = i + k;
                throw error("bad character in a \\u escape");
              }
            }
            i += 4;
          }
          default -> {
            pos = i - 1;
            throw error("unrecognized escape");
          }
        }
      } else if (c < 0x20) {
        pos = i - 1;
        throw error("control character in a string");
      }
      length++;
    }
    strStart = start;
    strEnd = i;
    strEscaped = escaped;
    strLength = length;
    pos = i;
  }

  /** The last scanned string, unescaped (it holds escapes). */
  private String unescape() {
    StringBuilder b = new StringBuilder(strLength);
    int i = strStart + 1;
    int stop = strEnd - 1;
    while (i < stop) {
      char c = s.charAt(i++);
      if (c != '\\') {
        b.append(c);
        continue;
      }
      char e = s.charAt(i++);
      switch (e) {
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'u' -> {
          b.append((char) Integer.parseInt(s, i, i + 4, 16));
          i += 4;
        }
        default -> b.append(e); // " \ /
      }
    }
    return b.toString();
  }

  /**
   * Scans the number at the current position: {@code -? int frac? exp?}. What follows it is the
   * caller's to check (a comma, a bracket, whitespace), as for any value.
   */
  private void scanNumber() throws ProtocolException {
    int i = pos;
    boolean negative = false;
    if (s.charAt(i) == '-') {
      negative = true;
      i++;
    }
    int intStart = i;
    while (i < end && isDigit(s.charAt(i))) {
      i++;
    }
    int intLength = i - intStart;
    if (intLength == 0) {
      pos = i;
      throw error("expected a digit");
    }
    if (intLength > 1 && s.charAt(intStart) == '0') {
      pos = intStart;
      throw error("leading zeroes");
    }
    int fracLength = 0;
    int expLength = 0;
    boolean integral = true;
    if (i < end && s.charAt(i) == '.') {
      integral = false;
      int from = ++i;
      while (i < end && isDigit(s.charAt(i))) {
        i++;
      }
      fracLength = i - from;
      if (fracLength == 0) {
        pos = i;
        throw error("expected a digit after the decimal point");
      }
    }
    if (i < end && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      integral = false;
      i++;
      if (i < end && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        i++;
      }
      int from = i;
      while (i < end && isDigit(s.charAt(i))) {
        i++;
      }
      expLength = i - from;
      if (expLength == 0) {
        pos = i;
        throw error("expected a digit in the exponent");
      }
    }
    if (intLength + fracLength + expLength > MAX_NUMBER_LENGTH) {
      pos = intStart;
      throw error("number longer than " + MAX_NUMBER_LENGTH + " digits");
    }
    numLong = integral && toLong(intStart, i, negative);
    pos = i;
  }

  /** Parses the digits in [from, to) into {@link #numValue}; false when they overflow a long. */
  private boolean toLong(int from, int to, boolean negative) {
    if (to - from > 19) {
      return false;
    }
    long v = 0; // accumulated negatively: Long.MIN_VALUE has no positive counterpart
    for (int i = from; i < to; i++) {
      int d = s.charAt(i) - '0';
      if (v < Long.MIN_VALUE / 10) {
        return false;
      }
      v *= 10;
      if (v < Long.MIN_VALUE + d) {
        return false;
      }
      v -= d;
    }
    if (!negative) {
      if (v == Long.MIN_VALUE) {
        return false;
      }
      v = -v;
    }
    numValue = v;
    return true;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static boolean isHex(char c) {
    return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
  }

  ProtocolException error(String problem) {
    return new ProtocolException("malformed JSON: " + problem + " at character " + pos);
  }
}
