package io.fluxer.relay.http;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts failed logins per key (a client address, or an account name) in a sliding window: after
 * {@code maxFailures} within the window, further attempts for that key are refused until the oldest
 * failure leaves it. Refused attempts are not counted, so a key is never refused for longer than one
 * window after its last counted failure.
 *
 * <p>Thread-safe (the relay's server instances share one). Per node: in a cluster each node counts
 * its own, so an address may try {@code maxFailures} times per node. Memory is bounded: past
 * {@value #MAX_ADDRESSES} addresses, those without a failure inside the window are dropped first,
 * then, under a flood of addresses, the table is cleared rather than grown.
 */
final class LoginThrottle {
  static final int MAX_ADDRESSES = 10_000;

  private final int maxFailures;
  private final long windowMillis;
  private final Map<String, ArrayDeque<Long>> failures = new ConcurrentHashMap<>();

  LoginThrottle(int maxFailures, long windowMillis) {
    if (maxFailures < 1 || windowMillis < 1) {
      throw new IllegalArgumentException("maxFailures and windowMillis must be >= 1");
    }
    this.maxFailures = maxFailures;
    this.windowMillis = windowMillis;
  }

  /** Milliseconds until {@code address} may try again, 0 when it may now. */
  long retryAfterMillis(String address, long now) {
    ArrayDeque<Long> times = failures.get(address);
    if (times == null) {
      return 0;
    }
    synchronized (times) {
      drop(times, now);
      return times.size() < maxFailures ? 0 : times.peekFirst() + windowMillis - now;
    }
  }

  /**
   * Check and count in one step, so parallel attempts cannot all pass the check before any of them
   * is counted: when {@code key} may try now, counts this attempt as a failure (a success later
   * forgets it, {@link #succeeded}) and answers 0; otherwise answers the wait and counts nothing.
   */
  long acquire(String key, long now) {
    ArrayDeque<Long> times = timesOf(key, now);
    synchronized (times) {
      drop(times, now);
      if (times.size() >= maxFailures) {
        return times.peekFirst() + windowMillis - now;
      }
      times.addLast(now);
      return 0;
    }
  }

  /** Takes back an attempt {@link #acquire} counted at {@code now} (it was refused for another reason). */
  void release(String key, long now) {
    ArrayDeque<Long> times = failures.get(key);
    if (times != null) {
      synchronized (times) {
        times.removeLastOccurrence(now);
      }
    }
  }

  /** Records a failed attempt from {@code address}. */
  void failed(String address, long now) {
    ArrayDeque<Long> times = timesOf(address, now);
    synchronized (times) {
      drop(times, now);
      times.addLast(now);
      while (times.size() > maxFailures) {
        times.removeFirst();
      }
    }
  }

  /** The failure times of {@code key}, made when new (purging the table first when it is full). */
  private ArrayDeque<Long> timesOf(String key, long now) {
    if (failures.size() >= MAX_ADDRESSES && !failures.containsKey(key)) {
      purge(now);
    }
    return failures.computeIfAbsent(key, k -> new ArrayDeque<>());
  }

  /** Forgets the failures of {@code address} after it logged in. */
  void succeeded(String address) {
    failures.remove(address);
  }

  int addresses() {
    return failures.size();
  }

  private void drop(ArrayDeque<Long> times, long now) {
    while (!times.isEmpty() && times.peekFirst() + windowMillis <= now) {
      times.removeFirst();
    }
  }

  private void purge(long now) {
    Iterator<ArrayDeque<Long>> it = failures.values().iterator();
    while (it.hasNext()) {
      ArrayDeque<Long> times = it.next();
      synchronized (times) {
        drop(times, now);
        if (times.isEmpty()) {
          it.remove();
        }
      }
    }
    if (failures.size() >= MAX_ADDRESSES) {
      failures.clear();
    }
  }
}
