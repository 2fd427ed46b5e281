package io.fluxer.relay.engine.redis;

import io.fluxer.relay.engine.EngineException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.time.Duration;

/** What both Redis engines share: the client set-up, failure mapping and the per-operation deadline. */
final class RedisCalls {
  /** Requests one connection may have in flight before further ones fail. */
  private static final int MAX_IN_FLIGHT = 64 * 1024;
  /** Requests that may wait for a pooled connection before further ones fail. */
  private static final int MAX_POOL_WAITING = 4096;
  private static final Duration MAX_TTL = Duration.ofDays(365L * 100);

  private RedisCalls() {}

  /** A pooled client; connecting fails after the command timeout, so a dead host fails fast too. */
  static Redis client(Vertx vertx, RedisEngineOptions options, int poolSize) {
    int connectTimeout = (int) Math.min(Integer.MAX_VALUE, options.commandTimeout().toMillis());
    return Redis.createClient(vertx, new RedisOptions()
        .setConnectionString(options.url())
        .setPreferredProtocolVersion(ProtocolVersion.RESP2)
        .setMaxPoolSize(poolSize)
        .setMaxPoolWaiting(MAX_POOL_WAITING)
        .setMaxWaitingHandlers(MAX_IN_FLIGHT)
        .setNetClientOptions(new NetClientOptions()
            .setConnectTimeout(connectTimeout)
            .setTcpNoDelay(true)
            .setTcpKeepAlive(true)));
  }

  /**
   * The engine error for a failed Redis call. Everything is temporary (connection refused or lost,
   * timeouts, a full queue, Redis loading or out of memory) except replies saying that the data or
   * the script is wrong, which a retry cannot mend.
   */
  static EngineException failure(String operation, Throwable e) {
    if (e instanceof EngineException engine) {
      return engine;
    }
    String message = String.valueOf(e.getMessage());
    boolean permanent = e instanceof Response reply && reply.type() == ResponseType.ERROR
        && (message.startsWith("WRONGTYPE") || message.contains("user_script")
            || message.contains("Error running script"));
    return new EngineException("redis " + operation + " failed: " + message, !permanent, e);
  }

  /** {@code future} with a Redis failure turned into an {@link EngineException} ({@link #failure}). */
  static <T> Future<T> mapped(String operation, Future<T> future) {
    return future.recover(e -> Future.failedFuture(failure(operation, e)));
  }

  /**
   * {@code future}, or a temporary {@link EngineException} when it has not completed within
   * {@code timeoutMs}. Its own failures pass through unchanged.
   */
  static <T> Future<T> bounded(Vertx vertx, long timeoutMs, String operation, Future<T> future) {
    Promise<T> result = Promise.promise();
    long timer = vertx.setTimer(timeoutMs, id -> result.tryFail(
        new EngineException("redis " + operation + " failed: no answer within " + timeoutMs + "ms", true)));
    future.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        result.tryComplete(ar.result());
      } else {
        result.tryFail(ar.cause());
      }
    });
    return result.future();
  }

  /** A duration in ms for PEXPIRE / PX: at least 1 (0 would delete the key), capped far from overflow. */
  static long ttlMillis(Duration d) {
    if (d.compareTo(MAX_TTL) > 0) {
      return MAX_TTL.toMillis();
    }
    return Math.max(1, d.toMillis());
  }
}
