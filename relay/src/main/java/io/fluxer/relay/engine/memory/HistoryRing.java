package io.fluxer.relay.engine.memory;

import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.Publication;
import io.netty.util.internal.PlatformDependent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * One channel's history, oldest first: a queue of publications kept outside the Java heap, in two
 * direct buffers that grow by doubling, with the publisher infos and tag maps they refer to in a
 * small table of distinct objects.
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
 * (docs/benchmarks.md, "History outside the heap and the launcher's tenuring"). A direct buffer is
 * one small object on the heap whatever its size, so a collection copies none of a history's bytes.
 * Even two reference arrays per ring (info and tags per slot, 1 KB at 128 slots) were most of what
 * the young collections still copied, so a slot holds the index of its info and tags in
 * {@link #shared}: the distinct objects the kept publications point at (a publisher's
 * {@link ClientInfo} is one object per subscription), with a count of uses each, which grows only
 * when a new publisher or tag map comes.
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
  /**
   * Per slot: offset (long), expiry (long), start of the data in {@link #bytes} (int), its length
   * (int), the index of its info and of its tags in {@link #shared} (int each, -1 for none).
   */
  private static final int SLOT_BYTES = 32;
  private static final int OFFSET = 0;
  private static final int EXPIRY = 8;
  private static final int START = 16;
  private static final int LENGTH = 20;
  private static final int INFO = 24;
  private static final int TAGS = 28;
  /** Up to this many distinct objects {@link #shared} is searched in order; beyond, through {@link #index}. */
  private static final int SCAN = 8;

  private static final ByteBuffer NONE = ByteBuffer.allocateDirect(0);
  private static final Object[] NO_OBJECTS = new Object[0];
  private static final int[] NO_INTS = new int[0];

  private ByteBuffer slots = NONE;
  private int capacity;
  /** Slot of the oldest publication. */
  private int head;
  private int size;

  private ByteBuffer bytes = NONE;
  /** Index in {@link #bytes} where the oldest publication's data starts. */
  private int bytesHead;
  private int bytesUsed;

  /** The distinct infos and tag maps kept publications refer to; {@code null} where free. */
  private Object[] shared = NO_OBJECTS;
  /** How many kept publications refer to each entry of {@link #shared}. */
  private int[] uses = NO_INTS;
  /** Entries of {@link #shared} ever used: [0, sharedEnd). */
  private int sharedEnd;
  /** Free entries below {@link #sharedEnd}, a stack. */
  private int[] free = NO_INTS;
  private int freeTop;
  /** The entry found or made last: consecutive publications mostly share their publisher. */
  private int lastShared = -1;
  /** Entry of each object in {@link #shared} by identity, once there were more than {@value #SCAN}. */
  private IdentityHashMap<Object, Integer> index;

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
    slots.putInt(at + INFO, share(publication.info()));
    slots.putInt(at + TAGS, share(publication.tags()));
    size++;
  }

  /** Drops the oldest publication. */
  void removeFirst() {
    if (size == 0) {
      throw new IllegalStateException("empty");
    }
    int at = head * SLOT_BYTES;
    int length = slots.getInt(at + LENGTH);
    bytesHead = (bytesHead + length) % bytes.capacity();
    bytesUsed -= length;
    unshare(slots.getInt(at + INFO));
    unshare(slots.getInt(at + TAGS));
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
    shared = NO_OBJECTS;
    uses = NO_INTS;
    free = NO_INTS;
    sharedEnd = 0;
    freeTop = 0;
    lastShared = -1;
    index = null;
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
    return new Publication(slots.getLong(at + OFFSET), new String(data, StandardCharsets.UTF_8),
        (ClientInfo) shared(slots.getInt(at + INFO)), (Map<String, String>) shared(slots.getInt(at + TAGS)));
  }

  private Object shared(int entry) {
    return entry < 0 ? null : shared[entry];
  }

  /** The entry of {@code o} in {@link #shared}, made if new, with one more use; -1 for {@code null}. */
  private int share(Object o) {
    if (o == null) {
      return -1;
    }
    int entry = find(o);
    if (entry < 0) {
      entry = freeTop > 0 ? free[--freeTop] : newEntry();
      shared[entry] = o;
      if (index != null) {
        index.put(o, entry);
      } else if (sharedEnd > SCAN) {
        index = new IdentityHashMap<>();
        for (int i = 0; i < sharedEnd; i++) {
          if (shared[i] != null) {
            index.put(shared[i], i);
          }
        }
      }
    }
    uses[entry]++;
    lastShared = entry;
    return entry;
  }

  private int find(Object o) {
    if (lastShared >= 0 && shared[lastShared] == o) {
      return lastShared;
    }
    if (index != null) {
      Integer entry = index.get(o);
      return entry == null ? -1 : entry;
    }
    for (int i = 0; i < sharedEnd; i++) {
      if (shared[i] == o) {
        return i;
      }
    }
    return -1;
  }

  private int newEntry() {
    if (sharedEnd == shared.length) {
      int grown = Math.max(4, shared.length * 2);
      shared = Arrays.copyOf(shared, grown);
      uses = Arrays.copyOf(uses, grown);
      free = Arrays.copyOf(free, grown);
    }
    return sharedEnd++;
  }

  /** One use less of an entry; frees it at none. */
  private void unshare(int entry) {
    if (entry >= 0 && --uses[entry] == 0) {
      if (index != null) {
        index.remove(shared[entry]);
      }
      shared[entry] = null;
      free[freeTop++] = entry;
    }
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
    free(slots);
    slots = to;
    capacity = grown;
    head = 0;
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
