package io.fluxer.bench;

import java.nio.charset.StandardCharsets;

/**
 * {@link FrameScanner}'s counterpart for the Protobuf protocol: a binary frame holds one or more
 * varint-length-delimited {@code Reply} messages (Centrifugo's {@code client.proto}). It walks the
 * wire format by hand, without building messages, and finds in each publication push
 * ({@code Reply.push = 4 → Push.pub = 4 → Publication.data = 4}) the bench's numbers at the start of
 * {@code data}, which the relay carries as the publisher's JSON bytes. An empty {@code Reply} is a
 * server ping; every other reply goes to {@link Sink#reply} as its bytes, to be parsed there (only
 * handshake and publish replies come, a few per connection).
 */
final class ProtobufScanner {
  private static final int REPLY_PUSH = 4;
  private static final int PUSH_PUB = 4;
  private static final int PUBLICATION_DATA = 4;
  private static final byte[] DATA_PREFIX = "{\"b\":[".getBytes(StandardCharsets.US_ASCII);

  /** What a scanned frame contained. */
  interface Sink {
    /** A publication carrying the bench's numbers. */
    void publication(long seq, long sentNanos, int step);

    /** A server ping (an empty {@code Reply}): answer with an empty {@code Command}. */
    void ping();

    /** A reply that is not a push: {@code b[from..to)} is one encoded {@code Reply}. */
    void reply(byte[] b, int from, int to);
  }

  private ProtobufScanner() {}

  /**
   * Scans the bytes {@code b[from..to)} of one binary frame.
   *
   * @throws IllegalArgumentException when the bytes are not length-delimited Protobuf messages
   */
  static void scan(byte[] b, int from, int to, Sink sink) {
    long[] cursor = new long[1];
    long[] numbers = new long[3];
    int i = from;
    while (i < to) {
      int len = (int) varint(b, i, to, cursor);
      i = (int) cursor[0];
      int end = i + len;
      if (len < 0 || end > to) {
        throw new IllegalArgumentException("message of " + len + " bytes overruns the frame");
      }
      if (len == 0) {
        sink.ping();
      } else if (!publication(b, i, end, cursor, numbers, sink)) {
        sink.reply(b, i, end);
      }
      i = end;
    }
  }

  /** Finds push.pub.data in the Reply at {@code b[from..to)}; answers whether the Reply was a push. */
  private static boolean publication(byte[] b, int from, int to, long[] cursor, long[] numbers, Sink sink) {
    int push = field(b, from, to, REPLY_PUSH, cursor);
    if (push < 0) {
      return false;
    }
    int pub = field(b, push, push + (int) cursor[0], PUSH_PUB, cursor);
    if (pub < 0) {
      return true; // join, leave, or another push: not counted
    }
    int data = field(b, pub, pub + (int) cursor[0], PUBLICATION_DATA, cursor);
    if (data < 0) {
      return true;
    }
    int dataEnd = data + (int) cursor[0];
    if (!startsWith(b, data, dataEnd, DATA_PREFIX)) {
      return true;
    }
    int p = FrameScanner.parseLong(b, data + DATA_PREFIX.length, dataEnd, numbers, 0);
    if (p > 0 && b[p] == ',') {
      p = FrameScanner.parseLong(b, p + 1, dataEnd, numbers, 1);
      if (p > 0 && b[p] == ',') {
        p = FrameScanner.parseLong(b, p + 1, dataEnd, numbers, 2);
        if (p > 0) {
          sink.publication(numbers[0], numbers[1], (int) numbers[2]);
        }
      }
    }
    return true;
  }

  /**
   * The offset of the first length-delimited field {@code number} in the message {@code b[from..to)},
   * its length in {@code cursor[0]}; -1 when the message has none.
   */
  static int field(byte[] b, int from, int to, int number, long[] cursor) {
    int i = from;
    while (i < to) {
      long tag = varint(b, i, to, cursor);
      i = (int) cursor[0];
      int wireType = (int) (tag & 7);
      switch (wireType) {
        case 0 -> {
          varint(b, i, to, cursor);
          i = (int) cursor[0];
        }
        case 1 -> i += 8;
        case 5 -> i += 4;
        case 2 -> {
          long len = varint(b, i, to, cursor);
          i = (int) cursor[0];
          if (len < 0 || i + len > to) {
            throw new IllegalArgumentException("field of " + len + " bytes overruns its message");
          }
          if (tag >>> 3 == number) {
            cursor[0] = len;
            return i;
          }
          i += (int) len;
        }
        default -> throw new IllegalArgumentException("unsupported wire type " + wireType);
      }
    }
    return -1;
  }

  /** Reads the varint at {@code b[i]}; the index after it goes to {@code cursor[0]}. */
  static long varint(byte[] b, int i, int to, long[] cursor) {
    long value = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (i >= to) {
        throw new IllegalArgumentException("truncated varint");
      }
      byte x = b[i++];
      value |= (long) (x & 0x7f) << shift;
      if (x >= 0) {
        cursor[0] = i;
        return value;
      }
    }
    throw new IllegalArgumentException("varint longer than 10 bytes");
  }

  private static boolean startsWith(byte[] b, int at, int to, byte[] prefix) {
    if (at + prefix.length > to) {
      return false;
    }
    for (int k = 0; k < prefix.length; k++) {
      if (b[at + k] != prefix[k]) {
        return false;
      }
    }
    return true;
  }
}
