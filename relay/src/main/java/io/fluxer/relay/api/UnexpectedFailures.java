package io.fluxer.relay.api;

import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Logs failures a client must not see the details of (bugs, a store's own error text): the client
 * gets a fixed text, the log gets the cause at WARNING, with its stack trace, at most once per
 * interval, saying how many were left out since; so a client repeating a request that fails cannot
 * flood the log. Thread-safe.
 */
public final class UnexpectedFailures {
  private final Logger log;
  private final String what;
  private final long intervalNanos;
  private final AtomicLong nextAt = new AtomicLong(System.nanoTime());
  private final AtomicLong skipped = new AtomicLong();

  public UnexpectedFailures(Logger log, String what, long intervalMillis) {
    this.log = log;
    this.what = what;
    this.intervalNanos = intervalMillis * 1_000_000L;
  }

  /** Logs {@code e} unless one was logged less than the interval ago; returns whether it logged. */
  public boolean log(Throwable e) {
    long now = System.nanoTime();
    long due = nextAt.get();
    if (now - due < 0 || !nextAt.compareAndSet(due, now + intervalNanos)) {
      skipped.incrementAndGet();
      return false;
    }
    long left = skipped.getAndSet(0);
    log.log(Level.WARNING, what + (left > 0 ? " (" + left + " more since the last one not logged)" : ""), e);
    return true;
  }
}
