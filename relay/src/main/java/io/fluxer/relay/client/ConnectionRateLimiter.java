package io.fluxer.relay.client;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per client address for new WebSocket connections, shared by every server verticle
 * instance of the node. Buckets that have refilled are dropped once there are many addresses, so
 * memory stays bounded by the addresses active in the last {@code burst / rate} seconds.
 */
final class ConnectionRateLimiter implements Shareable {
  private static final String MAP = "fluxer.client.connection-rate";
  private static final int SWEEP_ABOVE = 10_000;

  private final int rate;
  private final int burst;
  private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();

  private ConnectionRateLimiter(int rate, int burst) {
    this.rate = rate;
    this.burst = burst;
  }

  /**
   * The node's limiter, created by the first verticle instance that asks (one per setting, so a node
   * restarted in the same Vert.x instance with other settings gets its own).
   */
  static ConnectionRateLimiter of(Vertx vertx, int rate, int burst) {
    LocalMap<String, ConnectionRateLimiter> map = vertx.sharedData().getLocalMap(MAP);
    ConnectionRateLimiter fresh = new ConnectionRateLimiter(rate, burst);
    ConnectionRateLimiter existing = map.putIfAbsent(rate + "/" + burst, fresh);
    return existing != null ? existing : fresh;
  }

  /** Whether {@code address} may open one more connection now; always true when the rate is 0. */
  boolean tryAcquire(String address) {
    if (rate == 0) {
      return true;
    }
    long now = System.nanoTime();
    if (buckets.size() > SWEEP_ABOVE) {
      buckets.values().removeIf(b -> b.idleSince(now) > (long) burst * 1_000_000_000L / rate);
    }
    TokenBucket b = buckets.computeIfAbsent(address, a -> new TokenBucket(rate, burst, now));
    return b.tryTake(now);
  }
}
