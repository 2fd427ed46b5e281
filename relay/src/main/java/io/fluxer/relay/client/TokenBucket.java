package io.fluxer.relay.client;

/**
 * A token bucket: holds at most {@code burst} tokens and gains {@code ratePerSecond} a second.
 * A session uses its buckets from its event loop only; shared buckets are used under their lock.
 */
final class TokenBucket {
  private final double ratePerNano;
  private final double burst;
  private double tokens;
  private long last;

  TokenBucket(double ratePerSecond, double burst, long nowNanos) {
    this.ratePerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.last = nowNanos;
  }

  /** Nanoseconds since the bucket was last used. */
  synchronized long idleSince(long nowNanos) {
    return nowNanos - last;
  }

  /** Takes one token if there is one. */
  synchronized boolean tryTake(long nowNanos) {
    long elapsed = nowNanos - last;
    if (elapsed > 0) {
      tokens = Math.min(burst, tokens + elapsed * ratePerNano);
      last = nowNanos;
    }
    if (tokens >= 1) {
      tokens -= 1;
      return true;
    }
    return false;
  }
}
