package io.fluxer.relay.engines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxer.relay.config.EngineOptions;
import io.fluxer.relay.engine.memory.MemoryBroker;
import io.fluxer.relay.engine.memory.MemoryPresenceManager;
import io.fluxer.relay.engine.redis.RedisBroker;
import io.fluxer.relay.engine.redis.RedisEngineOptions;
import io.fluxer.relay.engine.redis.RedisPresenceManager;
import io.fluxer.relay.engine.redis.RedisTopology;
import io.fluxer.relay.engine.redis.ShardedBroker;
import io.fluxer.relay.engine.redis.ShardedPresenceManager;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The engine factory picks the implementations the config names, without touching Redis. */
class EnginesTest {
  private Vertx vertx;

  @BeforeEach
  void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stopVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void memoryByDefault() throws Exception {
    Engines engines = Engines.create(vertx, EngineOptions.defaults());

    assertThat(engines.broker()).isInstanceOf(MemoryBroker.class);
    assertThat(engines.presence()).isInstanceOf(MemoryPresenceManager.class);
    engines.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void redisEnginesAreCreatedWithoutConnecting() throws Exception {
    // nothing listens on port 1: creating and closing must still work, as Redis is reached on first use
    EngineOptions options = new EngineOptions(EngineOptions.Type.REDIS, "redis://127.0.0.1:1", "relay-x",
        Duration.ofSeconds(30));

    Engines engines = Engines.create(vertx, options);

    assertThat(engines.broker()).isInstanceOf(RedisBroker.class);
    assertThat(engines.presence()).isInstanceOf(RedisPresenceManager.class);
    engines.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void redisOptionsComeFromTheConfig() {
    EngineOptions options = new EngineOptions(EngineOptions.Type.REDIS, "redis://cache:6380", "relay-x",
        Duration.ofSeconds(30));

    assertThat(Engines.redisOptions(options)).isEqualTo(RedisEngineOptions.of("redis://cache:6380")
        .withPrefix("relay-x").withPresenceTtl(Duration.ofSeconds(30)));
  }

  @Test
  void clusterAndSentinelModesComeFromTheConfig() {
    EngineOptions cluster = new EngineOptions(EngineOptions.Type.REDIS, EngineOptions.DEFAULT_REDIS_URL, "relay-x",
        Duration.ofSeconds(30), EngineOptions.RedisMode.CLUSTER, List.of("redis://a:7000", "redis://b:7001"), List.of(),
        null, null);
    EngineOptions sentinel = new EngineOptions(EngineOptions.Type.REDIS, EngineOptions.DEFAULT_REDIS_URL, "relay-x",
        Duration.ofSeconds(30), EngineOptions.RedisMode.SENTINEL, List.of(), List.of("redis://s:26379"), "main", "pw");

    assertThat(Engines.redisOptions(cluster).topology())
        .isEqualTo(RedisTopology.cluster(List.of("redis://a:7000", "redis://b:7001")));
    assertThat(Engines.redisOptions(sentinel).topology())
        .isEqualTo(RedisTopology.sentinel(List.of("redis://s:26379"), "main").withPassword("pw"));
    assertThat(Engines.redisOptions(sentinel).prefix()).isEqualTo("relay-x");
  }

  @Test
  void shardedModeMakesOneStandaloneRedisPerShardInOrder() throws Exception {
    // nothing listens on ports 1 and 2: created without connecting, as in the other modes
    EngineOptions sharded = new EngineOptions(EngineOptions.Type.REDIS, EngineOptions.DEFAULT_REDIS_URL, "relay-x",
        Duration.ofSeconds(30), EngineOptions.RedisMode.SHARDED, List.of(), List.of(), null, "pw",
        List.of("redis://127.0.0.1:2", "redis://:own@127.0.0.1:1"));

    assertThat(Engines.shardOptions(sharded)).containsExactly(
        RedisEngineOptions.of("redis://127.0.0.1:2").withPrefix("relay-x").withPresenceTtl(Duration.ofSeconds(30))
            .withTopology(RedisTopology.standalone().withPassword("pw")),
        RedisEngineOptions.of("redis://:own@127.0.0.1:1").withPrefix("relay-x").withPresenceTtl(Duration.ofSeconds(30))
            .withTopology(RedisTopology.standalone().withPassword("pw")));
    assertThatThrownBy(() -> Engines.redisOptions(sharded)).isInstanceOf(IllegalArgumentException.class);
    Engines engines = Engines.create(vertx, sharded);
    assertThat(engines.broker()).isInstanceOf(ShardedBroker.class);
    assertThat(((ShardedBroker) engines.broker()).shards()).hasSize(2).allMatch(b -> b instanceof RedisBroker);
    assertThat(engines.presence()).isInstanceOf(ShardedPresenceManager.class);
    engines.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
