package io.fluxer.relay.engine;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Logs failures without flooding the log: temporary engine failures (Redis down) are logged at most
 * once per interval, with how many were left out since; other failures (bugs, bad data) are always
 * logged, or also once per interval with {@link #logThrottled}. Thread-safe.
 */
public final class FailureLog {
  private final Logger log;
  private final String what;
  private final long intervalNanos;
  private final LongSupplier nanoClock;
  private final AtomicLong nextAt;
  private final AtomicLong skipped = new AtomicLong();

  public FailureLog(Logger log, String what, long intervalMillis) {
    this(log, what, intervalMillis, System::nanoTime);
  }

  FailureLog(Logger log, String what, long intervalMillis, LongSupplier nanoClock) {
    this.log = log;
    this.what = what;
    this.intervalNanos = intervalMillis * 1_000_000L;
    this.nanoClock = nanoClock;
    this.nextAt = new AtomicLong(nanoClock.getAsLong());
  }

  /** Whether {@code e} is an engine failure that retrying may cure. */
  public static boolean temporary(Throwable e) {
    return e instanceof EngineException ee && ee.temporary();
  }

  /** Logs {@code e}: always when it is not temporary, else once per interval. Returns whether it logged. */
  public boolean log(Throwable e) {
    if (!temporary(e)) {
      log.log(Level.WARNING, what, e);
      return true;
    }
    return throttled(what + ": " + e.getMessage(), null);
  }

  /**
   * Logs {@code e} with its stack trace at most once per interval, whatever it is: for failures a
   * client must not see the details of (bugs, a store's own error text), so a client repeating a
   * request that fails cannot flood the log. Returns whether it logged.
   */
  public boolean logThrottled(Throwable e) {
    return throttled(what, e);
  }

  /** Logs {@code what: detail}, without a stack trace, at most once per interval. Returns whether it logged. */
  public boolean logThrottled(String detail) {
    return throttled(what + ": " + detail, null);
  }

  private boolean throttled(String message, Throwable e) {
    long now = nanoClock.getAsLong();
    long due = nextAt.get();
    if (now - due < 0 || !nextAt.compareAndSet(due, now + intervalNanos)) {
      skipped.incrementAndGet();
      return false;
    }
    long left = skipped.getAndSet(0);
    log.log(Level.WARNING, message + (left > 0 ? " (" + left + " more such failures not logged)" : ""), e);
    return true;
  }
}
