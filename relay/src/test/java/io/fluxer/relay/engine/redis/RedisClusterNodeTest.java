package io.fluxer.relay.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.RedisTestCluster;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A relay node configured with {@code engine.redis_mode: cluster}, through the death (SIGKILL) of the
 * master that serves a channel and the promotion of its replica: what its clients see. Delivery goes
 * through the node's sharded pub/sub connection to that master, so the node must move it to the
 * promoted replica.
 */
class RedisClusterNodeTest extends RelayTestBase {
  private static final Duration FAILOVER_DEADLINE = Duration.ofSeconds(30);
  private RedisTestCluster redis;

  @BeforeEach
  void startNode() {
    redis = RedisTestCluster.startWithReplicas(Duration.ofMillis(1000));
    startRelay(config -> config.put("engine", new JsonObject()
        .put("type", "redis")
        .put("redis_mode", "cluster")
        .put("redis_cluster_urls", new JsonArray(redis.urls()))));
  }

  @AfterEach
  void stopRedis() {
    redis.close();
  }

  @Test
  @DisplayName("after its master is killed a subscriber is closed with 3010, recovers with recovered:false (never a "
      + "silent gap), then gets live publications stored on the promoted replica")
  void masterKilledGivesRecoveredFalse() {
    String channel = chat("cluster-failover");
    WsTestClient alice = connected("alice");
    String epoch = alice.subscribe(channel).getString("epoch");
    WsTestClient bob = connected("bob"); // publishes, not subscribed
    for (int i = 1; i <= 3; i++) {
      bob.publish(channel, new JsonObject().put("n", i));
    }
    alice.awaitPublications(channel, 3, SHORT);

    redis.killMasterAndAwaitFailover("{" + channel + "}", FAILOVER_DEADLINE);

    // publish until alice notices: the first publication stored on the new master has a new epoch
    long end = System.nanoTime() + FAILOVER_DEADLINE.toNanos();
    int n = 3;
    while (!alice.isClosed()) {
      assertThat(System.nanoTime() - end).as("alice closed within " + FAILOVER_DEADLINE).isNegative();
      int code = bob.errorCode("publish", new JsonObject().put("channel", channel)
          .put("data", new JsonObject().put("n", ++n)));
      // 111: the client's publish rate limit, reached when failures come back at once; both temporary
      assertThat(code).as("publish error code (0, or 100 / 111 temporary)").isIn(0, 100, 111);
      if (code != 0) {
        pause(Duration.ofMillis(20));
      }
    }
    assertThat(alice.awaitClose(SHORT).code()).as("alice's close code").isEqualTo((short) 3010);
    List<JsonObject> got = alice.publications(channel);
    long lastOffset = got.get(got.size() - 1).getLong("offset");

    WsTestClient again = connected("alice");
    JsonObject reply = again.result("subscribe", new JsonObject().put("channel", channel).put("recover", true)
        .put("epoch", epoch).put("offset", lastOffset));
    assertThat(reply.getBoolean("was_recovering")).isTrue();
    assertThat(reply.getBoolean("recovered", false)).as("recovered").isFalse();
    assertThat(reply.getString("epoch")).isNotEqualTo(epoch);
    bob.publish(channel, new JsonObject().put("n", "live again"));
    assertThat(again.awaitPublications(channel, 1, SHORT).get(0).getJsonObject("data").getString("n"))
        .isEqualTo("live again");
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
