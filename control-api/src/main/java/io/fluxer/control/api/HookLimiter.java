package io.fluxer.control.api;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Counts refused webhook calls per stack in fixed windows: once a stack's hook was refused
 * {@code maxRefusals} times in a window, {@link #retryAfter} says how many seconds remain and the
 * hook answers 429 without reading the database, decrypting or auditing. Memory is bounded: at most
 * {@value #MAX_STACKS} stacks are tracked (a caller may name stacks that do not exist); past that,
 * windows that ended are dropped, and if every one is still open the new names share one window.
 * The three hook operations may be served on different event loops, hence the lock (held for a map
 * lookup).
 */
final class HookLimiter {
  static final int MAX_STACKS = 10_000;
  private static final String OVERFLOW = "";

  private final int maxRefusals;
  private final long windowMillis;
  private final LongSupplier clock;
  private final Map<String, Window> windows = new HashMap<>();

  private static final class Window {
    final long start;
    int refusals;

    Window(long start) {
      this.start = start;
    }
  }

  HookLimiter(int maxRefusals, Duration window) {
    this(maxRefusals, window, System::currentTimeMillis);
  }

  HookLimiter(int maxRefusals, Duration window, LongSupplier clock) {
    this.maxRefusals = maxRefusals;
    this.windowMillis = window.toMillis();
    this.clock = clock;
  }

  /** Seconds until {@code stack}'s hook may be tried again (at least 1), or 0 when it may now. */
  synchronized long retryAfter(String stack) {
    long now = clock.getAsLong();
    Window w = windows.get(key(stack));
    if (w == null || now - w.start >= windowMillis || w.refusals < maxRefusals) {
      return 0;
    }
    return Math.max(1, (w.start + windowMillis - now + 999) / 1000);
  }

  /** Counts one refused call of {@code stack}'s hook. */
  synchronized void refused(String stack) {
    long now = clock.getAsLong();
    String key = key(stack);
    if (!windows.containsKey(key) && windows.size() >= MAX_STACKS) {
      windows.values().removeIf(w -> now - w.start >= windowMillis);
      if (windows.size() >= MAX_STACKS) {
        key = OVERFLOW;
      }
    }
    Window w = windows.get(key);
    if (w == null || now - w.start >= windowMillis) {
      w = new Window(now);
      windows.put(key, w);
    }
    w.refusals++;
  }

  private String key(String stack) {
    String key = stack == null ? OVERFLOW : stack;
    return windows.containsKey(key) || windows.size() < MAX_STACKS ? key : OVERFLOW;
  }
}
