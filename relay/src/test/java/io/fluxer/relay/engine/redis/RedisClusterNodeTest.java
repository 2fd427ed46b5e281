package io.fluxer.relay.engine.redis;

import io.fluxer.relay.testing.RedisTestCluster;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
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
class RedisClusterNodeTest extends RedisFailoverNodeTestBase {
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
    assertFailoverGivesRecoveredFalse("cluster-failover",
        channel -> redis.killMasterAndAwaitFailover("{" + channel + "}", FAILOVER_DEADLINE), FAILOVER_DEADLINE);
  }
}
