package io.fluxer.relay.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.RedisTestShards;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Relay nodes configured with {@code engine.redis_mode: sharded} over two standalone Redis servers
 * (real processes): delivery between two nodes on channels of each shard, a changed shard order, and
 * one shard down, as their clients see them.
 */
class ShardedNodeTest extends RelayTestBase {
  private RedisTestShards shards;
  private String prefix;
  private final List<TestRelay> others = new ArrayList<>();
  private final List<Vertx> otherVertx = new ArrayList<>();
  private final List<WsTestClient> otherClients = new ArrayList<>();

  @BeforeEach
  void startNode() {
    shards = RedisTestShards.start(2);
    prefix = "node-test-" + UUID.randomUUID();
    startRelay(config -> config.put("engine", engine(shards.urls())));
  }

  @AfterEach
  void stopOthers() {
    otherClients.forEach(WsTestClient::close);
    others.forEach(TestRelay::close);
    otherVertx.forEach(v -> TestRelay.await(v.close()));
    shards.close();
  }

  private JsonObject engine(List<String> urls) {
    return new JsonObject().put("type", "redis").put("redis_mode", "sharded").put("redis_prefix", prefix)
        .put("redis_shard_urls", new JsonArray(urls));
  }

  /**
   * Another node, in its own Vert.x: nodes of one Vert.x listening on a random port share it (the
   * node binds port -1 so that its instances do), and a client could reach either.
   */
  private TestRelay otherNode(List<String> urls) {
    Vertx own = Vertx.vertx();
    otherVertx.add(own);
    TestRelay relay = TestRelay.start(own, config -> config.put("engine", engine(urls)));
    others.add(relay);
    return relay;
  }

  private WsTestClient connectedTo(TestRelay relay, String user) {
    WsTestClient c = WsTestClient.open(vertx, relay.wsUrl());
    otherClients.add(c);
    c.connectWith(relay.token(user));
    return c;
  }

  /** A {@code chat} channel held by {@code shard} of two. */
  private static String chatOnShard(String name, int shard) {
    while (true) {
      String ch = chat(name);
      if (ChannelShards.shardOf(ch, 2) == shard) {
        return ch;
      }
    }
  }

  @Test
  @DisplayName("two nodes: a publication on one reaches the other's subscriber, on channels of both shards, each "
      + "channel's keys on its shard")
  void deliveryBetweenNodesOnBothShards() {
    TestRelay second = otherNode(shards.urls());
    assertThat(second.port()).as("the other node's port").isNotEqualTo(relay().port());
    WsTestClient alice = connected("alice");
    WsTestClient bob = connectedTo(second, "bob");
    for (int shard = 0; shard < 2; shard++) {
      String channel = chatOnShard("sharded-" + shard, shard);
      alice.subscribe(channel);
      for (int i = 1; i <= 3; i++) {
        bob.publish(channel, new JsonObject().put("n", i));
      }

      assertThat(alice.awaitPublications(channel, 3, SHORT)).extracting(p -> p.getLong("offset"))
          .containsExactly(1L, 2L, 3L);
      JsonObject history = bob.result("history", new JsonObject().put("channel", channel).put("limit", 10));
      assertThat(history.getJsonArray("publications")).hasSize(3);
      assertThat(bob.result("presence", new JsonObject().put("channel", channel)).getJsonObject("presence").size())
          .as("alice present, seen from the other node").isEqualTo(1);
      List<Long> keys = shards.keyCounts(prefix + "*{" + channel + "}*");
      assertThat(keys.get(shard)).as("keys of %s on its shard", channel).isPositive();
      assertThat(keys.get(1 - shard)).as("keys of %s on the other shard", channel).isZero();
    }
  }

  @Test
  @DisplayName("a node with the shards in another order: a recovering client gets recovered:false and a new "
      + "epoch (the channel moved to a shard with none of its history), then live publications")
  void reorderedShardsRecoverFalse() {
    String channel = chat("reordered");
    WsTestClient alice = connected("alice");
    String epoch = alice.subscribe(channel).getString("epoch");
    for (int i = 1; i <= 3; i++) {
      alice.publish(channel, new JsonObject().put("n", i));
    }
    alice.awaitPublications(channel, 3, SHORT);

    TestRelay reordered = otherNode(List.of(shards.urls().get(1), shards.urls().get(0)));
    assertThat(reordered.port()).as("the other node's port").isNotEqualTo(relay().port());
    WsTestClient again = connectedTo(reordered, "alice");
    JsonObject reply = again.result("subscribe", new JsonObject().put("channel", channel).put("recover", true)
        .put("epoch", epoch).put("offset", 3));

    assertThat(reply.getBoolean("was_recovering")).isTrue();
    assertThat(reply.getBoolean("recovered", false)).as("recovered").isFalse();
    assertThat(reply.getString("epoch")).isNotEqualTo(epoch);
    again.publish(channel, new JsonObject().put("n", "live again"));
    assertThat(again.awaitPublications(channel, 1, SHORT).get(0).getLong("offset")).isEqualTo(1);
  }

  @Test
  @DisplayName("one shard down: publishing to its channels fails with a temporary error and no internals; the "
      + "other shard's channels still deliver")
  void oneShardDown() {
    String alive = chatOnShard("alive", 0);
    String dead = chatOnShard("dead", 1);
    WsTestClient alice = connected("alice");
    alice.subscribe(alive);
    WsTestClient bob = connected("bob");

    shards.kill(1);

    JsonObject error = bob.call("publish", new JsonObject().put("channel", dead)
        .put("data", new JsonObject().put("n", 1))).getJsonObject("error");
    assertThat(error).as("publish to the dead shard's channel").isNotNull();
    assertThat(error.getInteger("code")).isEqualTo(100);
    assertThat(error.getBoolean("temporary", false)).as("temporary").isTrue();
    assertThat(error.encode()).doesNotContain("Exception").doesNotContain("redis").doesNotContain("127.0.0.1");
    bob.publish(alive, new JsonObject().put("n", 2));
    assertThat(alice.awaitPublications(alive, 1, SHORT).get(0).getJsonObject("data").getInteger("n")).isEqualTo(2);
  }
}
