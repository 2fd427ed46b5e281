package io.fluxer.relay.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.engine.EngineException;
import io.fluxer.relay.engine.PresenceContractTest;
import io.fluxer.relay.engine.PresenceManager;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.testing.RedisTestShards;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The presence contract against channels sharded over three standalone Redis servers. */
class ShardedPresenceManagerTest extends PresenceContractTest {
  private static Vertx vertx;
  private String keyPrefix;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Override
  protected PresenceManager createPresenceManager() {
    keyPrefix = "fluxer-test-" + UUID.randomUUID().toString().substring(0, 8);
    List<RedisEngineOptions> shards = RedisTestShards.shared().urls().stream()
        .map(u -> RedisEngineOptions.of(u).withPrefix(keyPrefix)).toList();
    return ShardedPresenceManager.create(vertx, shards);
  }

  @Test
  @DisplayName("presence of channels on each of the three shards: keys land on every shard, each channel's on its shard alone")
  void keysOnTheirShardOnly() {
    RedisTestShards redis = RedisTestShards.shared();
    Map<Integer, String> byShard = new TreeMap<>();
    for (int i = 0; byShard.size() < 3; i++) {
      String ch = channel("spread-" + i);
      byShard.putIfAbsent(ChannelShards.shardOf(ch, 3), ch);
    }
    ClientInfo info = new ClientInfo("u1", "c1", null, null);
    for (String ch : byShard.values()) {
      await(presence.addPresence(ch, info.client(), info));
    }

    byShard.forEach((shard, ch) -> {
      List<Long> counts = redis.keyCounts(keyPrefix + "*{" + ch + "}*");
      for (int i = 0; i < counts.size(); i++) {
        assertThat(counts.get(i)).as("keys of %s on shard %d", ch, i).isEqualTo(i == shard ? 2L : 0L);
      }
      assertThat(await(presence.presence(ch))).containsOnlyKeys("c1");
    });
  }

  @Test
  @DisplayName("one shard down: its channels' presence fails with a temporary engine error, the other shard's works")
  void oneShardDown() {
    try (RedisTestShards two = RedisTestShards.start(2)) {
      Map<Integer, String> byShard = new TreeMap<>();
      for (int i = 0; byShard.size() < 2; i++) {
        String ch = channel("down-" + i);
        byShard.putIfAbsent(ChannelShards.shardOf(ch, 2), ch);
      }
      PresenceManager sharded = ShardedPresenceManager.create(vertx, two.urls().stream()
          .map(u -> RedisEngineOptions.of(u).withPrefix(keyPrefix).withCommandTimeout(Duration.ofSeconds(2))).toList());
      try {
        ClientInfo info = new ClientInfo("u1", "c1", null, null);
        two.kill(1);

        Throwable failure = awaitFailure(sharded.addPresence(byShard.get(1), info.client(), info));
        assertThat(failure).isInstanceOf(EngineException.class);
        assertThat(((EngineException) failure).temporary()).as("temporary: " + failure).isTrue();
        await(sharded.addPresence(byShard.get(0), info.client(), info));
        assertThat(await(sharded.presence(byShard.get(0)))).containsOnlyKeys("c1");
      } finally {
        await(sharded.close());
      }
    }
  }

  private Throwable awaitFailure(Future<?> future) {
    try {
      Object value = future.toCompletionStage().toCompletableFuture().get(deadline().toMillis(), TimeUnit.MILLISECONDS);
      throw new AssertionError("expected a failure but got " + value);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("future did not complete within " + deadline(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
