package io.fluxer.relay.engine.memory;

import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.Publication;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One channel's history, oldest first: a queue of publications kept in a handful of arrays that
 * grow by doubling, with the data of every publication copied into one byte ring.
 *
 * <p>Why not a queue of {@link Publication} objects: a publication kept in history lives for minutes,
 * so with a queue each one (record, data string and its bytes, the holder with its expiry) survives
 * the young collections that follow it and is copied from eden to the survivor space and on to the
 * old generation. At thousands of publications per second that copying was most of every young
 * pause on one core (docs/benchmarks.md). Here a publication adds no object that outlives the
 * publish: the arrays are long-lived and only grow, the publisher's {@link ClientInfo} and the tags
 * are shared objects, and reading history builds fresh {@link Publication}s, which is rare.
 *
 * <p>The arrays are made on the first publication: a channel that is subscribed but never
 * published to (most of them, in many deployments) costs no ring.
 *
 * <p>Not thread-safe; the owning stream's lock guards it. Index 0 is the oldest publication.
 */
final class HistoryRing {
  private static final int INITIAL_SLOTS = 4;
  private static final int INITIAL_BYTES = 256;

  private static final long[] NO_LONGS = new long[0];
  private static final int[] NO_INTS = new int[0];
  private static final ClientInfo[] NO_INFOS = new ClientInfo[0];
  private static final Object[] NO_OBJECTS = new Object[0];
  private static final byte[] NO_BYTES = new byte[0];

  private long[] offsets = NO_LONGS;
  private long[] expiries = NO_LONGS;
  private ClientInfo[] infos = NO_INFOS;
  private Object[] tags = NO_OBJECTS;
  private int[] starts = NO_INTS;
  private int[] lengths = NO_INTS;
  /** Slot of the oldest publication. */
  private int head;
  private int size;

  private byte[] bytes = NO_BYTES;
  /** Index in {@link #bytes} where the oldest publication's data starts. */
  private int bytesHead;
  private int bytesUsed;

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** Appends a publication as the newest. */
  void addLast(Publication publication, long expiresAt) {
    byte[] data = publication.data().getBytes(StandardCharsets.UTF_8);
    if (size == offsets.length) {
      growSlots();
    }
    if (bytes.length == 0 || bytes.length - bytesUsed < data.length) {
      growBytes(bytesUsed + data.length);
    }
    int slot = (head + size) % offsets.length;
    int start = (bytesHead + bytesUsed) % bytes.length;
    int first = Math.min(data.length, bytes.length - start);
    System.arraycopy(data, 0, bytes, start, first);
    System.arraycopy(data, first, bytes, 0, data.length - first);
    bytesUsed += data.length;
    offsets[slot] = publication.offset();
    expiries[slot] = expiresAt;
    infos[slot] = publication.info();
    tags[slot] = publication.tags();
    starts[slot] = start;
    lengths[slot] = data.length;
    size++;
  }

  /** Drops the oldest publication. */
  void removeFirst() {
    if (size == 0) {
      throw new IllegalStateException("empty");
    }
    int slot = head;
    bytesHead = (bytesHead + lengths[slot]) % bytes.length;
    bytesUsed -= lengths[slot];
    infos[slot] = null;
    tags[slot] = null;
    head = (head + 1) % offsets.length;
    size--;
    if (size == 0) {
      head = 0;
      bytesHead = 0;
    }
  }

  /** Drops everything and gives back the ring's memory. */
  void clear() {
    offsets = NO_LONGS;
    expiries = NO_LONGS;
    infos = NO_INFOS;
    tags = NO_OBJECTS;
    starts = NO_INTS;
    lengths = NO_INTS;
    bytes = NO_BYTES;
    head = 0;
    size = 0;
    bytesHead = 0;
    bytesUsed = 0;
  }

  long offset(int index) {
    return offsets[slot(index)];
  }

  long expiresAt(int index) {
    return expiries[slot(index)];
  }

  /** A new {@link Publication} equal to the one stored at {@code index}. */
  @SuppressWarnings("unchecked")
  Publication get(int index) {
    int slot = slot(index);
    int start = starts[slot];
    int length = lengths[slot];
    String data;
    if (start + length <= bytes.length) {
      data = new String(bytes, start, length, StandardCharsets.UTF_8);
    } else {
      byte[] joined = new byte[length];
      int first = bytes.length - start;
      System.arraycopy(bytes, start, joined, 0, first);
      System.arraycopy(bytes, 0, joined, first, length - first);
      data = new String(joined, StandardCharsets.UTF_8);
    }
    return new Publication(offsets[slot], data, infos[slot], (Map<String, String>) tags[slot]);
  }

  private int slot(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException(index);
    }
    return (head + index) % offsets.length;
  }

  /** Doubles the slot arrays (or makes the first ones), moving the oldest publication to slot 0. */
  private void growSlots() {
    int full = offsets.length;
    int capacity = full == 0 ? INITIAL_SLOTS : full * 2;
    offsets = unwrap(offsets, new long[capacity], full);
    expiries = unwrap(expiries, new long[capacity], full);
    infos = unwrap(infos, new ClientInfo[capacity], full);
    tags = unwrap(tags, new Object[capacity], full);
    starts = unwrap(starts, new int[capacity], full);
    lengths = unwrap(lengths, new int[capacity], full);
    head = 0;
  }

  /** Copies the slots of a full ring of {@code length}, oldest first, to the front of {@code to}. */
  private <A> A unwrap(A from, A to, int length) {
    int first = length - head;
    System.arraycopy(from, head, to, 0, first);
    System.arraycopy(from, 0, to, first, head);
    return to;
  }

  /** Moves the data into a byte ring of at least {@code needed} bytes, the oldest first at 0. */
  private void growBytes(int needed) {
    int capacity = Math.max(bytes.length, INITIAL_BYTES);
    while (capacity < needed) {
      capacity = Math.multiplyExact(capacity, 2);
    }
    byte[] grown = new byte[capacity];
    int first = Math.min(bytesUsed, bytes.length - bytesHead);
    System.arraycopy(bytes, bytesHead, grown, 0, first);
    System.arraycopy(bytes, 0, grown, first, bytesUsed - first);
    for (int i = 0; i < size; i++) {
      int slot = (head + i) % offsets.length;
      starts[slot] = Math.floorMod(starts[slot] - bytesHead, bytes.length);
    }
    bytes = grown;
    bytesHead = 0;
  }
}
