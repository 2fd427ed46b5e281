package io.fluxer.control.events;

import static io.fluxer.control.docker.SwarmTests.await;
import static io.fluxer.relay.testing.HttpTestClient.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.control.docker.SwarmClient;
import io.fluxer.control.docker.SwarmTests;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Engine events on {@code swarm:events} end to end: the real local swarm ({@code FLUXER_TEST_DOCKER}),
 * a real relay, a WebSocket client subscribed to the channel.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class SwarmEventsTest {
  private static final Duration WITHIN = Duration.ofSeconds(20);
  private static final Duration CONVERGE = Duration.ofSeconds(40);

  private static Vertx vertx;
  private static SwarmClient client;
  private static TestRelay relay;

  private SwarmEvents events;
  private String stack;
  private WsTestClient ws;

  @BeforeAll
  static void start() throws Exception {
    String host = SwarmTests.dockerHostOrSkip("SwarmEventsTest");
    if (host == null) {
      return;
    }
    vertx = Vertx.vertx();
    client = SwarmTests.activeClient(vertx, host);
    relay = TestRelay.start(vertx, config -> { });
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx == null) {
      return;
    }
    relay.close();
    await(client.close());
    await(vertx.close());
  }

  @BeforeEach
  void follow() throws Exception {
    Assumptions.assumeTrue(client != null, "FLUXER_TEST_DOCKER is not set: skipping the swarm event tests");
    stack = "fluxer-it-" + UUID.randomUUID().toString().substring(0, 8);
    ws = WsTestClient.open(vertx, relay.wsUrl());
    ws.connectWith(relay.token(new JsonObject().put("sub", "viewer").put("roles", new JsonArray().add("viewer"))
        .put("exp", Instant.now().getEpochSecond() + 3600)));
    ws.subscribe(SwarmEvents.CHANNEL);
    events = SwarmEvents.create(vertx, client);
    await(events.start());
    eventually(events::connected, c -> c, WITHIN);
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (client == null) {
      return;
    }
    await(events.stop());
    assertThat(events.connected()).isFalse();
    ws.close();
    SwarmTests.removeStack(client, stack, CONVERGE);
  }

  @Test
  void aServiceItsTasksAndItsRemovalInOrder() throws Exception {
    String name = stack + "_ticker";
    String id = await(client.createService(tickerSpec(name))).getString("ID");
    JsonObject created = awaitEvent(e -> e.getString("type").equals("service") && e.getString("action").equals("create")
        && name.equals(e.getString("name")));
    assertThat(created.getString("id")).isEqualTo(id);
    assertThat(created.getString("service")).isEqualTo(name);
    assertThat(created.getJsonObject("attributes").getString("name")).isEqualTo(name);
    assertThat(created.getLong("time")).isBetween(Instant.now().minusSeconds(60).toEpochMilli(),
        Instant.now().plusSeconds(5).toEpochMilli());

    JsonObject started = awaitEvent(e -> e.getString("type").equals("task") && e.getString("action").equals("start")
        && name.equals(e.getString("service")));
    String task = started.getString("id");
    assertThat(await(client.listTasks(id))).anySatisfy(t -> {
      assertThat(t.id()).isEqualTo(task);
      assertThat(started.getString("node")).isEqualTo(t.nodeId());
      assertThat(started.getString("container")).isEqualTo(t.containerId());
    });
    assertThat(started.getString("name")).startsWith(name + ".1.");
    assertThat(started.getJsonObject("attributes").getString(SwarmEvent.TASK_LABEL)).isEqualTo(task);

    await(client.removeService(id));
    awaitEvent(e -> e.getString("type").equals("service") && e.getString("action").equals("remove")
        && id.equals(e.getString("id")));
    awaitEvent(e -> e.getString("type").equals("task") && e.getString("action").equals("destroy")
        && task.equals(e.getString("id")));

    List<String> story = mine(name).stream().map(e -> e.getString("type") + " " + e.getString("action")).toList();
    assertThat(story).containsSubsequence("service create", "task create", "task start", "service remove");
    assertThat(story.stream().filter("service create"::equals)).hasSize(1);
    assertThat(ws.publications(SwarmEvents.CHANNEL)).noneSatisfy(p ->
        assertThat(p.getJsonObject("data").getString("type")).isEqualTo("container"));
  }

  @Test
  void aBrokenStreamResumesWithoutLosingOrDoublingEvents() throws Exception {
    String first = stack + "_first";
    String second = stack + "_second";
    await(client.createService(tickerSpec(first)));
    awaitEvent(e -> "task".equals(e.getString("type")) && "start".equals(e.getString("action"))
        && first.equals(e.getString("service")));
    long connections = events.connections();
    // break the stream, and make events while it is down: the next stream replays from since
    events.breakStream();
    await(client.createService(tickerSpec(second)));
    eventually(events::connections, n -> n > connections, WITHIN);
    awaitEvent(e -> "task".equals(e.getString("type")) && "start".equals(e.getString("action"))
        && second.equals(e.getString("service")));
    await(client.removeService(first));
    awaitEvent(e -> "service".equals(e.getString("type")) && "remove".equals(e.getString("action"))
        && first.equals(e.getString("name")));

    for (String name : List.of(first, second)) {
      List<String> story = mine(name).stream().map(e -> e.getString("type") + " " + e.getString("action")
          + " " + e.getString("id") + " " + e.getLong("time")).toList();
      assertThat(story).as("events of %s", name).doesNotHaveDuplicates();
      assertThat(story.stream().filter(s -> s.startsWith("service create "))).as("%s", story).hasSize(1);
      assertThat(story.stream().filter(s -> s.startsWith("task start "))).as("%s", story).hasSize(1);
    }
  }

  // ---- helpers

  private JsonObject awaitEvent(Predicate<JsonObject> match) {
    return ws.awaitMessage(m -> {
      JsonObject push = m.getJsonObject("push");
      return push != null && SwarmEvents.CHANNEL.equals(push.getString("channel")) && push.containsKey("pub")
          && match.test(push.getJsonObject("pub").getJsonObject("data"));
    }, WITHIN).getJsonObject("push").getJsonObject("pub").getJsonObject("data");
  }

  /** This test's events (of its services and their tasks), in the order they arrived. */
  private List<JsonObject> mine(String service) {
    return ws.publications(SwarmEvents.CHANNEL).stream().map(p -> p.getJsonObject("data"))
        .filter(e -> service.equals(e.getString("service"))).toList();
  }

  private JsonObject tickerSpec(String name) {
    return new JsonObject()
        .put("Name", name)
        .put("Labels", new JsonObject().put(SwarmClient.STACK_NAMESPACE_LABEL, stack))
        .put("TaskTemplate", new JsonObject().put("ContainerSpec", new JsonObject()
            .put("Image", "fluxer-test/busybox:1")
            .put("Command", new JsonArray().add("sh").add("-c").add("while true; do echo tick; sleep 1; done"))
            .put("StopSignal", "SIGKILL")
            .put("StopGracePeriod", Duration.ofSeconds(1).toNanos())))
        .put("Mode", new JsonObject().put("Replicated", new JsonObject().put("Replicas", 1)));
  }
}
