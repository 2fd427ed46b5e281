package io.fluxer.relay.http;

import static io.fluxer.relay.testing.HttpTestClient.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.node.RelayNode;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** GET /api/v1/stats and /api/v1/nodes against a live node with real clients and traffic. */
class StatsApiTest extends ApiTestBase {

  @Test
  @DisplayName("Stats name the node and hold counts, rates, uptime and heap; the cluster sum has one node")
  void shape() {
    JsonObject body = http().get("/api/v1/stats", VIEWER).json();
    JsonObject node = body.getJsonObject("node");
    RelayNode n = relay().node();

    assertThat(node.getString("id")).isEqualTo(n.id());
    assertThat(node.getString("name")).isEqualTo("test");
    assertThat(node.getString("version")).isEqualTo(RelayNode.VERSION);
    assertThat(node.getString("address")).isEqualTo("127.0.0.1:" + relay().port());
    assertThat(node.getBoolean("ready")).isTrue();
    assertThat(node.getLong("started_at")).isEqualTo(n.info().startedAtMillis());
    assertThat(node.getLong("uptime_seconds")).isNotNegative();
    assertThat(node.getInteger("connections")).isZero();
    for (String key : new String[] {"users", "subscriptions", "channels", "messages_in", "messages_out",
        "bytes_in", "bytes_out", "connects", "slow_client_drops"}) {
      assertThat(node.getNumber(key)).as(key).isNotNull();
    }
    assertThat(node.getJsonObject("disconnects")).isNotNull();
    assertThat(node.getJsonObject("per_second").fieldNames())
        .contains("messages_in", "messages_out", "bytes_in", "bytes_out", "connects", "disconnects");
    assertThat(node.getJsonObject("heap").getLong("used")).isPositive();
    assertThat(node.getJsonObject("heap").getLong("max")).isNotZero();

    JsonObject cluster = body.getJsonObject("cluster");
    assertThat(cluster.getInteger("nodes")).isEqualTo(1);
    assertThat(cluster.getInteger("connections")).isEqualTo(node.getInteger("connections"));
  }

  @Test
  @DisplayName("Connections, users, subscriptions and channels follow connected clients")
  void countsFollowClients() {
    String channel = "chat:" + unique("room");
    WsTestClient alice = connected("alice");
    WsTestClient bob = connected("bob");
    alice.subscribe(channel);
    bob.subscribe(channel);
    bob.subscribe("chat:" + unique("other"));

    JsonObject stats = eventually(this::nodeStats, s -> s.getInteger("connections") == 2, SHORT);
    assertThat(stats.getInteger("users")).isEqualTo(2);
    assertThat(stats.getInteger("subscriptions")).isEqualTo(3);
    assertThat(stats.getInteger("channels")).isEqualTo(2);
    assertThat(stats.getLong("connects")).isEqualTo(2);

    bob.close();
    JsonObject after = eventually(this::nodeStats, s -> s.getInteger("connections") == 1, SHORT);
    assertThat(after.getInteger("subscriptions")).isEqualTo(1);
    assertThat(after.getInteger("channels")).isEqualTo(1);
    assertThat(after.getJsonObject("disconnects").fieldNames()).isNotEmpty();
  }

  @Test
  @DisplayName("Messages and bytes in and out grow with publishes")
  void trafficCounters() {
    String channel = "chat:" + unique("traffic");
    WsTestClient alice = connected("alice");
    WsTestClient bob = connected("bob");
    bob.subscribe(channel);
    JsonObject before = nodeStats();

    for (int i = 0; i < 5; i++) {
      alice.publish(channel, new JsonObject().put("n", i));
    }
    bob.awaitPublications(channel, 5, SHORT);

    JsonObject after = eventually(this::nodeStats,
        s -> s.getLong("messages_in") >= before.getLong("messages_in") + 5
            && s.getLong("messages_out") >= before.getLong("messages_out") + 10, SHORT);
    assertThat(after.getLong("bytes_in")).isGreaterThan(before.getLong("bytes_in"));
    assertThat(after.getLong("bytes_out")).isGreaterThan(before.getLong("bytes_out"));
  }

  @Test
  @DisplayName("With a stats interval, per-second rates show traffic of the last interval")
  void ratesPerInterval() {
    startRelay(config -> config.getJsonObject("server").put("stats_interval", "100ms"));
    String channel = "chat:" + unique("rates");
    WsTestClient alice = connected("alice");
    alice.subscribe(channel);

    JsonObject stats = eventually(() -> {
      alice.publish(channel, new JsonObject().put("tick", true));
      return nodeStats();
    }, s -> s.getJsonObject("per_second").getDouble("messages_in") > 0
        && s.getJsonObject("per_second").getDouble("messages_out") > 0
        && s.getJsonObject("per_second").getDouble("bytes_in") > 0, SHORT);
    assertThat(stats.getJsonObject("per_second").getDouble("bytes_out")).isPositive();
  }

  @Test
  @DisplayName("With stats_interval 0, rates are computed against the previous call")
  void ratesAgainstPreviousCall() {
    startRelay(config -> config.getJsonObject("server").put("stats_interval", "0s"));
    String channel = "chat:" + unique("rates");
    WsTestClient alice = connected("alice");
    alice.subscribe(channel);
    nodeStats();

    for (int i = 0; i < 3; i++) {
      alice.publish(channel, new JsonObject().put("n", i));
    }
    alice.awaitPublications(channel, 3, SHORT);
    JsonObject rates = nodeStats().getJsonObject("per_second");
    assertThat(rates.getDouble("messages_in")).isPositive();
    assertThat(rates.getDouble("messages_out")).isPositive();

    JsonObject quiet = nodeStats().getJsonObject("per_second");
    assertThat(quiet.getDouble("messages_in")).as("nothing since the previous call").isZero();
  }

  @Test
  @DisplayName("GET /api/v1/stats/history: the last samples as columns, a client's connection in them; a bad window is 400")
  void history() {
    connected("alice");
    JsonObject history = eventually(() -> http().get("/api/v1/stats/history", VIEWER).json(),
        h -> !h.getJsonArray("connections").isEmpty()
            && h.getJsonArray("connections").getLong(h.getJsonArray("connections").size() - 1) == 1, SHORT);
    assertThat(history.getString("window")).isEqualTo("5m");
    assertThat(history.getLong("step_ms")).isEqualTo(1000);
    int points = history.getJsonArray("t").size();
    for (String column : new String[] {"nodes", "subscriptions", "channels", "messages_in_per_second",
        "messages_out_per_second"}) {
      assertThat(history.getJsonArray(column)).as(column).hasSize(points);
    }
    long newest = history.getJsonArray("t").getLong(points - 1);
    assertThat(newest).isBetween(System.currentTimeMillis() - 5_000, System.currentTimeMillis());

    JsonObject hour = http().get("/api/v1/stats/history?window=1h", VIEWER).json();
    assertThat(hour.getLong("step_ms")).isEqualTo(10_000);
    assertThat(hour.getJsonArray("t")).isNotEmpty();
    var bad = http().get("/api/v1/stats/history?window=2d", VIEWER);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.errorMessage()).isEqualTo("window must be 5m or 1h");
    assertThat(http().get("/api/v1/stats/history", io.fluxer.relay.testing.HttpTestClient.NONE).status()).isEqualTo(401);
  }

  @Test
  @DisplayName("GET /api/v1/nodes lists this node with address, counts, rates and heap")
  void nodes() {
    connected("alice").subscribe("chat:" + unique("n"));

    JsonArray nodes = eventually(() -> http().get("/api/v1/nodes", VIEWER).json().getJsonArray("nodes"),
        list -> list.getJsonObject(0).getInteger("connections") == 1, SHORT);
    assertThat(nodes).hasSize(1);
    JsonObject node = nodes.getJsonObject(0);
    assertThat(node.getString("id")).isEqualTo(relay().node().id());
    assertThat(node.getString("name")).isEqualTo("test");
    assertThat(node.getString("address")).isEqualTo("127.0.0.1:" + relay().port());
    assertThat(node.getString("version")).isEqualTo(RelayNode.VERSION);
    assertThat(node.getLong("uptime_seconds")).isNotNegative();
    assertThat(node.getInteger("subscriptions")).isEqualTo(1);
    assertThat(node.getInteger("channels")).isEqualTo(1);
    assertThat(node.getDouble("messages_in_per_second")).isNotNegative();
    assertThat(node.getDouble("messages_out_per_second")).isNotNegative();
    assertThat(node.getJsonObject("heap").getLong("used")).isPositive();
  }
}
