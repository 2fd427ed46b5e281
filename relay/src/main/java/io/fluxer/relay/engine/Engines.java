package io.fluxer.relay.engine;

import io.fluxer.relay.config.EngineOptions;
import io.fluxer.relay.engine.memory.MemoryBroker;
import io.fluxer.relay.engine.memory.MemoryPresenceManager;
import io.fluxer.relay.engine.redis.RedisBroker;
import io.fluxer.relay.engine.redis.RedisEngineOptions;
import io.fluxer.relay.engine.redis.RedisPresenceManager;
import io.fluxer.relay.engine.redis.RedisTopology;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Objects;

/**
 * The broker and presence manager a node runs, chosen by the {@code engine} config section:
 * {@code Engines engines = Engines.create(vertx, config.engine());}. The caller still sets the
 * broker's event handler. Redis engines connect on first use, so creating them never blocks or fails
 * for an unreachable Redis.
 */
public record Engines(Broker broker, PresenceManager presence) {
  public Engines {
    Objects.requireNonNull(broker, "broker");
    Objects.requireNonNull(presence, "presence");
  }

  public static Engines create(Vertx vertx, EngineOptions options) {
    if (!options.redis()) {
      return new Engines(new MemoryBroker(), new MemoryPresenceManager());
    }
    RedisEngineOptions redis = redisOptions(options);
    return new Engines(RedisBroker.create(vertx, redis), RedisPresenceManager.create(vertx, redis));
  }

  /** The Redis engines' options for a config section; defaults for what the config does not set. */
  public static RedisEngineOptions redisOptions(EngineOptions options) {
    RedisTopology topology = switch (options.redisMode()) {
      case STANDALONE -> RedisTopology.standalone();
      case CLUSTER -> RedisTopology.cluster(options.redisClusterUrls());
      case SENTINEL -> RedisTopology.sentinel(options.redisSentinelUrls(), options.redisSentinelMaster());
    };
    return RedisEngineOptions.of(options.redisUrl())
        .withPrefix(options.redisPrefix())
        .withPresenceTtl(options.presenceTtl())
        .withTopology(topology.withPassword(options.redisPassword()));
  }

  /** Closes both engines. */
  public Future<Void> close() {
    return Future.join(broker.close(), presence.close()).mapEmpty();
  }
}
