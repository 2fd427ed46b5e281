package io.fluxer.relay.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.RedisTestServer;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A relay node configured with {@code engine.type: redis} keeps history and presence in Redis. */
class RedisNodeTest extends RelayTestBase {
  private static final Duration PRESENCE_TTL = Duration.ofSeconds(1);
  private String prefix;

  @BeforeEach
  void startNode() {
    prefix = "node-test-" + UUID.randomUUID();
    startRelay(config -> {
      config.put("engine", new JsonObject()
          .put("type", "redis")
          .put("redis_url", RedisTestServer.sharedUrl())
          .put("redis_prefix", prefix)
          .put("presence_ttl", PRESENCE_TTL.toMillis() + "ms"));
      // presenceRefreshedWhileConnected reads presence back to back for three TTLs, to leave no gap
      // unseen: far over the default command rate, which ClientLimitsTest covers
      clientSection(config).put("limits", new JsonObject().put("command_rate", 0));
    });
  }

  @Test
  @DisplayName("History and its stream position come from Redis")
  void historyInRedis() {
    String channel = chat("redis-history");
    WsTestClient c = connected("alice");
    c.subscribe(channel);
    for (int i = 1; i <= 3; i++) {
      c.publish(channel, new JsonObject().put("n", i));
    }
    c.awaitPublications(channel, 3, SHORT);

    JsonObject history = c.result("history", new JsonObject().put("channel", channel).put("limit", 10));

    assertThat(history.getJsonArray("publications")).hasSize(3);
    assertThat(history.getLong("offset")).isEqualTo(3);
    assertThat(history.getString("epoch")).isNotEmpty();
    Redis redis = Redis.createClient(vertx, RedisTestServer.sharedUrl());
    try {
      Response keys = TestRelay.await(redis.send(Request.cmd(Command.KEYS, prefix + "*")));
      assertThat(keys.size()).as("the node's keys in Redis").isPositive();
    } finally {
      redis.close();
    }
  }

  @Test
  @DisplayName("A connected client stays present past the presence TTL, and leaves presence when it goes")
  void presenceRefreshedWhileConnected() {
    String channel = chat("redis-presence");
    WsTestClient c = connected("alice");
    c.subscribe(channel);
    WsTestClient watcher = connected("bob");

    // Watch for three TTLs: every read must still list alice, so her entry is being refreshed.
    long until = System.nanoTime() + PRESENCE_TTL.multipliedBy(3).toNanos();
    int reads = 0;
    while (System.nanoTime() < until) {
      JsonObject presence = watcher.result("presence", new JsonObject().put("channel", channel));
      assertThat(presence.getJsonObject("presence").size()).as("clients present after %d reads", reads).isEqualTo(1);
      reads++;
    }
    assertThat(reads).isPositive();

    c.close();
    HttpTestClient.eventually(() -> watcher.result("presence", new JsonObject().put("channel", channel))
        .getJsonObject("presence").size(), n -> n == 0, SHORT);
  }

  @Test
  @DisplayName("Redis loses the stream: the next publication closes subscribers with 3010, and they recover with recovered:false")
  void lostStreamClosesSubscribersAndRecoveryFails() {
    String channel = chat("redis-lost");
    WsTestClient alice = connected("alice");
    JsonObject subscribed = alice.subscribe(channel);
    WsTestClient bob = connected("bob"); // publishes, not subscribed
    for (int i = 1; i <= 3; i++) {
      bob.publish(channel, new JsonObject().put("n", i));
    }
    alice.awaitPublications(channel, 3, SHORT);
    String epoch = subscribed.getString("epoch");

    deleteKeys(prefix + "*"); // as a Redis restarted without persistence would
    bob.publish(channel, new JsonObject().put("n", "after the loss"));

    assertThat(alice.awaitClose(SHORT).code()).as("alice's close code").isEqualTo((short) 3010);
    assertThat(alice.publications(channel)).as("what alice got").hasSize(3);
    WsTestClient again = connected("alice");
    JsonObject reply = again.result("subscribe", new JsonObject().put("channel", channel).put("recover", true)
        .put("epoch", epoch).put("offset", 3));
    assertThat(reply.getBoolean("recovered", false)).isFalse();
    assertThat(reply.getBoolean("was_recovering")).isTrue();
    assertThat(reply.getString("epoch")).isNotEqualTo(epoch);
    bob.publish(channel, new JsonObject().put("n", "live again"));
    assertThat(again.awaitPublications(channel, 1, SHORT).get(0).getJsonObject("data").getString("n"))
        .isEqualTo("live again");
  }

  @Test
  @DisplayName("The node's Redis pub/sub connection is lost while a publication goes out: its subscriber is closed with 3010 and recovers it")
  void lostFeedClosesSubscribersBehind() {
    String channel = chat("redis-feed");
    WsTestClient alice = connected("alice");
    JsonObject subscribed = alice.subscribe(channel);
    WsTestClient bob = connected("bob");
    bob.publish(channel, new JsonObject().put("n", 1));
    alice.awaitPublications(channel, 1, SHORT);

    Redis redis = Redis.createClient(vertx, RedisTestServer.sharedUrl());
    try {
      String id = TestRelay.await(redis.send(Request.cmd(Command.CLIENT, "LIST", "TYPE", "pubsub"))).toString()
          .lines().filter(line -> line.contains(" name=" + prefix + ".pubsub "))
          .map(line -> line.substring(3, line.indexOf(' '))).findFirst().orElseThrow();
      TestRelay.await(redis.send(Request.cmd(Command.CLIENT, "KILL", "ID", id)));
    } finally {
      redis.close();
    }
    // stored, but the node is not subscribed to the channel again yet: no later publication shows the gap
    bob.publish(channel, new JsonObject().put("n", 2));

    assertThat(alice.awaitClose(SHORT).code()).as("alice's close code").isEqualTo((short) 3010);
    assertThat(alice.publications(channel)).as("what alice got live").hasSize(1);
    WsTestClient again = connected("alice");
    JsonObject reply = again.result("subscribe", new JsonObject().put("channel", channel).put("recover", true)
        .put("epoch", subscribed.getString("epoch")).put("offset", 1));
    assertThat(reply.getBoolean("recovered")).isTrue();
    assertThat(reply.getJsonArray("publications")).extracting(p -> ((JsonObject) p).getJsonObject("data").getInteger("n"))
        .containsExactly(2);
  }

  private void deleteKeys(String pattern) {
    Redis redis = Redis.createClient(vertx, RedisTestServer.sharedUrl());
    try {
      Response keys = TestRelay.await(redis.send(Request.cmd(Command.KEYS, pattern)));
      Request del = Request.cmd(Command.DEL);
      keys.forEach(k -> del.arg(k.toString()));
      if (keys.size() > 0) {
        TestRelay.await(redis.send(del));
      }
    } finally {
      redis.close();
    }
  }
}
