package io.fluxer.relay.engine.redis;

import io.fluxer.relay.engine.EngineException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.ProtocolVersion;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisReplicas;
import io.vertx.redis.client.RedisRole;
import io.vertx.redis.client.Response;
import io.vertx.redis.client.ResponseType;
import java.time.Duration;
import java.util.List;

/** What both Redis engines share: the client set-up, failure mapping and the per-operation deadline. */
final class RedisCalls {
  /** Requests one connection may have in flight before further ones fail. */
  private static final int MAX_IN_FLIGHT = 64 * 1024;
  /** Requests that may wait for a pooled connection before further ones fail. */
  private static final int MAX_POOL_WAITING = 4096;
  private static final Duration MAX_TTL = Duration.ofDays(365L * 100);
  private static final List<String> TEMPORARY_CODES = List.of("READONLY", "NOREPLICAS", "MASTERDOWN", "CLUSTERDOWN",
      "TRYAGAIN", "MOVED", "ASK", "LOADING", "BUSY", "OOM");

  private RedisCalls() {}

  /**
   * A pooled client for {@code options.topology()}; connecting fails after the command timeout, so a
   * dead host fails fast too. On Redis Cluster, each request goes to the master of its keys' slot
   * (following MOVED/ASK). With Sentinel, connections go to the master the sentinels name, and a
   * connection from {@link Redis#connect()} moves to the new master when Sentinel announces a
   * failover ({@code +switch-master}); the pool's next connections go there within the client's
   * topology cache time (1 s).
   */
  static Redis client(Vertx vertx, RedisEngineOptions options, int poolSize) {
    int connectTimeout = (int) Math.min(Integer.MAX_VALUE, options.commandTimeout().toMillis());
    RedisTopology topology = options.topology();
    RedisOptions redis = new RedisOptions();
    switch (topology.mode()) {
      case STANDALONE -> redis.setType(RedisClientType.STANDALONE).setConnectionString(options.url());
      case CLUSTER -> redis.setType(RedisClientType.CLUSTER).setEndpoints(topology.urls())
          // reads and writes both go to masters: history reads create a channel's meta
          .setUseReplicas(RedisReplicas.NEVER);
      case SENTINEL -> redis.setType(RedisClientType.SENTINEL).setEndpoints(topology.urls())
          .setMasterName(topology.masterName())
          .setRole(RedisRole.MASTER)
          .setAutoFailover(true);
      default -> throw new IllegalStateException("unknown mode " + topology.mode());
    }
    // Vert.x 5.0 follows +switch-master only when the sentinel's message arrives as a RESP3 push
    // (over RESP2 it is an array its failover handler ignores): Sentinel mode speaks RESP3. The
    // scripts' replies are the same in both.
    redis.setPreferredProtocolVersion(topology.mode() == RedisTopology.Mode.SENTINEL
        ? ProtocolVersion.RESP3 : ProtocolVersion.RESP2);
    if (topology.password() != null) {
      redis.setPassword(topology.password());
    }
    return Redis.createClient(vertx, redis
        .setMaxPoolSize(poolSize)
        .setMaxPoolWaiting(MAX_POOL_WAITING)
        .setMaxWaitingHandlers(MAX_IN_FLIGHT)
        .setNetClientOptions(new NetClientOptions()
            .setConnectTimeout(connectTimeout)
            .setTcpNoDelay(true)
            .setTcpKeepAlive(true)));
  }

  /**
   * A client of the one Redis node at {@code url}, whatever the topology: a Redis Cluster node the
   * pub/sub connections subscribe on, or read the slot map from. The cluster client would send
   * keyless commands (CLUSTER SLOTS) to any node and has no per-master pub/sub connection.
   */
  static Redis nodeClient(Vertx vertx, RedisEngineOptions options, String url) {
    int connectTimeout = (int) Math.min(Integer.MAX_VALUE, options.commandTimeout().toMillis());
    RedisOptions one = new RedisOptions().setType(RedisClientType.STANDALONE).setConnectionString(url)
        .setPreferredProtocolVersion(ProtocolVersion.RESP2).setMaxPoolSize(1)
        .setNetClientOptions(new NetClientOptions().setConnectTimeout(connectTimeout).setTcpNoDelay(true)
            .setTcpKeepAlive(true));
    if (options.topology().password() != null) {
      one.setPassword(options.topology().password());
    }
    return Redis.createClient(vertx, one);
  }

  /**
   * The engine error for a failed Redis call. Everything is temporary (connection refused or lost,
   * timeouts, a full queue, Redis loading or out of memory, a node that is no longer the master or
   * has no replica to write to, a cluster slot that is moving) except replies saying that the data
   * or the script is wrong, which a retry cannot mend. Since Redis 7, an error raised inside a script
   * keeps its code ({@code READONLY You can't write ... script: ..., on @user_script:17.}): the
   * code decides before the script location does.
   */
  static EngineException failure(String operation, Throwable e) {
    if (e instanceof EngineException engine) {
      return engine;
    }
    String message = String.valueOf(e.getMessage());
    boolean permanent = e instanceof Response reply && reply.type() == ResponseType.ERROR
        && !isTemporaryReply(message)
        && (message.startsWith("WRONGTYPE") || message.contains("user_script")
            || message.contains("Error running script"));
    return new EngineException("redis " + operation + " failed: " + message, !permanent, e);
  }

  /**
   * Whether an error reply says the node cannot serve the write now but another node or a later try
   * can: a demoted master ({@code READONLY}), too few replicas ({@code NOREPLICAS}), a replica cut
   * off from its master ({@code MASTERDOWN}), a cluster in reconfiguration ({@code CLUSTERDOWN},
   * {@code TRYAGAIN}, {@code MOVED}, {@code ASK}), loading, busy or out of memory.
   */
  static boolean isTemporaryReply(String message) {
    for (String code : TEMPORARY_CODES) {
      if (message.startsWith(code)) {
        return true;
      }
    }
    return false;
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
