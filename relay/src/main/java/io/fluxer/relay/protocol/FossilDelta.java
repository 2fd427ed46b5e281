package io.fluxer.relay.protocol;

import java.util.Arrays;

/**
 * Fossil delta compression, the format Centrifugo sends publications in when a subscription asks
 * for {@code delta: "fossil"} and centrifuge-js applies. Format: the target length, {@code \n}, then
 * commands: {@code N@M,} copies N bytes of the source from offset M, {@code N:} followed by N bytes
 * inserts them, and {@code N;} ends the delta with N the checksum of the target. Numbers are written
 * in base 64 with the digits {@link #DIGITS}, most significant first.
 * See https://fossil-scm.org/home/doc/tip/www/delta_format.wiki.
 *
 * <p>{@link #create} finds matches as Fossil's encoder does: the source is indexed by a rolling hash
 * of each aligned 16-byte block, the target is scanned with the same hash, and a hit is extended
 * both ways. Memory is one hash table of {@code source.length / 16} entries; every target position
 * looks at a bounded number of candidate blocks.
 *
 * <p>One difference from Fossil's encoder: a copy never starts or ends inside a UTF-8 character of
 * the target, so the delta of a valid UTF-8 target is valid UTF-8 (its inserted runs are whole
 * characters, everything else is ASCII). The JSON protocol carries a delta as a JSON string, which
 * could not hold half a character; the price is at most a few bytes per copy on binary data.
 */
public final class FossilDelta {
  private static final String DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz~";
  private static final int[] DIGIT_VALUE = new int[128];
  /** Block size of the source index and width of the rolling hash. */
  private static final int NHASH = 16;
  /** Candidate blocks looked at per target position, so highly repetitive input stays linear. */
  private static final int MAX_CANDIDATES = 250;

  static {
    Arrays.fill(DIGIT_VALUE, -1);
    for (int i = 0; i < DIGITS.length(); i++) {
      DIGIT_VALUE[DIGITS.charAt(i)] = i;
    }
  }

  /** A delta that cannot be applied: malformed, or made against other source bytes. */
  public static final class DeltaException extends RuntimeException {
    DeltaException(String message) {
      super(message);
    }
  }

  private FossilDelta() {}

  /** A delta that turns {@code source} into {@code target}. */
  public static byte[] create(byte[] source, byte[] target) {
    Output out = new Output(target.length / 8 + 32);
    out.putInt(target.length);
    out.put('\n');
    int base = 0;
    if (source.length > NHASH) {
      SourceIndex index = new SourceIndex(source);
      while (base + NHASH <= target.length) {
        Match match = index.findMatch(target, base);
        if (match == null) {
          break;
        }
        if (match.targetStart > base) {
          out.insert(target, base, match.targetStart);
        }
        out.putInt(match.length);
        out.put('@');
        out.putInt(match.sourceStart);
        out.put(',');
        base = match.targetStart + match.length;
      }
    }
    if (base < target.length) {
      out.insert(target, base, target.length);
    }
    out.putInt(checksum(target, target.length));
    out.put(';');
    return out.toByteArray();
  }

  /**
   * The target that {@code delta} makes from {@code source}.
   *
   * @throws DeltaException if the delta is malformed, or its length or checksum does not match
   *     (it was made against other source bytes)
   */
  public static byte[] apply(byte[] source, byte[] delta) {
    Input in = new Input(delta);
    int limit = size(in.getNumber("target length"), "target length");
    in.expect('\n', "target length");
    // Grown as commands are checked, so a header claiming gigabytes allocates nothing up front.
    byte[] out = new byte[Math.min(limit, source.length + delta.length)];
    int total = 0;
    while (in.hasMore()) {
      long number = in.getNumber("command");
      char op = in.next("command");
      int count = op == ';' ? (int) number : size(number, "command");
      switch (op) {
        case '@' -> {
          int offset = size(in.getNumber("copy offset"), "copy offset");
          in.expect(',', "copy command");
          if (count > limit - total) {
            throw new DeltaException("copy of " + count + " bytes exceeds the target length " + limit);
          }
          if (offset > source.length - count) {
            throw new DeltaException("copy of " + count + " bytes at " + offset
                + " extends past the end of the " + source.length + "-byte source");
          }
          out = ensure(out, total + count, limit);
          System.arraycopy(source, offset, out, total, count);
          total += count;
        }
        case ':' -> {
          if (count > limit - total) {
            throw new DeltaException("insert of " + count + " bytes exceeds the target length " + limit);
          }
          if (count > in.remaining()) {
            throw new DeltaException("insert of " + count + " bytes runs past the end of the delta");
          }
          out = ensure(out, total + count, limit);
          in.copyTo(out, total, count);
          total += count;
        }
        case ';' -> {
          if (total != limit) {
            throw new DeltaException("delta makes " + total + " bytes, its header says " + limit);
          }
          if (count != checksum(out, total)) {
            throw new DeltaException("checksum mismatch: the delta was made against other source bytes");
          }
          if (in.hasMore()) {
            throw new DeltaException("bytes after the checksum");
          }
          return out.length == total ? out : Arrays.copyOf(out, total);
        }
        default -> throw new DeltaException("unknown command '" + op + "' at byte " + (in.pos - 1));
      }
    }
    throw new DeltaException("delta ends without a checksum");
  }

  /**
   * Fossil's checksum: the sum of the bytes read as big-endian 32-bit words, the last one padded
   * with zeros, modulo 2^32.
   */
  static int checksum(byte[] data, int length) {
    int sum0 = 0;
    int sum1 = 0;
    int sum2 = 0;
    int sum3 = 0;
    int i = 0;
    for (; i + 4 <= length; i += 4) {
      sum0 += data[i] & 0xff;
      sum1 += data[i + 1] & 0xff;
      sum2 += data[i + 2] & 0xff;
      sum3 += data[i + 3] & 0xff;
    }
    int sum = sum3 + (sum2 << 8) + (sum1 << 16) + (sum0 << 24);
    for (int shift = 24; i < length; i++, shift -= 8) {
      sum += (data[i] & 0xff) << shift;
    }
    return sum;
  }

  private static int size(long number, String what) {
    if (number > Integer.MAX_VALUE) {
      throw new DeltaException(what + " " + number + " is too large");
    }
    return (int) number;
  }

  private static byte[] ensure(byte[] out, int length, int limit) {
    return length <= out.length ? out
        : Arrays.copyOf(out, Math.max(length, (int) Math.min(limit, out.length * 2L)));
  }

  private static boolean isContinuationByte(byte b) {
    return (b & 0xc0) == 0x80;
  }

  private static int digitCount(int v) {
    int n = 1;
    for (long x = 64; v >= x; x <<= 6) {
      n++;
    }
    return n;
  }

  /** Copy {@code length} bytes at {@code sourceStart} to {@code targetStart}. */
  private record Match(int targetStart, int sourceStart, int length) {}

  /** The source's aligned 16-byte blocks by rolling hash, chained on collisions. */
  private static final class SourceIndex {
    private final byte[] source;
    /** The earliest block per hash bucket, or -1. */
    private final int[] landmark;
    /** The next later block in the same bucket, or -1. */
    private final int[] collide;

    SourceIndex(byte[] source) {
      this.source = source;
      int buckets = source.length / NHASH;
      landmark = new int[buckets];
      collide = new int[buckets];
      Arrays.fill(landmark, -1);
      Arrays.fill(collide, -1);
      RollingHash hash = new RollingHash();
      // Chains run from the earliest block: on repetitive input the candidates looked at are the
      // ones with the most source left to match (Fossil's run from the latest).
      for (int block = buckets - 1; block >= 0; block--) {
        hash.init(source, block * NHASH);
        int bucket = bucket(hash.value());
        collide[block] = landmark[bucket];
        landmark[bucket] = block;
      }
    }

    private int bucket(int hash) {
      return (int) (Integer.toUnsignedLong(hash) % landmark.length);
    }

    /**
     * The first worthwhile match for target bytes from {@code base} on, or null when there is none
     * before the last 16 bytes (they are then inserted as they are).
     */
    Match findMatch(byte[] target, int base) {
      RollingHash hash = new RollingHash();
      hash.init(target, base);
      for (int i = 0; ; i++) {
        Match best = null;
        int candidates = 0;
        for (int block = landmark[bucket(hash.value())]; block >= 0 && candidates < MAX_CANDIDATES;
             block = collide[block], candidates++) {
          Match m = extend(target, base, base + i, block * NHASH);
          if (m != null && (best == null || m.length > best.length)) {
            best = m;
            if (m.targetStart == base && m.length == target.length - base) {
              break; // it covers all that is left: no candidate can beat it
            }
          }
        }
        if (best != null) {
          return best;
        }
        if (base + i + NHASH >= target.length) {
          return null;
        }
        hash.next(target[base + i + NHASH]);
      }
    }

    /**
     * The match around target position {@code at} and source position {@code sourceAt}, grown
     * forwards and backwards (not before {@code base}), then trimmed to whole UTF-8 characters of the
     * target; null when it would not be shorter as a copy than as an insert.
     */
    private Match extend(byte[] target, int base, int at, int sourceAt) {
      int end = at;
      int sourceEnd = sourceAt;
      while (sourceEnd < source.length && end < target.length && source[sourceEnd] == target[end]) {
        end++;
        sourceEnd++;
      }
      int start = at;
      int sourceStart = sourceAt;
      while (sourceStart > 0 && start > base && source[sourceStart - 1] == target[start - 1]) {
        start--;
        sourceStart--;
      }
      while (start < end && isContinuationByte(target[start])) {
        start++;
        sourceStart++;
      }
      while (end > start && end < target.length && isContinuationByte(target[end])) {
        end--;
      }
      int length = end - start;
      int cost = digitCount(start - base) + digitCount(length) + digitCount(sourceStart) + 3;
      return length > 0 && length >= cost ? new Match(start, sourceStart, length) : null;
    }
  }

  /**
   * Fossil's rolling hash of a 16-byte window: {@code a} sums the bytes, {@code b} weighs them by
   * their distance from the window's end; both mod 2^16.
   */
  private static final class RollingHash {
    private final byte[] window = new byte[NHASH];
    private int a;
    private int b;
    private int i;

    void init(byte[] data, int from) {
      int x = 0;
      int y = 0;
      for (int k = 0; k < NHASH; k++) {
        int c = data[from + k] & 0xff;
        x += c;
        y += (NHASH - k) * c;
        window[k] = data[from + k];
      }
      a = x & 0xffff;
      b = y & 0xffff;
      i = 0;
    }

    void next(byte in) {
      int old = window[i] & 0xff;
      window[i] = in;
      i = (i + 1) & (NHASH - 1);
      a = (a - old + (in & 0xff)) & 0xffff;
      b = (b - NHASH * old + a) & 0xffff;
    }

    int value() {
      return a | (b << 16);
    }
  }

  /** A growable byte buffer with the delta's writers. */
  private static final class Output {
    private byte[] buf;
    private int len;

    Output(int capacity) {
      buf = new byte[capacity];
    }

    void put(char c) {
      ensure(1);
      buf[len++] = (byte) c;
    }

    void putInt(int v) {
      long u = Integer.toUnsignedLong(v);
      char[] digits = new char[6];
      int n = 0;
      do {
        digits[n++] = DIGITS.charAt((int) (u & 63));
        u >>>= 6;
      } while (u != 0);
      while (n > 0) {
        put(digits[--n]);
      }
    }

    void insert(byte[] data, int from, int to) {
      putInt(to - from);
      put(':');
      ensure(to - from);
      System.arraycopy(data, from, buf, len, to - from);
      len += to - from;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, len);
    }

    private void ensure(int more) {
      if (len + more > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
      }
    }
  }

  /** Reads a delta; every read past its end or of an unexpected byte is a {@link DeltaException}. */
  private static final class Input {
    private final byte[] delta;
    private int pos;

    Input(byte[] delta) {
      this.delta = delta;
    }

    boolean hasMore() {
      return pos < delta.length;
    }

    char next(String what) {
      if (pos >= delta.length) {
        throw new DeltaException("delta ends inside the " + what);
      }
      return (char) (delta[pos++] & 0xff);
    }

    void expect(char c, String what) {
      int at = pos;
      char got = next(what);
      if (got != c) {
        throw new DeltaException(what + " not terminated by '" + (c == '\n' ? "\\n" : c) + "' at byte " + at);
      }
    }

    /** A base-64 number of at least one digit, at most 2^32 - 1 (the checksum is 32 bits). */
    long getNumber(String what) {
      int start = pos;
      long v = 0;
      while (pos < delta.length && delta[pos] >= 0 && DIGIT_VALUE[delta[pos]] >= 0) {
        v = (v << 6) | DIGIT_VALUE[delta[pos++]];
        if (v > 0xffffffffL) {
          throw new DeltaException("number too large in the " + what + " at byte " + start);
        }
      }
      if (pos == start) {
        throw new DeltaException("number expected in the " + what + " at byte " + start);
      }
      return v;
    }

    int remaining() {
      return delta.length - pos;
    }

    void copyTo(byte[] out, int at, int count) {
      System.arraycopy(delta, pos, out, at, count);
      pos += count;
    }
  }
}
