package io.fluxer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.bench.ceiling.CeilingServer;
import io.fluxer.relay.config.RelayConfig;
import io.fluxer.relay.Main;
import io.fluxer.relay.node.RelayNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs a short fan-out (20 subscribers, 200 publications/s for 2 s) against an in-process relay
 * and an in-process ceiling server (and with Protobuf subscribers against the relay), and checks
 * that every publication reached every subscriber and that the report files were written. It
 * checks delivery, not speed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BenchSmokeTest {
  private static final int SUBSCRIBERS = 20;
  private static final double RATE = 200;
  private static final double SECONDS = 2;

  @TempDir
  Path out;
  private Vertx relayVertx;
  private Vertx ceilingVertx;
  private RelayNode relay;
  private CeilingServer ceiling;

  @BeforeEach
  void startServers() {
    // One Vert.x each: servers on port 0 of one Vert.x instance would share a listener.
    relayVertx = Vertx.vertx();
    ceilingVertx = Vertx.vertx();
    relay = await(Main.startNode(relayVertx, RelayConfig.fromJson(relayConfig())));
    ceiling = await(CeilingServer.start(ceilingVertx, "127.0.0.1", 0, 1));
  }

  @AfterEach
  void stopServers() {
    if (relay != null) {
      await(relay.stop());
    }
    if (ceiling != null) {
      await(ceiling.stop());
    }
    await(relayVertx.close());
    await(ceilingVertx.close());
  }

  @Test
  void fanOutDeliversEveryPublicationToEverySubscriberOfRelayAndCeiling() throws Exception {
    JsonObject relayRun = Bench.run(options("relay", relay.port()), line -> System.out.println("[relay] " + line));
    JsonObject ceilingRun = Bench.run(options("ceiling", ceiling.port()), line -> System.out.println("[ceiling] " + line));

    assertEveryDelivery(relayRun);
    assertEveryDelivery(ceilingRun);

    assertThat(out.resolve("relay.json")).isRegularFile();
    assertThat(out.resolve("ceiling.json")).isRegularFile();
    String report = Files.readString(out.resolve("report.md"));
    assertThat(report).contains("| relay |").contains("| ceiling |").contains("## Fan-out");
    assertThat(Files.readString(out.resolve("chart.svg"))).startsWith("<svg").contains("relay").contains("ceiling");
  }

  @Test
  void protobufSubscribersGetEveryPublication() throws Exception {
    JsonObject run = Bench.run(options("relay-protobuf", relay.port(), "--encoding", "protobuf"),
        line -> System.out.println("[relay-protobuf] " + line));

    assertThat(run.getJsonObject("options").getString("encoding")).isEqualTo("protobuf");
    assertEveryDelivery(run);
  }

  private static void assertEveryDelivery(JsonObject run) {
    JsonObject fanout = run.getJsonObject("scenarios").getJsonObject("fanout");
    assertThat(fanout.getInteger("connections")).isEqualTo(SUBSCRIBERS);
    JsonArray steps = fanout.getJsonArray("steps");
    assertThat(steps).hasSize(1);
    JsonObject step = steps.getJsonObject(0);
    long published = Math.round(RATE * SECONDS);
    assertThat(step.getLong("published")).as(run.getString("label") + " published").isEqualTo(published);
    assertThat(step.getLong("publish_errors")).isZero();
    assertThat(step.getInteger("receivers")).isEqualTo(SUBSCRIBERS);
    assertThat(step.getLong("expected")).isEqualTo(published * SUBSCRIBERS);
    assertThat(step.getLong("received")).as(run.getString("label") + " received").isEqualTo(published * SUBSCRIBERS);
    assertThat(step.getLong("lost")).isZero();
    assertThat(step.getLong("gaps")).isZero();
    assertThat(step.getLong("duplicates")).isZero();
    assertThat(step.getJsonObject("latency_ms").getLong("count")).isEqualTo(published * SUBSCRIBERS);
    assertThat(step.getJsonObject("disconnects")).isEmpty();
  }

  private BenchOptions options(String label, int port, String... extra) {
    List<String> args = new ArrayList<>(List.of(
        "fanout",
        "--url", "ws://127.0.0.1:" + port + "/connection/websocket",
        "--label", label,
        "--out", out.toString(),
        "--subscribers", Integer.toString(SUBSCRIBERS),
        "--rates", Double.toString(RATE),
        "--step-seconds", Double.toString(SECONDS),
        "--warmup-seconds", "0",
        "--drain-seconds", "5",
        "--loops", "2",
        "--warmup-connections", "0"));
    args.addAll(List.of(extra));
    return BenchOptions.parse(args.toArray(String[]::new));
  }

  /** The dev relay's settings (namespace chat with history, presence and join/leave) on a free port. */
  private static JsonObject relayConfig() {
    JsonObject chat = new JsonObject()
        .put("name", "chat")
        .put("history_size", 100)
        .put("history_ttl", "5m")
        .put("force_recovery", true)
        .put("presence", true)
        .put("join_leave", true)
        .put("force_push_join_leave", true)
        .put("allow_subscribe_for_client", true)
        .put("allow_publish_for_client", true);
    return new JsonObject()
        .put("server", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("instances", 2).put("node_name", "bench"))
        .put("client", new JsonObject())
        .put("token", new JsonObject().put("hmac_secret_key", BenchOptions.DEV_SECRET))
        .put("channel", new JsonObject().put("namespaces", new JsonArray().add(chat)));
  }

  private static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("future did not complete: " + e, e);
    }
  }
}
