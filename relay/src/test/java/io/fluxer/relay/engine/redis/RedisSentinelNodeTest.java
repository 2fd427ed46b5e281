package io.fluxer.relay.engine.redis;

import io.fluxer.relay.testing.RedisTestSentinel;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A relay node configured with {@code engine.redis_mode: sentinel}, through a forced Sentinel failover:
 * what its clients see.
 */
class RedisSentinelNodeTest extends RedisFailoverNodeTestBase {
  private static final Duration FAILOVER_DEADLINE = Duration.ofSeconds(20);
  private RedisTestSentinel redis;

  @BeforeEach
  void startNode() {
    redis = RedisTestSentinel.start();
    startRelay(config -> config.put("engine", new JsonObject()
        .put("type", "redis")
        .put("redis_mode", "sentinel")
        .put("redis_sentinel_urls", new JsonArray(redis.sentinelUrls()))
        .put("redis_sentinel_master", RedisTestSentinel.MASTER_NAME)));
  }

  @AfterEach
  void stopRedis() {
    redis.close();
  }

  /** Until the sentinel demotes the old master it takes writes too, and a second 3010 would be right then. */
  @Override
  protected void afterSubscriberClosed() {
    redis.awaitOneMaster();
  }

  @Test
  @DisplayName("after a failover a subscriber is closed with 3010, recovers with recovered:false (never a silent gap), "
      + "then gets live publications stored on the new master")
  void failoverGivesRecoveredFalse() {
    assertFailoverGivesRecoveredFalse("sentinel-failover", channel -> redis.failover(), FAILOVER_DEADLINE);
  }
}
