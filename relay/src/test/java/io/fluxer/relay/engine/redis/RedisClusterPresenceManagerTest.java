package io.fluxer.relay.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.testing.RedisTestCluster;
import io.vertx.redis.client.Redis;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The presence contract and the Redis presence tests against a Redis Cluster of three masters. */
class RedisClusterPresenceManagerTest extends RedisPresenceManagerTest {
  @Override
  RedisEngineOptions baseOptions() {
    return RedisTestCluster.shared().engineOptions();
  }

  @Override
  Redis rawClient() {
    return RedisTestCluster.shared().client();
  }

  @Test
  @DisplayName("presence of channels on each of the three masters: keys land on every master")
  void channelsOnEveryMaster() {
    RedisTestCluster redis = RedisTestCluster.shared();
    Map<Integer, String> byMaster = new LinkedHashMap<>();
    for (int i = 0; byMaster.size() < 3; i++) {
      String ch = channel("spread-" + i);
      byMaster.putIfAbsent(redis.portOf("{" + ch + "}"), ch);
    }
    ClientInfo info = new ClientInfo("u1", "c1", null, null);
    for (String ch : byMaster.values()) {
      add(ch, info);
    }

    List<Long> perMaster = redis.keyCounts("*" + channel("spread-") + "*");
    assertThat(perMaster).as("keys per master").hasSize(3).allMatch(n -> n > 0);
    for (String ch : byMaster.values()) {
      assertThat(await(presence.presence(ch))).containsOnlyKeys("c1");
    }
  }
}
