package io.fluxer.relay.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.common.metrics.VertxMetricsSetup;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A node on a Vert.x built like {@code Main} (Micrometer with the Prometheus backend): one scrape
 * holds Vert.x's, the JVM's and Fluxer's meters, and stopping the node takes Fluxer's out again.
 */
class VertxMetricsTest {
  private Vertx vertx;

  @BeforeEach
  void createVertx() {
    vertx = VertxMetricsSetup.create(new VertxOptions());
  }

  @AfterEach
  void closeVertx() {
    TestRelay.await(vertx.close());
  }

  @Test
  @DisplayName("/metrics serves vertx_, jvm_ and fluxer_ metrics from Vert.x's registry")
  void vertxAndFluxerMetricsInOneScrape() {
    assertThat(vertx.isMetricsEnabled()).isTrue();
    TestRelay relay = TestRelay.start(vertx, config -> { });
    MeterRegistry registry;
    try (WsTestClient client = WsTestClient.open(vertx, relay.wsUrl())) {
      client.connectWith(relay.token("alice"));
      assertThat(relay.node().metrics().sharesVertxRegistry()).isTrue();
      registry = relay.node().metrics().registry();

      Scrape s = Scrape.await(vertx, relay.port(), "one connection in both Vert.x's and Fluxer's metrics", x ->
          x.sum("fluxer_connections", "node", "test") == 1);
      assertThat(s.names("vertx_")).contains("vertx_http_server_requests_total", "vertx_eventbus_handlers");
      assertThat(s.names("jvm_")).contains("jvm_memory_used_bytes");
      assertThat(s.names("netty_")).isNotEmpty();
      assertThat(s.names("fluxer_")).contains("fluxer_connections", "fluxer_messages_out_total",
          "fluxer_publish_to_write_seconds_bucket", "fluxer_engine_operation_seconds_bucket");
    } finally {
      relay.close();
    }
    assertThat(registry.getMeters()).noneMatch(m -> m.getId().getName().startsWith("fluxer."));
    assertThat(registry.getMeters()).anyMatch(m -> m.getId().getName().startsWith("vertx."));
  }

  @Test
  @DisplayName("Connection gauges fall back to zero when WebSocket clients leave")
  void connectionGaugesFollowClients() {
    TestRelay relay = TestRelay.start(vertx, config -> { });
    try {
      WsTestClient a = WsTestClient.open(vertx, relay.wsUrl());
      WsTestClient b = WsTestClient.open(vertx, relay.wsUrl());
      a.connectWith(relay.token("alice"));
      b.connectWith(relay.token("bob"));
      Scrape.await(vertx, relay.port(), "two connections", x -> x.sum("fluxer_connections", "node", "test") == 2);
      a.close();
      b.close();
      Scrape s = Scrape.await(vertx, relay.port(), "no connections",
          x -> x.sum("fluxer_connections", "node", "test") == 0);
      assertThat(s.names("vertx_")).as("Vert.x gauges that closed WebSocket connections would leave behind")
          .doesNotContain("vertx_http_server_active_ws_connections", "vertx_http_server_active_connections")
          .contains("vertx_http_server_requests_total", "vertx_http_server_bytes_read_total");
    } finally {
      relay.close();
    }
  }

  @Test
  @DisplayName("Every metric the Grafana dashboard queries is in the scrape")
  void dashboardQueriesServedMetrics() throws IOException {
    JsonObject dashboard = new JsonObject(Files.readString(Path.of("../docs/grafana-dashboard.json")));
    assertThat(dashboard.getInteger("schemaVersion")).isGreaterThanOrEqualTo(39);
    TreeSet<String> queried = new TreeSet<>();
    Pattern metric = Pattern.compile("\\b((?:fluxer|vertx|jvm|netty|process)_[a-z0-9_]+)");
    JsonArray panels = dashboard.getJsonArray("panels");
    for (int i = 0; i < panels.size(); i++) {
      JsonArray targets = panels.getJsonObject(i).getJsonArray("targets", new JsonArray());
      for (int j = 0; j < targets.size(); j++) {
        Matcher m = metric.matcher(targets.getJsonObject(j).getString("expr"));
        while (m.find()) {
          queried.add(m.group(1));
        }
      }
    }
    assertThat(queried).contains("fluxer_connections", "fluxer_publish_to_write_seconds_bucket",
        "fluxer_disconnects_total", "fluxer_engine_operation_seconds_bucket", "jvm_memory_used_bytes");

    TestRelay relay = TestRelay.start(vertx, config -> { });
    try (WsTestClient client = WsTestClient.open(vertx, relay.wsUrl());
         WsTestClient dropped = WsTestClient.open(vertx, relay.wsUrl())) {
      client.connectWith(relay.token("alice"));
      client.subscribe("chat:dashboard");
      client.publish("chat:dashboard", new JsonObject().put("n", 1));
      client.awaitPublications("chat:dashboard", 1, Scrape.TIMEOUT);
      dropped.sendRaw("not a command");
      dropped.awaitClose(Scrape.TIMEOUT);
      // GC pause timers appear with the first collection.
      System.gc();
      // A node alone hands its publications to its loops without the event bus, whose meters
      // appear with its first message (in a cluster: publications, heartbeats): send one, to
      // check that the names the event bus panel queries are the ones Vert.x serves.
      vertx.eventBus().consumer("fluxer.test.metrics", m -> { }).completion().await();
      vertx.eventBus().publish("fluxer.test.metrics", "x");
      Scrape s = Scrape.await(vertx, relay.port(), "a disconnect and a GC pause",
          x -> x.has("fluxer_disconnects_total") && x.has("jvm_gc_pause_seconds_sum")
              && x.has("vertx_eventbus_delivered_total"));
      TreeSet<String> served = new TreeSet<>(s.names(""));
      assertThat(served).containsAll(queried);
    } finally {
      relay.close();
    }
  }
}
