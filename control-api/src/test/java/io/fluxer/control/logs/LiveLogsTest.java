package io.fluxer.control.logs;

import static io.fluxer.control.docker.SwarmTests.await;
import static io.fluxer.control.docker.SwarmTests.waitFor;
import static io.fluxer.relay.testing.HttpTestClient.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.control.api.ControlApi;
import io.fluxer.control.docker.SwarmClient;
import io.fluxer.control.docker.SwarmTests;
import io.fluxer.control.docker.TaskInfo;
import io.fluxer.control.store.ControlStore;
import io.fluxer.control.store.TestStore;
import io.fluxer.common.Addresses;
import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.HttpTestClient.Response;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Live logs and {@code service.logs} end to end, against the real local swarm
 * ({@code FLUXER_TEST_DOCKER}): a service of two counters printing numbered lines to stdout and
 * stderr, a real relay whose node announces its {@code logs:*} subscribers, a WebSocket client
 * subscribing, and HTTP through the relay's gateway.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LiveLogsTest {
  private static final Duration WITHIN = Duration.ofSeconds(20);
  private static final Duration CONVERGE = Duration.ofSeconds(40);
  private static final Map<String, String> VIEWER = HttpTestClient.apiKey(TestRelay.VIEWER_KEY);
  private static final String COUNTER = "i=0; while true; do i=$((i+1)); echo line-$i; echo err-$i >&2; sleep 0.2; done";

  private static Vertx vertx;
  private static SwarmClient client;
  private static TestStore db;
  private static TestRelay relay;
  private static HttpTestClient http;
  private static LogFollowers followers;
  private static ServiceLogs serviceLogs;
  /** A service outside any managed stack whose logs control.logs_allowed_services allows. */
  private static final String ALLOWED = "fluxer-it-allowed-" + UUID.randomUUID().toString().substring(0, 8);
  /** Publications sent to the relay's API, by channel. */
  private static final Map<String, AtomicInteger> SENT = new java.util.concurrent.ConcurrentHashMap<>();

  private String stack;
  private String service;
  private WsTestClient ws;

  @BeforeAll
  static void start() throws Exception {
    String host = SwarmTests.dockerHostOrSkip("LiveLogsTest");
    if (host == null) {
      return;
    }
    vertx = Vertx.vertx();
    client = SwarmTests.activeClient(vertx, host);
    db = TestStore.fresh(vertx);
    ControlStore store = db.store();
    LogAccess access = new LogAccess(client, store, Set.of(ALLOWED));
    serviceLogs = ServiceLogs.create(vertx, client, access);
    await(serviceLogs.registerOn(new ControlApi(store)).register(vertx.eventBus()));
    await(access.register(vertx.eventBus()));
    vertx.eventBus().addOutboundInterceptor(delivery -> {
      if (Addresses.API.equals(delivery.message().address()) && delivery.body() instanceof JsonObject request) {
        String channel = request.getJsonObject("params", new JsonObject()).getString("channel", "");
        SENT.computeIfAbsent(channel, c -> new AtomicInteger()).incrementAndGet();
      }
      delivery.next();
    });
    followers = LogFollowers.create(vertx, client, LogFollowerOptions.defaults().withPollInterval(Duration.ofSeconds(1)),
        access);
    await(followers.start());
    relay = TestRelay.start(vertx, config -> { });
    http = new HttpTestClient(vertx, relay.httpUrl());
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx == null) {
      return;
    }
    http.close();
    relay.close();
    await(followers.stop());
    await(serviceLogs.close());
    db.close();
    await(client.close());
    await(vertx.close());
  }

  @BeforeEach
  void counters() throws Exception {
    Assumptions.assumeTrue(client != null, "FLUXER_TEST_DOCKER is not set: skipping the live log tests");
    stack = "fluxer-it-" + UUID.randomUUID().toString().substring(0, 8);
    service = stack + "_counter";
    // a stack the control plane manages: its services' logs may be read
    await(db.store().addRevision(stack, "services: {}\n", Map.of(), "test"));
    await(client.createService(counterSpec(service, 2)));
    waitForRunning(2);
  }

  @AfterEach
  void cleanUp() throws Exception {
    if (client == null) {
      return;
    }
    if (ws != null) {
      ws.close();
    }
    SwarmTests.removeStack(client, stack, CONVERGE);
  }

  // ---- the tests

  @Test
  void subscribersGetEveryTasksLinesUntilTheLastLeaves() throws Exception {
    String channel = "logs:" + service;
    ws = WsTestClient.open(vertx, relay.wsUrl());
    ws.connectWith(viewerToken());
    ws.subscribe(channel);

    // both tasks, stdout and stderr, attributed
    List<TaskInfo> running = runningTasks();
    eventually(() -> lines(channel), lines -> Set.of(1, 2).equals(slots(lines)) && streams(lines).size() == 2, WITHIN);
    List<JsonObject> lines = lines(channel);
    assertThat(lines).allSatisfy(l -> {
      assertThat(running.stream().map(TaskInfo::id)).contains(l.getString("task"));
      TaskInfo task = running.stream().filter(t -> t.id().equals(l.getString("task"))).findFirst().orElseThrow();
      assertThat(l.getInteger("slot")).isEqualTo(task.slot());
      assertThat(l.getString("node_id")).isEqualTo(task.nodeId());
      assertThat(l.getString("node")).isNotBlank();
      assertThat(Instant.parse(l.getString("ts"))).isAfter(Instant.now().minusSeconds(60));
      assertThat(l.getString("text")).matches(l.getString("stream").equals("stdout") ? "line-\\d+" : "err-\\d+");
    });
    JsonObject first = ws.publications(channel).get(0).getJsonObject("data");
    assertThat(first.getString("type")).isEqualTo("lines");
    assertThat(first.getString("service")).isEqualTo(service);
    assertThat(followers.followedServices()).contains(service);

    // a scale-up's new task is followed too
    await(client.scaleService(service, 3));
    eventually(() -> lines(channel), l -> slots(l).contains(3), WITHIN);
    waitFor("3 task log streams", WITHIN, () -> Future.succeededFuture(followers.status()),
        s -> s.getJsonObject("services").getJsonObject(service, new JsonObject()).getInteger("streams", 0) == 3);

    // in order and complete per task and stream: consecutive numbers, none twice
    for (List<Integer> numbers : numbersByTaskAndStream(lines(channel))) {
      for (int i = 1; i < numbers.size(); i++) {
        assertThat(numbers.get(i)).as("%s", numbers).isEqualTo(numbers.get(i - 1) + 1);
      }
    }

    // the last subscriber leaves: the relay's next notice ends the following and its streams
    ws.result("unsubscribe", new JsonObject().put("channel", channel));
    waitFor("following " + service + " stopped", WITHIN, () -> Future.succeededFuture(followers.status()),
        s -> !s.getJsonObject("services").containsKey(service));
    eventually(followers::openStreams, n -> n == 0, WITHIN);
    int sent = SENT.get(channel).get();
    // nothing more is published: give a stray batch two poll intervals and a window to show up
    long quietUntil = System.nanoTime() + Duration.ofMillis(2_500).toNanos();
    while (System.nanoTime() < quietUntil) {
      assertThat(SENT.get(channel).get()).isEqualTo(sent);
      Thread.sleep(100);
    }
  }

  @Test
  void aChannelWithoutItsServiceWaitsForItAndASilentNodeExpires() throws Exception {
    String later = stack + "_later";
    String node = "test-node-" + UUID.randomUUID();
    // a node announcing a service that does not exist yet, then going silent (no notice after this one):
    // not followed while missing (nothing to read), asked about again after LogFollowers.RECHECK_MILLIS
    vertx.eventBus().publish(Addresses.CONTROL_INTEREST, new JsonObject().put("node", node)
        .put("channels", new JsonArray().add("logs:" + later)).put("repeat_ms", 5_000));
    await(client.createService(counterSpec(later, 1)));
    waitFor("the new service's task followed", WITHIN, () -> Future.succeededFuture(followers.status()),
        s -> s.getJsonObject("services").getJsonObject(later, new JsonObject()).getInteger("streams", 0) == 1);
    eventually(() -> SENT.getOrDefault("logs:" + later, new AtomicInteger()).get(), n -> n > 0, WITHIN);
    // 3 × repeat_ms without a notice: the node's interest ends
    eventually(followers::followedServices, s -> !s.contains(later), WITHIN);
    waitFor("its streams closed", WITHIN, () -> Future.succeededFuture(followers.status()),
        s -> !s.getJsonObject("services").containsKey(later));
  }

  @Test
  void serviceLogsAnswersTheRecentLinesOfEveryTask() throws Exception {
    waitFor("40 lines logged", WITHIN, () -> Future.succeededFuture(logs("tail=1000")),
        r -> r.status() == 200 && r.json().getJsonArray("lines").size() >= 40);

    Response tail = logs("tail=12");
    assertThat(tail.status()).as("%s", tail).isEqualTo(200);
    assertThat(tail.json().getString("service")).isEqualTo(service);
    List<JsonObject> lines = objects(tail.json().getJsonArray("lines"));
    assertThat(lines).hasSize(12);
    assertThat(slots(lines)).containsExactlyInAnyOrder(1, 2);
    assertThat(streams(lines)).containsExactlyInAnyOrder("stdout", "stderr");
    assertThat(lines.stream().map(l -> Instant.parse(l.getString("ts"))).toList()).isSorted();
    assertThat(lines).allSatisfy(l -> assertThat(l.getString("task")).isNotBlank());

    Response defaults = logs("");
    assertThat(objects(defaults.json().getJsonArray("lines"))).hasSizeBetween(40, 100);
    Response byId = http.get("/api/v1/services/" + await(client.inspectService(service)).id() + "/logs", VIEWER);
    assertThat(byId.status()).isEqualTo(200);
    assertThat(byId.json().getString("service")).isEqualTo(service);

    Response grep = logs("tail=5&grep=" + query("^err-\\d*[13579]$"));
    List<JsonObject> errs = objects(grep.json().getJsonArray("lines"));
    assertThat(errs).hasSize(5).allSatisfy(l -> {
      assertThat(l.getString("stream")).isEqualTo("stderr");
      assertThat(l.getString("text")).matches("err-\\d*[13579]");
    });

    String since = lines.get(6).getString("ts");
    List<JsonObject> after = objects(logs("tail=1000&since=" + query(since)).json().getJsonArray("lines"));
    assertThat(after).isNotEmpty().allSatisfy(l ->
        assertThat(Instant.parse(l.getString("ts"))).isAfterOrEqualTo(Instant.parse(since)));
    long unixNow = Instant.now().plusSeconds(3600).getEpochSecond();
    assertThat(objects(logs("since=" + unixNow).json().getJsonArray("lines"))).isEmpty();

    Response badGrep = logs("grep=" + query("line-("));
    assertThat(badGrep.status()).isEqualTo(400);
    assertThat(badGrep.errorMessage()).startsWith("grep is not a valid regular expression");
    assertThat(logs("tail=1001").status()).isEqualTo(400);
    assertThat(logs("since=soon").errorMessage()).contains("since must be an RFC 3339 timestamp");
    Response unknown = http.get("/api/v1/services/" + stack + "_nope/logs", VIEWER);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.errorMessage()).isEqualTo("no service " + stack + "_nope");
  }

  @Test
  void onlyServicesOfManagedStacksOrAllowedOnesCanBeRead() throws Exception {
    String unmanaged = "fluxer-it-" + UUID.randomUUID().toString().substring(0, 8) + "_db";
    JsonObject bare = counterSpec(unmanaged, 1);
    bare.remove("Labels");
    String unmanagedId = await(client.createService(bare)).getString("ID");
    JsonObject allowedSpec = counterSpec(ALLOWED, 1);
    allowedSpec.remove("Labels");
    await(client.createService(allowedSpec));
    try {
      // HTTP: as if it did not exist, by name or by ID
      for (String id : List.of(unmanaged, unmanagedId)) {
        Response r = http.get("/api/v1/services/" + id + "/logs", VIEWER);
        assertThat(r.status()).as("%s", r).isEqualTo(404);
        assertThat(r.errorMessage()).isEqualTo("no service " + id);
      }
      // the relay refuses the subscription
      ws = WsTestClient.open(vertx, relay.wsUrl());
      ws.connectWith(viewerToken());
      assertThat(ws.errorCode("subscribe", new JsonObject().put("channel", "logs:" + unmanaged))).isEqualTo(103);
      // and a subscriber by other means gets nothing: interest in it is not followed
      String node = "test-node-" + UUID.randomUUID();
      vertx.eventBus().publish(Addresses.CONTROL_INTEREST, new JsonObject().put("node", node)
          .put("channels", new JsonArray().add("logs:" + unmanaged).add("logs:" + service)).put("repeat_ms", 3_000));
      eventually(followers::followedServices, s -> s.contains(service), WITHIN);
      assertThat(followers.followedServices()).doesNotContain(unmanaged);

      // allowlisted by name: readable over HTTP and live
      waitFor("the allowed service's lines", WITHIN,
          () -> Future.succeededFuture(http.get("/api/v1/services/" + ALLOWED + "/logs", VIEWER)),
          r -> r.status() == 200 && !r.json().getJsonArray("lines").isEmpty());
      ws.subscribe("logs:" + ALLOWED);
      eventually(() -> lines("logs:" + ALLOWED), l -> !l.isEmpty(), WITHIN);
      // the managed stack's service, live
      ws.subscribe("logs:" + service);
      eventually(() -> lines("logs:" + service), l -> !l.isEmpty(), WITHIN);
    } finally {
      await(client.removeService(unmanagedId));
      await(client.removeService(ALLOWED));
    }
  }

  // ---- helpers

  private Response logs(String query) {
    return http.get("/api/v1/services/" + service + "/logs" + (query.isEmpty() ? "" : "?" + query), VIEWER);
  }

  private static String query(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private String viewerToken() {
    return relay.token(new JsonObject().put("sub", "viewer").put("roles", new JsonArray().add("viewer"))
        .put("exp", Instant.now().getEpochSecond() + 3600));
  }

  /** Every line published on the channel so far. */
  private List<JsonObject> lines(String channel) {
    List<JsonObject> out = new ArrayList<>();
    for (JsonObject pub : ws.publications(channel)) {
      JsonObject data = pub.getJsonObject("data");
      assertThat(data.getString("type")).as("%s", data).isEqualTo("lines");
      out.addAll(objects(data.getJsonArray("lines")));
    }
    return out;
  }

  private static List<JsonObject> objects(JsonArray array) {
    return array.stream().map(JsonObject.class::cast).toList();
  }

  private static Set<Integer> slots(List<JsonObject> lines) {
    return lines.stream().map(l -> l.getInteger("slot")).collect(Collectors.toSet());
  }

  private static Set<String> streams(List<JsonObject> lines) {
    return lines.stream().map(l -> l.getString("stream")).collect(Collectors.toSet());
  }

  private static List<List<Integer>> numbersByTaskAndStream(List<JsonObject> lines) {
    return new ArrayList<>(lines.stream().collect(Collectors.groupingBy(
        l -> l.getString("task") + " " + l.getString("stream"), java.util.LinkedHashMap::new,
        Collectors.mapping(l -> Integer.parseInt(l.getString("text").replaceAll("\\D", "")), Collectors.toList())))
        .values());
  }

  private List<TaskInfo> runningTasks() throws Exception {
    return await(client.listTasks(service)).stream().filter(t -> t.isRunning() && "running".equals(t.desiredState()))
        .toList();
  }

  private void waitForRunning(int replicas) throws Exception {
    waitFor(replicas + " tasks of " + service + " running", CONVERGE, () -> client.listTasks(service),
        tasks -> tasks.stream().filter(t -> t.isRunning() && "running".equals(t.desiredState())).count() == replicas);
  }

  private JsonObject counterSpec(String name, int replicas) {
    return new JsonObject()
        .put("Name", name)
        .put("Labels", new JsonObject().put(SwarmClient.STACK_NAMESPACE_LABEL, stack))
        .put("TaskTemplate", new JsonObject()
            .put("ContainerSpec", new JsonObject()
                .put("Image", "fluxer-test/busybox:1")
                .put("Command", new JsonArray().add("sh").add("-c").add(COUNTER))
                .put("StopSignal", "SIGKILL")
                .put("StopGracePeriod", Duration.ofSeconds(1).toNanos())))
        .put("Mode", new JsonObject().put("Replicated", new JsonObject().put("Replicas", replicas)))
        .put("UpdateConfig", new JsonObject().put("Monitor", Duration.ofSeconds(1).toNanos()));
  }
}
