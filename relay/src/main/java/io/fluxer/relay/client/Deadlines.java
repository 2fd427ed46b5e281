package io.fluxer.relay.client;

import java.util.Arrays;

/**
 * Deadlines of one event loop's sessions (their connection expiry), fired by the loop's tick every
 * {@link PingWheel#TICK_MILLIS} ms: a binary heap ordered by deadline, each entry knowing its place
 * so that it can leave or move in O(log n).
 *
 * <p>Why not a Vert.x timer per session: each costs about 200 bytes for as long as the session
 * lives (the timer handler, Netty's scheduled task, the timer map's node and key, the closure),
 * and a connection token with an expiry keeps one for the whole connection. An entry here is the
 * session's own object of 32 bytes. A deadline fires within one tick after it is due.
 *
 * <p>Confined to the loop: no locks.
 */
final class Deadlines {
  /** A deadline; subclass it with what to do when it is due. One entry is in one {@link Deadlines} at most. */
  abstract static class Entry {
    private long at;
    /** Place in the heap, or -1 when not scheduled. */
    private int index = -1;

    /** The deadline is due; the entry is no longer scheduled (it may schedule itself again). */
    protected abstract void fire();

    boolean scheduled() {
      return index >= 0;
    }
  }

  private Entry[] heap = new Entry[16];
  private int size;

  /** Schedules {@code e} for {@code atMillis} (on the {@link #nowMillis} clock), or moves it there. */
  void schedule(Entry e, long atMillis) {
    if (e.scheduled()) {
      remove(e);
    }
    if (size == heap.length) {
      heap = Arrays.copyOf(heap, size * 2);
    }
    e.at = atMillis;
    e.index = size;
    heap[size++] = e;
    up(e.index);
  }

  /** Unschedules {@code e}; nothing when it is {@code null} or not scheduled. */
  void remove(Entry e) {
    if (e == null || !e.scheduled()) {
      return;
    }
    int i = e.index;
    e.index = -1;
    Entry last = heap[--size];
    heap[size] = null;
    if (last != e) {
      heap[i] = last;
      last.index = i;
      up(i);
      down(last.index);
    }
  }

  /** Fires, in deadline order, the entries due at {@code nowMillis}. */
  void fireDue(long nowMillis) {
    while (size > 0 && heap[0].at - nowMillis <= 0) {
      Entry e = heap[0];
      remove(e);
      e.fire();
    }
  }

  int size() {
    return size;
  }

  /** The clock of the deadlines: monotonic milliseconds. */
  static long nowMillis() {
    return System.nanoTime() / 1_000_000;
  }

  private void up(int i) {
    Entry e = heap[i];
    while (i > 0) {
      int parent = (i - 1) >>> 1;
      Entry p = heap[parent];
      if (p.at - e.at <= 0) {
        break;
      }
      heap[i] = p;
      p.index = i;
      i = parent;
    }
    heap[i] = e;
    e.index = i;
  }

  private void down(int i) {
    Entry e = heap[i];
    int half = size >>> 1;
    while (i < half) {
      int child = 2 * i + 1;
      int right = child + 1;
      if (right < size && heap[right].at - heap[child].at < 0) {
        child = right;
      }
      if (e.at - heap[child].at <= 0) {
        break;
      }
      heap[i] = heap[child];
      heap[i].index = i;
      i = child;
    }
    heap[i] = e;
    e.index = i;
  }
}
