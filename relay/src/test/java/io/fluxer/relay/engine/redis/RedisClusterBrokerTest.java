package io.fluxer.relay.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.engine.HistoryFilter;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.Publication;
import io.fluxer.relay.protocol.StreamPosition;
import io.fluxer.relay.testing.RedisTestCluster;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The broker contract and the Redis broker's own tests against a Redis Cluster of three masters
 * (real redis-server processes). Channel names carry a random part, so their slots, and masters,
 * differ; {@link #channelsOnEveryMaster()} checks that the keys really spread.
 */
class RedisClusterBrokerTest extends RedisBrokerTest {
  private static final HistoryFilter ALL_HISTORY = new HistoryFilter(null, HistoryFilter.NO_LIMIT, false);
  @Override
  RedisEngineOptions baseOptions() {
    return RedisTestCluster.shared().engineOptions();
  }

  @Override
  Redis rawClient() {
    return RedisTestCluster.shared().client();
  }

  /** Every master: the node's pub/sub connection may be on any of them. */
  @Override
  void pauseRedis(long ms) {
    eachMaster(redis -> TestRelay.await(redis.send(Request.cmd(Command.CLIENT, "PAUSE", Long.toString(ms), "ALL"))));
  }

  /** Sharded subscriptions, summed over the masters (only the channel's own master should have any). */
  @Override
  int pubsubSubscribers(String name) {
    int[] sum = new int[1];
    eachMaster(redis -> sum[0] += TestRelay.await(redis.send(Request.cmd(Command.PUBSUB, "SHARDNUMSUB", name)))
        .get(1).toInteger());
    return sum[0];
  }

  /**
   * One on the same master: the cluster bus carries a master's messages to the node's pub/sub
   * connection in order, and those of two masters in no order to each other.
   */
  @Override
  String markerBeside(String ch) {
    int master = RedisTestCluster.shared().portOf("{" + ch + "}");
    for (int i = 0; ; i++) {
      String name = "marker-" + i;
      if (RedisTestCluster.shared().portOf("{" + channel(name) + "}") == master) {
        return name;
      }
    }
  }

  @Override
  int killPubsub(String name) {
    int[] killed = new int[1];
    eachMaster(redis -> killed[0] += killPubsubConnection(redis, name));
    return killed[0];
  }

  private static void eachMaster(Consumer<Redis> action) {
    for (String url : RedisTestCluster.shared().urls()) {
      Redis one = Redis.createClient(vertx, url);
      try {
        action.accept(one);
      } finally {
        one.close();
      }
    }
  }

  @Test
  @DisplayName("channels on each of the three masters: keys land on every master, each channel's on one")
  void channelsOnEveryMaster() {
    RedisTestCluster redis = RedisTestCluster.shared();
    Map<Integer, String> byMaster = new LinkedHashMap<>();
    for (int i = 0; byMaster.size() < 3; i++) {
      String ch = channel("spread-" + i);
      byMaster.putIfAbsent(redis.portOf("{" + ch + "}"), ch); // a channel's keys hash by its tag alone
    }
    for (String ch : byMaster.values()) {
      publishMany(ch, 2, history(10));
      await(broker.publish(ch, data(3), withKey(history(10), "k"))); // an idempotency key as well
    }

    List<Long> perMaster = redis.keyCounts("*" + channel("spread-") + "*");
    assertThat(perMaster).as("keys per master").hasSize(3).allMatch(n -> n > 0);
    for (String ch : byMaster.values()) {
      assertThat(offsets(await(broker.history(ch, ALL_HISTORY)))).containsExactly(1L, 2L, 3L);
    }
  }

  @Test
  @DisplayName("a master that lost its script cache runs the script again by EVAL (the cache is per node)")
  void scriptCacheFlushedOnEveryMaster() {
    RedisTestCluster redis = RedisTestCluster.shared();
    List<String> channels = new ArrayList<>();
    Map<Integer, Boolean> seen = new LinkedHashMap<>();
    for (int i = 0; seen.size() < 3; i++) {
      String ch = channel("flush-" + i);
      if (seen.putIfAbsent(redis.portOf("{" + ch + "}"), true) == null) {
        channels.add(ch);
      }
    }
    for (String ch : channels) {
      await(broker.publish(ch, data(1), history(10)));
    }

    redis.flushScripts();

    for (String ch : channels) {
      StreamPosition second = await(broker.publish(ch, data(2), history(10)));
      assertThat(second.offset()).isEqualTo(2);
      assertThat(await(broker.history(ch, ALL_HISTORY)).publications())
          .extracting(Publication::data).containsExactly(data(1), data(2));
    }
  }

  /** A channel (named {@code base + i}) on each master, by master port. */
  private Map<Integer, String> channelPerMaster(String base) {
    Map<Integer, String> byMaster = new LinkedHashMap<>();
    for (int i = 0; byMaster.size() < 3; i++) {
      String ch = channel(base + i);
      byMaster.putIfAbsent(RedisTestCluster.shared().portOf("{" + ch + "}"), ch);
    }
    return byMaster;
  }

  private static List<String> strings(Object reply) {
    return ((List<?>) reply).stream().map(String::valueOf).toList();
  }

  @Test
  @DisplayName("sharded pub/sub: each channel is SSUBSCRIBEd on its own master only, over one pub/sub connection "
      + "per master, and its publications and joins arrive")
  void shardedSubscriptionsOnOwningMasters() {
    RedisTestCluster redis = RedisTestCluster.shared();
    RedisKeys keys = new RedisKeys(keyPrefix);
    Map<Integer, String> byMaster = channelPerMaster("sharded-");
    for (String ch : byMaster.values()) {
      await(broker.subscribe(ch));
    }
    ClientInfo info = new ClientInfo("u", "c", null, null);
    for (String ch : byMaster.values()) {
      await(broker.publish(ch, data(1), history(10)));
      await(broker.publishJoin(ch, info));
    }
    eventually("every channel's publication and join", () -> byMaster.values().stream()
        .allMatch(ch -> events.publications(ch).size() == 1 && events.joins(ch).size() == 1));

    for (int port : redis.ports()) {
      assertThat(strings(redis.call(port, "PUBSUB", "SHARDCHANNELS", keyPrefix + ".pubsub.*")))
          .as("shard channels on master " + port).containsExactly(keys.pubsub(byMaster.get(port)));
      assertThat(strings(redis.call(port, "PUBSUB", "CHANNELS", keyPrefix + ".pubsub.*")))
          .as("classic channels on master " + port).isEmpty();
      long connections = String.valueOf(redis.call(port, "CLIENT", "LIST", "TYPE", "pubsub")).lines()
          .filter(line -> line.contains(" name=" + keyPrefix + ".pubsub ")).count();
      assertThat(connections).as("the node's pub/sub connections on master " + port).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("a publication travels within its channel's shard only: a classic subscriber on another master gets "
      + "nothing (a classic PUBLISH is copied to every node of the cluster)")
  void publicationsStayInTheirShard() {
    RedisTestCluster redis = RedisTestCluster.shared();
    String ch = subscribed("in-shard");
    String name = new RedisKeys(keyPrefix).pubsub(ch);
    int owner = redis.portOf("{" + ch + "}");
    int other = redis.ports().stream().filter(p -> p != owner).findFirst().orElseThrow();
    String marker = keyPrefix + ".marker";
    List<String> confirmed = new CopyOnWriteArrayList<>();
    List<String> seen = new CopyOnWriteArrayList<>();
    Redis client = Redis.createClient(vertx, "redis://127.0.0.1:" + other);
    try {
      RedisConnection conn = await(client.connect());
      conn.handler(m -> {
        String kind = m.size() >= 3 ? m.get(0).toString() : "";
        if ("subscribe".equals(kind)) {
          confirmed.add(m.get(1).toString());
        } else if ("message".equals(kind)) {
          seen.add(m.get(1).toString());
        }
      });
      await(conn.send(Request.cmd(Command.SUBSCRIBE).arg(name).arg(marker)));
      eventually("the raw subscriber's SUBSCRIBE confirmed", () -> confirmed.size() == 2);

      await(broker.publish(ch, data(1), history(10)));
      await(broker.publishJoin(ch, new ClientInfo("u", "c", null, null)));
      eventually("the node's publication and join", () -> events.publications(ch).size() == 1
          && events.joins(ch).size() == 1);
      // the cluster bus carries one master's classic messages in order: the marker comes after
      // anything of the channel that would have been copied to the other master
      redis.call(owner, "PUBLISH", marker, "m");
      eventually("the marker on the other master", () -> seen.contains(marker));
      assertThat(seen).as("classic messages on master " + other).containsExactly(marker);
    } finally {
      client.close();
    }
  }

  @Test
  @DisplayName("the subscriber's key slot is Redis' own (CLUSTER KEYSLOT), hash tag rules included")
  void keySlotMatchesRedis() {
    RedisTestCluster redis = RedisTestCluster.shared();
    int port = redis.ports().get(0);
    List<String> names = new ArrayList<>(List.of("", "a", "123456789", "{}", "{}a", "a{}b", "{a", "a}", "{a}b",
        "x{a}{b}", "x{{a}}", "{ab}{cd}", "fluxer.pubsub.{chat:1}", "fluxer.pubsub.{}}", "ünïcødé.{日本}", "{€}"));
    for (int i = 0; i < 200; i++) {
      names.add(new RedisKeys("p" + i).pubsub(channel("slot-" + i)));
    }
    for (String name : names) {
      assertThat(RedisSlots.slot(name)).as("slot of '" + name + "'")
          .isEqualTo(((Long) redis.call(port, "CLUSTER", "KEYSLOT", name)).intValue());
    }
  }
}
