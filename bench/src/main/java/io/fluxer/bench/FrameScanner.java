package io.fluxer.bench;

import java.nio.charset.StandardCharsets;

/**
 * Reads server frames without a JSON parser: the generator must keep up with a million deliveries
 * a second, so it only finds message boundaries ({@code \n}) and, in publication pushes, the
 * numbers the publisher embedded.
 *
 * <p>The publisher sends {@code data} as {@code {"b":[seq,sentNanos,step]...}}. Both the relay and
 * the ceiling write a publication push as {@code {"push":{"channel":"C","pub":{"data":<data as
 * sent>,...}}}} with {@code data} first, so the numbers sit at a fixed place after the channel
 * name: no searching. Other pushes (join, leave) are skipped; {@code {}} is a server ping; every
 * other message (replies, errors) goes to {@link Sink#other} as text.
 */
final class FrameScanner {
  private static final byte[] PUSH = ascii("{\"push\":{\"channel\":\"");
  private static final byte[] PUB_DATA = ascii(",\"pub\":{\"data\":{\"b\":[");

  /** What a scanned frame contained. */
  interface Sink {
    /** A publication carrying the bench's numbers. */
    void publication(long seq, long sentNanos, int step);

    /** A server ping ({@code {}}): answer with {@code {}}. */
    void ping();

    /** A message that is neither a push nor a ping: a reply or an error. */
    void other(String message);
  }

  private FrameScanner() {}

  /** The start of the bench's {@code data}: {@code {"b":[seq,sentNanos,step]}}. */
  static String data(long seq, long sentNanos, int step) {
    return "{\"b\":[" + seq + ',' + sentNanos + ',' + step + "]}";
  }

  /** Scans {@code len} bytes of one frame (one or more {@code \n}-separated JSON messages). */
  static void scan(byte[] b, int len, Sink sink) {
    scan(b, 0, len, sink);
  }

  /** Scans the bytes {@code b[from..len)} of one frame. */
  static void scan(byte[] b, int from, int len, Sink sink) {
    long[] out = new long[3];
    int i = from;
    while (i < len) {
      int start = i;
      if (b[i] == '\n' || b[i] == '\r' || b[i] == ' ') {
        i++;
        continue;
      }
      if (startsWith(b, i, len, PUSH)) {
        int quote = indexOf(b, i + PUSH.length, len, (byte) '"');
        if (quote > 0 && startsWith(b, quote + 1, len, PUB_DATA)) {
          int p = quote + 1 + PUB_DATA.length;
          p = parseLong(b, p, len, out, 0);
          if (p > 0 && b[p] == ',') {
            p = parseLong(b, p + 1, len, out, 1);
            if (p > 0 && b[p] == ',') {
              p = parseLong(b, p + 1, len, out, 2);
              if (p > 0) {
                sink.publication(out[0], out[1], (int) out[2]);
                i = p;
              }
            }
          }
        }
        i = lineEnd(b, i, len) + 1;
        continue;
      }
      int end = lineEnd(b, i, len);
      if (end - start == 2 && b[start] == '{' && b[start + 1] == '}') {
        sink.ping();
      } else {
        sink.other(new String(b, start, end - start, StandardCharsets.UTF_8));
      }
      i = end + 1;
    }
  }

  /** Parses a decimal long at {@code p} into {@code out[slot]}; returns the index after it, or -1. */
  static int parseLong(byte[] b, int p, int len, long[] out, int slot) {
    boolean negative = false;
    if (p < len && b[p] == '-') {
      negative = true;
      p++;
    }
    int digitsFrom = p;
    long v = 0;
    while (p < len) {
      int d = b[p] - '0';
      if (d < 0 || d > 9) {
        break;
      }
      v = v * 10 + d;
      p++;
    }
    if (p == digitsFrom || p >= len) {
      return -1;
    }
    out[slot] = negative ? -v : v;
    return p;
  }

  private static int lineEnd(byte[] b, int from, int len) {
    for (int i = from; i < len; i++) {
      if (b[i] == '\n') {
        return i;
      }
    }
    return len;
  }

  private static int indexOf(byte[] b, int from, int len, byte c) {
    for (int i = from; i < len; i++) {
      if (b[i] == c) {
        return i;
      }
      if (b[i] == '\n') {
        return -1;
      }
    }
    return -1;
  }

  private static boolean startsWith(byte[] b, int at, int len, byte[] prefix) {
    if (at < 0 || at + prefix.length > len) {
      return false;
    }
    for (int k = 0; k < prefix.length; k++) {
      if (b[at + k] != prefix[k]) {
        return false;
      }
    }
    return true;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
