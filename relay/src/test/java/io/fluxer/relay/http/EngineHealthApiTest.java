package io.fluxer.relay.http;

import static io.fluxer.relay.testing.HttpTestClient.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.PgTestServer;
import io.fluxer.relay.testing.RedisTestServer;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The stats' health figures on a node with real engines: Redis and PostgreSQL reachable with the
 * probe's time, a Redis that does not answer shown as unreachable (without its address), and the
 * publish-to-write latency of the last interval once publications flow, in the stats and their history.
 */
class EngineHealthApiTest extends RelayTestBase {
  private static final Map<String, String> VIEWER = HttpTestClient.apiKey(TestRelay.VIEWER_KEY);
  private static final Duration WAIT = Duration.ofSeconds(10);
  private String pgUrl;

  @AfterEach
  void dropDatabase() {
    if (pgUrl != null) {
      PgTestServer.dropDatabase(vertx, pgUrl);
    }
  }

  private JsonObject node() {
    return http().get("/api/v1/stats", VIEWER).json().getJsonObject("node");
  }

  private static JsonObject engine(JsonObject node, String name) {
    JsonArray engines = node.getJsonObject("health").getJsonArray("engines");
    return engines.stream().map(o -> (JsonObject) o).filter(e -> name.equals(e.getString("engine"))).findFirst()
        .orElse(null);
  }

  @Test
  @DisplayName("Redis and PostgreSQL answer their probes; the latency of publications shows in the stats and history")
  void reachableEnginesAndLatency() {
    pgUrl = PgTestServer.freshDatabase(vertx);
    startRelay(config -> config
        .put("engine", new JsonObject().put("type", "redis").put("redis_url", RedisTestServer.sharedUrl())
            .put("redis_prefix", "health-" + UUID.randomUUID()))
        .put("postgres", new JsonObject().put("url", pgUrl).put("reload_interval", "0")));
    JsonObject node = eventually(this::node, n -> engine(n, "redis") != null && engine(n, "redis").getBoolean("reachable")
        && engine(n, "postgres") != null && engine(n, "postgres").getBoolean("reachable"), WAIT);
    assertThat(engine(node, "redis").getDouble("latency_ms")).isPositive();
    assertThat(engine(node, "postgres").getDouble("latency_ms")).isPositive();

    String channel = chat(unique("latency"));
    WsTestClient bob = connected("bob");
    bob.subscribe(channel);
    WsTestClient alice = connected("alice");
    JsonObject measured = eventually(() -> {
      alice.publish(channel, new JsonObject().put("n", 1));
      return node();
    }, n -> n.getJsonObject("health").getJsonObject("publish_to_write").getLong("count") > 0, WAIT);
    JsonObject latency = measured.getJsonObject("health").getJsonObject("publish_to_write");
    assertThat(latency.getDouble("p99_ms")).isPositive().isGreaterThanOrEqualTo(latency.getDouble("p50_ms"));
    JsonObject history = eventually(() -> http().get("/api/v1/stats/history?window=5m", VIEWER).json(),
        h -> h.getJsonArray("publish_to_write_p99_ms").stream().anyMatch(v -> ((Number) v).doubleValue() > 0), WAIT);
    assertThat(history.getJsonArray("publish_to_write_p50_ms")).hasSameSizeAs(history.getJsonArray("t"));
    assertThat(http().get("/api/v1/stats", VIEWER).json().getJsonObject("cluster").getJsonObject("publish_to_write"))
        .isNotNull();
  }

  @Test
  @DisplayName("A Redis that does not answer shows as unreachable, without its address")
  void unreachableRedis() throws Exception {
    int port;
    try (ServerSocket free = new ServerSocket(0)) {
      port = free.getLocalPort(); // closed again: nothing listens there
    }
    startRelay(config -> config.put("engine", new JsonObject().put("type", "redis")
        .put("redis_url", "redis://127.0.0.1:" + port)));
    JsonObject node = eventually(this::node, n -> engine(n, "redis") != null
        && !"not probed yet".equals(engine(n, "redis").getString("problem")), WAIT);
    JsonObject redis = engine(node, "redis");
    assertThat(redis.getBoolean("reachable")).isFalse();
    assertThat(redis.getString("problem")).startsWith("no answer");
    assertThat(node.encode()).doesNotContain(Integer.toString(port));
  }
}
