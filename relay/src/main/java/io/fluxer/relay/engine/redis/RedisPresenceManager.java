package io.fluxer.relay.engine.redis;

import io.fluxer.relay.engine.PresenceManager;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.PresenceStats;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Response;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Cluster {@link PresenceManager}: presence in Redis, shared by every node.
 *
 * <p>Per channel, a hash maps client id → client info JSON and a sorted set maps client id → expiry
 * time. {@code addPresence} sets the entry's expiry to now + the presence TTL (Redis clock, so node
 * clocks do not matter); each node must call it again for its clients before the TTL runs out. Reads
 * first drop expired entries from both keys ({@code presence_read.lua}), so the clients of a node that
 * died vanish after the TTL because nobody refreshes them. Both keys also expire as a whole once their
 * last entry would have, so channels nobody touches again leave nothing behind.
 *
 * <p>Thread-safe; futures complete on any thread. When Redis is unreachable or does not answer within
 * the command timeout, they fail with a temporary {@link io.fluxer.relay.engine.EngineException}.
 */
public final class RedisPresenceManager implements PresenceManager {
  private static final RedisScript ADD = RedisScript.load("presence_add");
  private static final RedisScript REMOVE = RedisScript.load("presence_remove");
  private static final RedisScript READ = RedisScript.load("presence_read");
  private static final int POOL_SIZE = 6;

  private final Vertx vertx;
  private final Redis redis;
  private final RedisKeys keys;
  private final long timeoutMs;
  private final String ttlMs;

  private RedisPresenceManager(Vertx vertx, RedisEngineOptions options) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.redis = RedisCalls.client(vertx, options, POOL_SIZE);
    this.keys = new RedisKeys(options.prefix());
    this.timeoutMs = options.commandTimeout().toMillis();
    this.ttlMs = Long.toString(RedisCalls.ttlMillis(options.presenceTtl()));
  }

  /** A presence manager on Redis at {@code options.url()}; it connects on first use. */
  public static RedisPresenceManager create(Vertx vertx, RedisEngineOptions options) {
    return new RedisPresenceManager(vertx, Objects.requireNonNull(options, "options"));
  }

  @Override
  public Future<Map<String, ClientInfo>> presence(String channel) {
    Objects.requireNonNull(channel, "channel");
    return call("presence", READ, channel, List.of("all")).map(reply -> {
      Map<String, ClientInfo> clients = new HashMap<>();
      if (reply != null) {
        for (int i = 0; i + 1 < reply.size(); i += 2) {
          clients.put(reply.get(i).toString(), RedisCodec.decodeInfo(reply.get(i + 1).toString()));
        }
      }
      return Map.copyOf(clients);
    });
  }

  @Override
  public Future<PresenceStats> presenceStats(String channel) {
    Objects.requireNonNull(channel, "channel");
    return call("presence stats", READ, channel, List.of("stats"))
        .map(reply -> new PresenceStats(reply.get(0).toInteger(), reply.get(1).toInteger()));
  }

  @Override
  public Future<Void> addPresence(String channel, String clientId, ClientInfo info) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(info, "info");
    return call("add presence", ADD, channel, List.of(ttlMs, clientId, RedisCodec.encodeInfo(info))).mapEmpty();
  }

  @Override
  public Future<Void> removePresence(String channel, String clientId, String userId) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(clientId, "clientId");
    return call("remove presence", REMOVE, channel, List.of(clientId)).mapEmpty();
  }

  /** Closes the connection pool; operations afterwards fail. */
  @Override
  public Future<Void> close() {
    return redis.close();
  }

  private Future<Response> call(String operation, RedisScript script, String channel, List<String> args) {
    Future<Response> reply = script.run(redis::send, List.of(keys.presence(channel), keys.presenceExpiry(channel)),
        args);
    return RedisCalls.bounded(vertx, timeoutMs, operation, RedisCalls.mapped(operation, reply));
  }
}
