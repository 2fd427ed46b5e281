package io.fluxer.relay.engine.redis;

import io.fluxer.relay.testing.RedisTestSentinel;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The presence contract and the Redis presence tests through Sentinel (a master, a replica and a
 * sentinel, real redis-server processes): the engines find the master by asking the sentinel.
 */
class RedisSentinelPresenceManagerTest extends RedisPresenceManagerTest {
  private static Redis master;

  @BeforeAll
  static void connectSentinel() {
    master = Redis.createClient(vertx, new RedisOptions().setType(RedisClientType.SENTINEL)
        .setEndpoints(RedisTestSentinel.shared().sentinelUrls())
        .setMasterName(RedisTestSentinel.MASTER_NAME)
        .setRole(RedisRole.MASTER));
  }

  @AfterAll
  static void disconnectSentinel() {
    if (master != null) {
      master.close();
    }
  }

  @Override
  RedisEngineOptions baseOptions() {
    return RedisEngineOptions.of(RedisTopology.sentinel(RedisTestSentinel.shared().sentinelUrls(),
        RedisTestSentinel.MASTER_NAME));
  }

  @Override
  Redis rawClient() {
    return master;
  }
}
