package io.fluxer.relay.protocol;

import java.util.Arrays;

/**
 * A small JSON writer for the frames the relay sends: objects, arrays, string, number and boolean
 * fields, and raw JSON values (publication data is embedded as the client sent it), written as
 * UTF-8 into one buffer that is reused, one per thread ({@link #local()}), so encoding a frame
 * allocates only the frame's own bytes.
 *
 * <p>Strings are escaped as Jackson escapes them: {@code "} and {@code \}, the short forms
 * {@code \b \f \n \r \t}, other control characters as {@code \}{@code u00XX}; everything else,
 * {@code /} and non-ASCII included, is written as is (UTF-8; characters beyond the BMP as 4 bytes,
 * where Jackson writes an escaped surrogate pair). A lone surrogate becomes U+FFFD.
 * The writer checks no structure: the encoder calls it in a valid order.
 */
final class JsonWriter {
  /** A buffer grown past this is let go after the frame, so one huge frame is not kept per thread. */
  private static final int KEEP_AT_MOST = 64 * 1024;
  private static final ThreadLocal<JsonWriter> LOCAL = ThreadLocal.withInitial(JsonWriter::new);
  private static final byte[] HEX = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
  private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};

  private byte[] buf = new byte[1024];
  private int len;
  /** Whether the next member or element needs a comma before it. */
  private boolean comma;

  /** This thread's writer, emptied. */
  static JsonWriter local() {
    JsonWriter w = LOCAL.get();
    w.len = 0;
    w.comma = false;
    return w;
  }

  /** The bytes written so far, as a new array. */
  byte[] toByteArray() {
    byte[] out = Arrays.copyOf(buf, len);
    if (buf.length > KEEP_AT_MOST) {
      buf = new byte[1024];
    }
    return out;
  }

  void writeStartObject() {
    separate();
    put((byte) '{');
    comma = false;
  }

  void writeEndObject() {
    put((byte) '}');
    comma = true;
  }

  void writeStartArray() {
    separate();
    put((byte) '[');
    comma = false;
  }

  void writeEndArray() {
    put((byte) ']');
    comma = true;
  }

  void writeFieldName(String name) {
    separate();
    string(name);
    put((byte) ':');
    comma = false;
  }

  void writeStringField(String name, String value) {
    writeFieldName(name);
    string(value);
    comma = true;
  }

  void writeNumberField(String name, long value) {
    writeFieldName(name);
    number(value);
    comma = true;
  }

  void writeBooleanField(String name, boolean value) {
    writeFieldName(name);
    bytes(value ? TRUE : FALSE);
    comma = true;
  }

  /** A value that is already JSON text, written as is. */
  void writeRawValue(String json) {
    separate();
    utf8(json, false);
    comma = true;
  }

  // ---- internals

  private void separate() {
    if (comma) {
      put((byte) ',');
    }
  }

  private void string(String s) {
    put((byte) '"');
    utf8(s, true);
    put((byte) '"');
  }

  private void number(long v) {
    if (v == Long.MIN_VALUE) {
      bytes(Long.toString(v).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      return;
    }
    if (v < 0) {
      put((byte) '-');
      v = -v;
    }
    int digits = 1;
    for (long t = v; t >= 10; t /= 10) {
      digits++;
    }
    ensure(digits);
    for (int i = len + digits - 1; i >= len; i--) {
      buf[i] = (byte) ('0' + v % 10);
      v /= 10;
    }
    len += digits;
  }

  private void utf8(String s, boolean escape) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        if (escape && (c < 0x20 || c == '"' || c == '\\')) {
          escape(c);
        } else {
          put((byte) c);
        }
      } else if (c < 0x800) {
        put((byte) (0xC0 | c >> 6));
        put((byte) (0x80 | c & 0x3F));
      } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        put((byte) (0xF0 | cp >> 18));
        put((byte) (0x80 | cp >> 12 & 0x3F));
        put((byte) (0x80 | cp >> 6 & 0x3F));
        put((byte) (0x80 | cp & 0x3F));
      } else {
        int cp = Character.isSurrogate(c) ? 0xFFFD : c;
        put((byte) (0xE0 | cp >> 12));
        put((byte) (0x80 | cp >> 6 & 0x3F));
        put((byte) (0x80 | cp & 0x3F));
      }
    }
  }

  private void escape(char c) {
    put((byte) '\\');
    switch (c) {
      case '"' -> put((byte) '"');
      case '\\' -> put((byte) '\\');
      case '\b' -> put((byte) 'b');
      case '\f' -> put((byte) 'f');
      case '\n' -> put((byte) 'n');
      case '\r' -> put((byte) 'r');
      case '\t' -> put((byte) 't');
      default -> {
        put((byte) 'u');
        put((byte) '0');
        put((byte) '0');
        put(HEX[c >> 4]);
        put(HEX[c & 0xF]);
      }
    }
  }

  private void bytes(byte[] b) {
    ensure(b.length);
    System.arraycopy(b, 0, buf, len, b.length);
    len += b.length;
  }

  private void put(byte b) {
    if (len == buf.length) {
      ensure(1);
    }
    buf[len++] = b;
  }

  private void ensure(int more) {
    if (len + more > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
    }
  }
}
