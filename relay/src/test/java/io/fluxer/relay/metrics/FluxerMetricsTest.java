package io.fluxer.relay.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxer.relay.engine.HistoryFilter;
import io.fluxer.relay.engine.PublishOptions;
import io.fluxer.relay.protocol.StreamPosition;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * {@code /metrics} on a plain Vert.x instance: the node keeps Fluxer's meters in a registry of its
 * own, and they follow real client traffic.
 */
@ExtendWith(VertxExtension.class)
class FluxerMetricsTest {
  private static final String NODE = "test";

  private Vertx vertx;
  private TestRelay relay;
  private final List<WsTestClient> clients = new ArrayList<>();

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    relay = TestRelay.start(vertx, config -> { });
  }

  @AfterEach
  void stop() {
    clients.forEach(WsTestClient::close);
    relay.close();
  }

  private WsTestClient connected(String user) {
    WsTestClient c = WsTestClient.open(vertx, relay.wsUrl());
    clients.add(c);
    c.connectWith(relay.token(user));
    return c;
  }

  private Scrape await(String what, Predicate<Scrape> condition) {
    return Scrape.await(vertx, relay.port(), what, condition);
  }

  @Test
  @DisplayName("Gauges follow connections, users, subscriptions and channels; counters and histograms follow traffic")
  void metricsFollowTraffic() {
    assertThat(relay.node().metrics().sharesVertxRegistry()).isFalse();
    String channel = "chat:" + UUID.randomUUID();
    WsTestClient a = connected("alice");
    WsTestClient b = connected("bob");
    WsTestClient c = connected("carol");
    for (WsTestClient client : List.of(a, b, c)) {
      client.subscribe(channel);
    }

    await("3 connections, users and subscriptions in 1 channel", s ->
        s.sum("fluxer_connections", "node", NODE) == 3
            && s.sum("fluxer_users", "node", NODE) == 3
            && s.sum("fluxer_subscriptions", "node", NODE) == 3
            && s.sum("fluxer_channels", "node", NODE) == 1);

    int publications = 5;
    for (int i = 0; i < publications; i++) {
      a.publish(channel, new JsonObject().put("n", i));
    }
    for (WsTestClient client : List.of(a, b, c)) {
      client.awaitPublications(channel, publications, Scrape.TIMEOUT);
    }

    Scrape s = await("publish-to-write latencies of " + publications + " publications",
        x -> x.sum("fluxer_publish_to_write_seconds_count", "node", NODE) >= publications);
    // Once per publication and event loop with subscribers (the clients are spread over 2 loops).
    assertThat(s.sum("fluxer_publish_to_write_seconds_count", "node", NODE)).isLessThanOrEqualTo(2.0 * publications);
    assertThat(s.sum("fluxer_publish_to_write_seconds_sum", "node", NODE)).isPositive();
    assertThat(s.matching("fluxer_publish_to_write_seconds_bucket", "node", NODE))
        .extracting(sample -> sample.labels().get("le"))
        .contains("1.0E-5", "0.001", "1.0", "+Inf");
    assertThat(s.sum("fluxer_publish_to_write_seconds_bucket", "node", NODE, "le", "+Inf"))
        .isEqualTo(s.sum("fluxer_publish_to_write_seconds_count", "node", NODE));
    // 3 × (connect + subscribe) + 5 publishes
    assertThat(s.sum("fluxer_messages_in_total", "node", NODE)).isGreaterThanOrEqualTo(11);
    assertThat(s.sum("fluxer_bytes_in_total", "node", NODE)).isPositive();
    // 3 × 5 publications, plus replies and join pushes
    assertThat(s.sum("fluxer_messages_out_total", "node", NODE)).isGreaterThanOrEqualTo(15 + 11);
    assertThat(s.sum("fluxer_bytes_out_total", "node", NODE)).isPositive();
    assertThat(s.sum("fluxer_connects_total", "node", NODE)).isEqualTo(3);
    assertThat(s.sum("fluxer_slow_drops_total", "node", NODE)).isZero();
    assertThat(s.sum("fluxer_engine_operation_seconds_count",
        "node", NODE, "engine", "broker", "operation", "publish", "outcome", "success")).isGreaterThanOrEqualTo(publications);
    // The chat namespace is recoverable with presence: each subscribe reads the stream position and adds presence.
    assertThat(s.sum("fluxer_engine_operation_seconds_count",
        "node", NODE, "engine", "broker", "operation", "history", "outcome", "success")).isGreaterThanOrEqualTo(3);
    assertThat(s.sum("fluxer_engine_operation_seconds_count",
        "node", NODE, "engine", "presence", "operation", "add_presence", "outcome", "success")).isEqualTo(3);
    assertThat(s.has("fluxer_engine_operation_seconds_bucket", "operation", "publish", "le", "0.001")).isTrue();
    assertThat(s.has("fluxer_event_loop_delay_seconds_count", "node", NODE)).isTrue();
    assertThat(s.has("jvm_memory_used_bytes", "node", NODE, "area", "heap")).isTrue();
  }

  @Test
  @DisplayName("The allocation counter grows by at least the bytes of the publications the node took in")
  void allocationCounterFollowsTraffic() {
    String channel = "chat:" + UUID.randomUUID();
    WsTestClient a = connected("alice");
    a.subscribe(channel);
    double before = await("the allocation counter", x -> x.sum("fluxer_jvm_allocated_bytes_total", "node", NODE) > 0)
        .sum("fluxer_jvm_allocated_bytes_total", "node", NODE);
    int publications = 20;
    String data = "x".repeat(30_000);
    for (int i = 0; i < publications; i++) {
      a.publish(channel, new JsonObject().put("d", data));
    }
    a.awaitPublications(channel, publications, Scrape.TIMEOUT);
    // each publication is decoded from its frame into a String of its data on the node, at least
    double after = await("the allocation counter", x -> true).sum("fluxer_jvm_allocated_bytes_total", "node", NODE);
    assertThat(after - before).isGreaterThanOrEqualTo((double) publications * data.length());
  }

  @Test
  @DisplayName("Disconnects are counted by close code, and the gauges drop with them")
  void disconnectsByCode() {
    String channel = "chat:" + UUID.randomUUID();
    WsTestClient a = connected("alice");
    WsTestClient a2 = connected("alice");
    WsTestClient b = connected("bob");
    a.subscribe(channel);
    b.subscribe(channel);
    await("3 connections of 2 users", s ->
        s.sum("fluxer_connections", "node", NODE) == 3 && s.sum("fluxer_users", "node", NODE) == 2);

    b.sendRaw("this is not a command");
    assertThat(b.awaitClose(Scrape.TIMEOUT).code()).isEqualTo((short) 3501);
    Scrape s = await("the 3501 close", x -> x.sum("fluxer_disconnects_total", "node", NODE, "code", "3501") == 1);
    assertThat(s.sum("fluxer_connections", "node", NODE)).isEqualTo(2);
    assertThat(s.sum("fluxer_users", "node", NODE)).isEqualTo(1);
    assertThat(s.sum("fluxer_subscriptions", "node", NODE)).isEqualTo(1);
    assertThat(s.sum("fluxer_channels", "node", NODE)).isEqualTo(1);

    a.close();
    a2.close();
    s = await("no connections left, 2 closed by the client", x ->
        x.sum("fluxer_connections", "node", NODE) == 0
            && x.sum("fluxer_disconnects_total", "node", NODE, "code", "0") == 2);
    assertThat(s.sum("fluxer_users", "node", NODE)).isZero();
    assertThat(s.sum("fluxer_subscriptions", "node", NODE)).isZero();
    assertThat(s.sum("fluxer_channels", "node", NODE)).isZero();
    assertThat(s.sum("fluxer_disconnects_total", "node", NODE)).isEqualTo(3);
  }

  @Test
  @DisplayName("The text format by default, OpenMetrics when asked for")
  void formats() {
    Scrape text = Scrape.get(vertx, relay.port());
    assertThat(text.contentType).startsWith("text/plain; version=0.0.4");
    assertThat(text.text).contains("# TYPE fluxer_connections gauge");
    Scrape open = Scrape.get(vertx, relay.port(), "application/openmetrics-text; version=1.0.0");
    assertThat(open.contentType).startsWith("application/openmetrics-text");
    assertThat(open.text.strip()).endsWith("# EOF");
  }

  @Test
  @DisplayName("Engine operations are timed by outcome; an error timer appears with the first failure")
  void engineOutcomes() {
    String channel = "chat:" + UUID.randomUUID();
    var broker = relay.node().context().broker();
    assertThat(broker).isInstanceOf(TimedBroker.class);
    TestRelay.await(broker.publish(channel, "{}", PublishOptions.withHistory(10, Duration.ofMinutes(1))));
    Scrape before = Scrape.get(vertx, relay.port());
    assertThat(before.has("fluxer_engine_operation_seconds_count", "operation", "history", "outcome", "error")).isFalse();

    assertThatThrownBy(() -> TestRelay.await(broker.history(channel,
        HistoryFilter.since(new StreamPosition(1, "not-the-epoch"), 10)))).isInstanceOf(AssertionError.class);
    Scrape after = Scrape.get(vertx, relay.port());
    assertThat(after.sum("fluxer_engine_operation_seconds_count",
        "node", NODE, "engine", "broker", "operation", "history", "outcome", "error")).isEqualTo(1);
    assertThat(after.sum("fluxer_engine_operation_seconds_count",
        "node", NODE, "engine", "broker", "operation", "publish", "outcome", "success")).isGreaterThanOrEqualTo(1);
  }
}
