package io.fluxer.relay.engines;

import io.fluxer.relay.config.EngineOptions;
import io.fluxer.relay.engine.Broker;
import io.fluxer.relay.engine.PresenceManager;
import io.fluxer.relay.engine.memory.MemoryBroker;
import io.fluxer.relay.engine.memory.MemoryPresenceManager;
import io.fluxer.relay.engine.redis.RedisBroker;
import io.fluxer.relay.engine.redis.RedisEngineOptions;
import io.fluxer.relay.engine.redis.RedisPresenceManager;
import io.fluxer.relay.engine.redis.RedisTopology;
import io.fluxer.relay.engine.redis.ShardedBroker;
import io.fluxer.relay.engine.redis.ShardedPresenceManager;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;
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
    if (options.redisMode() == EngineOptions.RedisMode.SHARDED) {
      List<RedisEngineOptions> shards = shardOptions(options);
      return new Engines(ShardedBroker.create(vertx, shards), ShardedPresenceManager.create(vertx, shards));
    }
    RedisEngineOptions redis = redisOptions(options);
    return new Engines(RedisBroker.create(vertx, redis), RedisPresenceManager.create(vertx, redis));
  }

  /**
   * The Redis engines' options for a config section; defaults for what the config does not set. In
   * sharded mode, see {@link #shardOptions}.
   */
  public static RedisEngineOptions redisOptions(EngineOptions options) {
    RedisTopology topology = switch (options.redisMode()) {
      case STANDALONE -> RedisTopology.standalone();
      case CLUSTER -> RedisTopology.cluster(options.redisClusterUrls());
      case SENTINEL -> RedisTopology.sentinel(options.redisSentinelUrls(), options.redisSentinelMaster());
      case SHARDED -> throw new IllegalArgumentException("sharded mode has one set of options per shard: "
          + "use shardOptions");
    };
    return standaloneAt(options, options.redisUrl()).withTopology(topology.withPassword(options.redisPassword()));
  }

  /**
   * Sharded mode: one standalone Redis per shard URL, in the config's order (which decides where
   * each channel lives), all with the same prefix, presence TTL and password.
   */
  public static List<RedisEngineOptions> shardOptions(EngineOptions options) {
    if (options.redisMode() != EngineOptions.RedisMode.SHARDED) {
      throw new IllegalArgumentException("not sharded mode: " + options.redisMode());
    }
    RedisTopology topology = RedisTopology.standalone().withPassword(options.redisPassword());
    return options.redisShardUrls().stream().map(url -> standaloneAt(options, url).withTopology(topology)).toList();
  }

  private static RedisEngineOptions standaloneAt(EngineOptions options, String url) {
    return RedisEngineOptions.of(url).withPrefix(options.redisPrefix()).withPresenceTtl(options.presenceTtl());
  }

  /** Closes both engines. */
  public Future<Void> close() {
    return Future.join(broker.close(), presence.close()).mapEmpty();
  }
}
