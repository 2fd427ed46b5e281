package io.fluxer.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.NodeScript;
import io.fluxer.relay.testing.RedisTestServer;
import io.fluxer.relay.testing.RelayCluster;
import io.fluxer.relay.testing.RelayProcess;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Redis restarts empty under a three-node cluster (its own {@code redis-server}, killed with
 * SIGKILL and started again on the same port without its data): the SDK clients on every node are
 * told their position is gone ({@code recovered: false}, {@code wasRecovering: true}) and go on
 * receiving new publications; the server API answers again; nothing hangs.
 */
class ClusterRedisRestartTest {
  private static final String SCRIPT = "sdk-cluster.mjs";
  private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(75);
  private static final int BEFORE = 10;

  private Vertx vertx;
  private RedisTestServer redis;
  private RelayCluster cluster;

  @RegisterExtension
  final TestWatcher tails = RelayCluster.printTailsOnFailure(() -> cluster);

  @BeforeEach
  void startCluster() {
    vertx = Vertx.vertx();
    redis = RedisTestServer.start();
    cluster = RelayCluster.start(vertx, "ClusterRedisRestartTest", 3, redis.url(), Map.of());
  }

  @AfterEach
  void stopCluster() {
    try {
      if (cluster != null) {
        cluster.close();
      }
      if (redis != null) {
        redis.close();
      }
    } finally {
      TestRelay.await(vertx.close());
    }
  }

  @Test
  @DisplayName("Redis restart with data loss: SDK clients on every node get recovered:false and keep receiving")
  void redisRestartWithDataLoss() throws Exception {
    String channel = "feed:redis-restart-" + UUID.randomUUID().toString().substring(0, 8);
    JsonArray endpoints = new JsonArray();
    JsonArray tokens = new JsonArray();
    for (RelayProcess p : cluster.nodes()) {
      endpoints.add(new JsonObject().put("name", p.name()).put("ws", p.wsUrl()).put("http", p.httpUrl()));
      tokens.add(RelayProcess.token("sdk-" + p.name()));
    }
    Map<String, String> env = Map.of(
        "FLUXER_MODE", "redis-restart",
        "FLUXER_ENDPOINTS", endpoints.encode(),
        "FLUXER_TOKENS", tokens.encode(),
        "FLUXER_API_KEY", RelayProcess.API_KEY,
        "FLUXER_CHANNEL", channel,
        "FLUXER_PUBLISHER", "A",
        "FLUXER_CLIENTS_PER_NODE", "1",
        "FLUXER_COUNT", Integer.toString(BEFORE),
        "FLUXER_RATE", "20");

    NodeScript.Result result = NodeScript.run(SCRIPT, env, SCRIPT_TIMEOUT, request -> {
      assertThat(request.getString("request")).isEqualTo("restart-redis");
      long start = System.nanoTime();
      redis.restart();
      return new JsonObject().put("tookMs", (System.nanoTime() - start) / 1_000_000);
    });
    JsonObject summary = result.summary();
    System.out.println("cluster figures: " + summary.encode());
    List<JsonObject> clients = summary.getJsonArray("clients").stream().map(JsonObject.class::cast).toList();
    System.out.printf("cluster figures: Redis killed and restarted empty: first publish %s ms after, %d publish"
            + " failures; clients on %s resubscribed after %s ms with recovered %s (wasRecovering %s), disconnect"
            + " codes %s%n",
        summary.getValue("firstPublishAfterRestartMs"), summary.getInteger("publishFailures"),
        clients.stream().map(c -> c.getString("node")).toList(),
        clients.stream().map(c -> c.getValue("resubscribedMs")).toList(),
        clients.stream().map(c -> c.getBoolean("recovered")).toList(),
        clients.stream().map(c -> c.getBoolean("wasRecovering")).toList(),
        clients.stream().map(c -> c.getJsonArray("disconnectCodes").encode()).toList());

    assertThat(clients).hasSize(3).allSatisfy(c -> {
      assertThat(c.getBoolean("recovered")).as(c.encode()).isFalse();
      assertThat(c.getBoolean("wasRecovering")).as(c.encode()).isTrue();
      assertThat(c.getInteger("receivedAfter")).as(c.encode()).isGreaterThanOrEqualTo(5);
    });
    assertThat(clients).extracting(c -> c.getString("node")).containsExactlyInAnyOrder("A", "B", "C");

    // Every node answers the server API again, from the new epoch's history.
    for (RelayProcess p : cluster.nodes()) {
      JsonObject history = HttpTestClient.eventually(() -> api(p.name(), "history",
              new JsonObject().put("channel", channel).put("limit", 1000)),
          answer -> answer.containsKey("result"), Duration.ofSeconds(10)).getJsonObject("result");
      // the new epoch holds what was published after the restart (a publish that failed may be stored too)
      assertThat(history.getLong("offset")).as("offset on " + p.name())
          .isGreaterThanOrEqualTo(summary.getInteger("publishedAfter").longValue());
      assertThat(history.getJsonArray("publications").size()).isEqualTo(history.getLong("offset").intValue());
      JsonObject stats = api(p.name(), "presence_stats", new JsonObject().put("channel", channel));
      assertThat(stats.containsKey("result")).as("presence_stats on " + p.name() + ": " + stats.encode()).isTrue();
    }
    assertThat(cluster.nodeNames("A")).containsExactly("A", "B", "C");
  }

  private JsonObject api(String node, String method, JsonObject params) {
    HttpTestClient.Response r = cluster.http(node).send(HttpMethod.POST, "/api/" + method,
        HttpTestClient.apiKey(RelayProcess.API_KEY), params.encode());
    return r.status() == 200 ? r.json() : new JsonObject().put("status", r.status()).put("body", r.body());
  }
}
