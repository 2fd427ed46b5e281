package io.fluxer.relay.engine.memory;

import java.nio.ByteBuffer;

/**
 * A string's UTF-8 bytes counted and written into a ring buffer without an intermediate array:
 * the same bytes as {@code s.getBytes(StandardCharsets.UTF_8)}, an unpaired surrogate included
 * (written as {@code '?'}, as the JDK's encoder replaces it). Netty's {@code ByteBufUtil.utf8Bytes}
 * is not a substitute for {@link #length}: on some runs of surrogates it counts other than the JDK
 * writes (Utf8Test's random strings show it).
 */
final class Utf8 {
  private Utf8() {
  }

  /** The number of UTF-8 bytes of {@code s}. */
  static int length(String s) {
    int n = s.length();
    int bytes = n;
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c >= 0x80) {
        if (c < 0x800) {
          bytes += 1;
        } else if (!Character.isSurrogate(c)) {
          bytes += 2;
        } else if (pairAt(s, i)) {
          bytes += 2; // four bytes for the two chars
          i++;
        } // an unpaired surrogate: one '?'
      }
    }
    return bytes;
  }

  /**
   * Writes the UTF-8 bytes of {@code s} into {@code ring} from index {@code start}, going on at 0
   * past its capacity; the caller has made room for {@link #length(String)} bytes.
   */
  static void write(String s, ByteBuffer ring, int start) {
    int capacity = ring.capacity();
    int at = start;
    int n = s.length();
    for (int i = 0; i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        at = put(ring, at, capacity, c);
      } else if (c < 0x800) {
        at = put(ring, at, capacity, 0xC0 | (c >> 6));
        at = put(ring, at, capacity, 0x80 | (c & 0x3F));
      } else if (!Character.isSurrogate(c)) {
        at = put(ring, at, capacity, 0xE0 | (c >> 12));
        at = put(ring, at, capacity, 0x80 | ((c >> 6) & 0x3F));
        at = put(ring, at, capacity, 0x80 | (c & 0x3F));
      } else if (pairAt(s, i)) {
        int cp = Character.toCodePoint(c, s.charAt(++i));
        at = put(ring, at, capacity, 0xF0 | (cp >> 18));
        at = put(ring, at, capacity, 0x80 | ((cp >> 12) & 0x3F));
        at = put(ring, at, capacity, 0x80 | ((cp >> 6) & 0x3F));
        at = put(ring, at, capacity, 0x80 | (cp & 0x3F));
      } else {
        at = put(ring, at, capacity, '?');
      }
    }
  }

  private static boolean pairAt(String s, int i) {
    return Character.isHighSurrogate(s.charAt(i)) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
  }

  private static int put(ByteBuffer ring, int at, int capacity, int b) {
    ring.put(at, (byte) b);
    return at + 1 == capacity ? 0 : at + 1;
  }
}
