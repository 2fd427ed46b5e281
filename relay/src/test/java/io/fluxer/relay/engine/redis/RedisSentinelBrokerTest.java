package io.fluxer.relay.engine.redis;

import io.fluxer.relay.testing.RedisTestSentinel;
import io.vertx.redis.client.Redis;

/**
 * The broker contract and the Redis broker tests through Sentinel (a master, a replica and a
 * sentinel, real redis-server processes): the engines find the master by asking the sentinel.
 */
class RedisSentinelBrokerTest extends RedisBrokerTest {
  @Override
  RedisEngineOptions baseOptions() {
    return RedisTestSentinel.shared().engineOptions();
  }

  @Override
  Redis rawClient() {
    return RedisTestSentinel.shared().masterClient();
  }
}
