package io.fluxer.relay.engine.memory;

import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.Publication;
import io.netty.util.internal.PlatformDependent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * One channel's history, oldest first: a queue of publications whose numbers and data live outside
 * the Java heap, in two direct buffers that grow by doubling, and whose publisher info and tags sit
 * in two reference arrays.
 *
 * <p>Why not a queue of {@link Publication} objects: a publication kept in history lives for minutes,
 * so with a queue each one (record, data string and its bytes, the holder with its expiry) survives
 * the young collections that follow it and is copied from eden to the survivor space and on to the
 * old generation. At thousands of publications per second that copying was most of every young
 * pause on one core (docs/benchmarks.md).
 *
 * <p>Why outside the heap: arrays on the heap that only grow still cost a copy each while they are
 * young, and while thousands of channels' histories fill, every young collection copied the arrays
 * grown since the last one: the 18-60 ms pauses that set the many-channels max latency
 * (docs/benchmarks.md, "History outside the heap"). A direct buffer is one small object on the heap
 * whatever its size, so a collection copies none of a history's bytes. What stays on the heap per
 * publication is two references to objects that exist anyway (the publisher's {@link ClientInfo},
 * shared per subscription, and the tags).
 *
 * <p>The buffers are made on the first publication (a channel that is subscribed but never
 * published to costs nothing) and freed as soon as they are replaced or {@link #clear() cleared};
 * a ring dropped without {@code clear()} is freed when the collector finds its buffers unreachable.
 *
 * <p>Not thread-safe; the owning stream's lock guards it. Index 0 is the oldest publication.
 */
final class HistoryRing {
  private static final int INITIAL_SLOTS = 4;
  private static final int INITIAL_BYTES = 256;
  /** Per slot: offset (long), expiry (long), start of the data in {@link #bytes} (int), its length (int). */
  private static final int SLOT_BYTES = 24;
  private static final int OFFSET = 0;
  private static final int EXPIRY = 8;
  private static final int START = 16;
  private static final int LENGTH = 20;

  private static final ByteBuffer NONE = ByteBuffer.allocateDirect(0);
  private static final ClientInfo[] NO_INFOS = new ClientInfo[0];
  private static final Object[] NO_OBJECTS = new Object[0];

  private ByteBuffer slots = NONE;
  private int capacity;
  private ClientInfo[] infos = NO_INFOS;
  private Object[] tags = NO_OBJECTS;
  /** Slot of the oldest publication. */
  private int head;
  private int size;

  private ByteBuffer bytes = NONE;
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
    String data = publication.data();
    int length = Utf8.length(data);
    if (size == capacity) {
      growSlots();
    }
    if (bytes.capacity() - bytesUsed < length || bytes.capacity() == 0) {
      growBytes(bytesUsed + length);
    }
    int slot = (head + size) % capacity;
    int start = (bytesHead + bytesUsed) % bytes.capacity();
    Utf8.write(data, bytes, start);
    bytesUsed += length;
    int at = slot * SLOT_BYTES;
    slots.putLong(at + OFFSET, publication.offset());
    slots.putLong(at + EXPIRY, expiresAt);
    slots.putInt(at + START, start);
    slots.putInt(at + LENGTH, length);
    infos[slot] = publication.info();
    tags[slot] = publication.tags();
    size++;
  }

  /** Drops the oldest publication. */
  void removeFirst() {
    if (size == 0) {
      throw new IllegalStateException("empty");
    }
    int slot = head;
    int length = slots.getInt(slot * SLOT_BYTES + LENGTH);
    bytesHead = (bytesHead + length) % bytes.capacity();
    bytesUsed -= length;
    infos[slot] = null;
    tags[slot] = null;
    head = (head + 1) % capacity;
    size--;
    if (size == 0) {
      head = 0;
      bytesHead = 0;
    }
  }

  /** Drops everything and gives back the ring's memory at once. */
  void clear() {
    free(slots);
    free(bytes);
    slots = NONE;
    bytes = NONE;
    capacity = 0;
    infos = NO_INFOS;
    tags = NO_OBJECTS;
    head = 0;
    size = 0;
    bytesHead = 0;
    bytesUsed = 0;
  }

  long offset(int index) {
    return slots.getLong(slot(index) * SLOT_BYTES + OFFSET);
  }

  long expiresAt(int index) {
    return slots.getLong(slot(index) * SLOT_BYTES + EXPIRY);
  }

  /** A new {@link Publication} equal to the one stored at {@code index}. */
  @SuppressWarnings("unchecked")
  Publication get(int index) {
    int slot = slot(index);
    int at = slot * SLOT_BYTES;
    int start = slots.getInt(at + START);
    int length = slots.getInt(at + LENGTH);
    byte[] data = new byte[length];
    int first = Math.min(length, bytes.capacity() - start);
    bytes.get(start, data, 0, first);
    bytes.get(0, data, first, length - first);
    return new Publication(slots.getLong(at + OFFSET), new String(data, StandardCharsets.UTF_8), infos[slot],
        (Map<String, String>) tags[slot]);
  }

  private int slot(int index) {
    if (index < 0 || index >= size) {
      throw new IndexOutOfBoundsException(index);
    }
    return (head + index) % capacity;
  }

  /** Doubles the slots (or makes the first ones), moving the oldest publication to slot 0. */
  private void growSlots() {
    int grown = capacity == 0 ? INITIAL_SLOTS : Math.multiplyExact(capacity, 2);
    ByteBuffer to = ByteBuffer.allocateDirect(Math.multiplyExact(grown, SLOT_BYTES));
    int first = capacity - head;
    to.put(0, slots, head * SLOT_BYTES, first * SLOT_BYTES);
    to.put(first * SLOT_BYTES, slots, 0, head * SLOT_BYTES);
    infos = unwrap(infos, new ClientInfo[grown]);
    tags = unwrap(tags, new Object[grown]);
    free(slots);
    slots = to;
    capacity = grown;
    head = 0;
  }

  /** Copies the references of a full ring, oldest first, to the front of {@code to}. */
  private <T> T[] unwrap(T[] from, T[] to) {
    int first = capacity - head;
    System.arraycopy(from, head, to, 0, first);
    System.arraycopy(from, 0, to, first, head);
    return to;
  }

  /** Moves the data into a byte ring of at least {@code needed} bytes, the oldest first at 0. */
  private void growBytes(int needed) {
    int old = bytes.capacity();
    int grown = Math.max(old, INITIAL_BYTES);
    while (grown < needed) {
      grown = Math.multiplyExact(grown, 2);
    }
    ByteBuffer to = ByteBuffer.allocateDirect(grown);
    int first = Math.min(bytesUsed, old - bytesHead);
    to.put(0, bytes, bytesHead, first);
    to.put(first, bytes, 0, bytesUsed - first);
    for (int i = 0; i < size; i++) {
      int at = ((head + i) % capacity) * SLOT_BYTES + START;
      slots.putInt(at, Math.floorMod(slots.getInt(at) - bytesHead, old));
    }
    free(bytes);
    bytes = to;
    bytesHead = 0;
  }

  private static void free(ByteBuffer buffer) {
    if (buffer != NONE) {
      PlatformDependent.freeDirectBuffer(buffer);
    }
  }
}
