package io.fluxer.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.NodeScript;
import io.fluxer.relay.testing.RedisTestServer;
import io.fluxer.relay.testing.RelayCluster;
import io.fluxer.relay.testing.RelayProcess;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Node loss under load, with the official {@code centrifuge} SDK under Node
 * ({@code src/test/js/sdk-cluster.mjs}): three relay JVMs, two SDK clients homed on each, a
 * publisher at a steady rate through the HTTP API of node A; the test stops node B mid-stream,
 * with {@code kill -9} (a crash) or SIGTERM (an orchestrator's stop). B's clients must reconnect
 * to another node and recover, every client must end with every publication exactly once and in
 * order, and the survivors must stop listing B. Each test starts its own cluster.
 *
 * <p>The figures (publications sent and received, recovered clients, reconnect times) are printed
 * on stdout as one JSON line per run ({@code cluster figures: ...}).
 */
class ClusterFailoverTest {
  private static final String SCRIPT = "sdk-cluster.mjs";
  private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(75);
  private static final int CLIENTS_PER_NODE = 2;
  private static final int COUNT = 250;
  private static final int RATE = 50;
  /** The victim is stopped after this publication (2 s into the 5 s stream). */
  private static final int STOP_AT = 100;
  /** {@code server.shutdown_drain} of every node: after a SIGTERM, 2 s of the stream still go to B's clients. */
  private static final int DRAIN_SECONDS = 2;

  private Vertx vertx;
  private RelayCluster cluster;

  @RegisterExtension
  final TestWatcher tails = RelayCluster.printTailsOnFailure(() -> cluster);

  @BeforeEach
  void startCluster(TestInfo test) {
    vertx = Vertx.vertx();
    cluster = RelayCluster.start(vertx, "ClusterFailoverTest-" + test.getTestMethod().orElseThrow().getName(), 3,
        RedisTestServer.sharedUrl(), Map.of("FLUXER_SERVER_SHUTDOWN_DRAIN", DRAIN_SECONDS + "s"));
  }

  @AfterEach
  void stopCluster() {
    try {
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      TestRelay.await(vertx.close());
    }
  }

  @Test
  @DisplayName("kill -9 of a node mid-stream: its SDK clients recover on the other nodes, every publication exactly once, in order")
  void killNineUnderLoad() throws Exception {
    long[] killedAt = new long[1];
    JsonObject summary = runFailover("kill9", request -> {
      long start = System.nanoTime();
      cluster.node("B").kill9();
      killedAt[0] = System.nanoTime();
      return new JsonObject().put("tookMs", (killedAt[0] - start) / 1_000_000);
    });

    assertFailover(summary);
    // the survivors stop listing B once its heartbeats are missing for node_timeout
    long dropped = awaitNodesWithout("B");
    long droppedAfterMs = (dropped - killedAt[0]) / 1_000_000;
    System.out.println("cluster figures: node B left /api/v1/nodes " + droppedAfterMs + " ms after kill -9 "
        + "(node_timeout " + RelayCluster.NODE_TIMEOUT_SECONDS + " s)");
    assertThat(droppedAfterMs).isLessThan((RelayCluster.NODE_TIMEOUT_SECONDS + 3) * 1000L);
    assertThat(infoNames("A")).containsExactly("A", "C");
  }

  @Test
  @DisplayName("SIGTERM of a node mid-stream: its clients get the stream while it drains, then 3001; they recover elsewhere with nothing lost")
  void sigtermUnderLoad() throws Exception {
    long[] stoppedAt = new long[1];
    JsonObject summary = runFailover("sigterm", request -> {
      stoppedAt[0] = System.nanoTime();
      cluster.node("B").sigterm();
      return new JsonObject().put("tookMs", 0);
    });

    assertFailover(summary);
    for (JsonObject c : clients(summary)) {
      if (c.getString("home").equals("B")) {
        assertThat(c.getJsonArray("disconnectCodes").getList()).as(c.encode()).contains(3001);
        // while B drains, what A publishes still reaches B's clients live (half the drain's worth, at least)
        assertThat(c.getInteger("liveWhileStopping")).as("publications received live during B's drain: " + c.encode())
            .isGreaterThanOrEqualTo(DRAIN_SECONDS * RATE / 2);
      }
    }
    int exit = cluster.node("B").awaitExit(Duration.ofSeconds(20));
    System.out.println("cluster figures: node B exited with " + exit + " "
        + (System.nanoTime() - stoppedAt[0]) / 1_000_000 + " ms after SIGTERM");
    assertThat(exit).as("exit code after SIGTERM (128 + 15)").isEqualTo(143);
    // a node that stops says so: the others drop it at once, without waiting for node_timeout
    awaitNodesWithout("B");
    assertThat(infoNames("C")).containsExactly("A", "C");
  }

  /** Runs the SDK script in failover mode; {@code stop} stops node B when the script asks. */
  private JsonObject runFailover(String how, Function<JsonObject, JsonObject> stop)
      throws Exception {
    Map<String, String> env = new HashMap<>(scriptEnv());
    env.put("FLUXER_MODE", "failover");
    env.put("FLUXER_VICTIM", "B");
    env.put("FLUXER_STOP", how);
    env.put("FLUXER_PUBLISHER", "A");
    env.put("FLUXER_COUNT", Integer.toString(COUNT));
    env.put("FLUXER_RATE", Integer.toString(RATE));
    env.put("FLUXER_STOP_AT", Integer.toString(STOP_AT));
    NodeScript.Result result = NodeScript.run(SCRIPT, env, SCRIPT_TIMEOUT, request -> {
      assertThat(request.getString("request")).isEqualTo("stop");
      assertThat(request.getString("node")).isEqualTo("B");
      return stop.apply(request);
    });
    JsonObject summary = result.summary();
    System.out.println("cluster figures: " + summary.encode());
    System.out.println("cluster figures: " + brief(summary));
    return summary;
  }

  /** The figures in one line, for docs/clustering.md. */
  private static String brief(JsonObject s) {
    List<JsonObject> victims = clients(s).stream().filter(c -> c.getString("home").equals(s.getString("victim"))).toList();
    return String.format("%s of %s after publication %d: %d publications sent at %s/s through %s; received per client %s;"
            + " %d/%d of %s's clients recovered (on %s), reconnect ms %s, publications recovered in the subscribe"
            + " reply %s, received live between the stop and the lost connection %s; resubscribes of the other clients: %d",
        s.getString("stop"), s.getString("victim"), s.getInteger("stopAfter"), s.getInteger("sent"),
        s.getValue("achievedRate"), s.getString("publisher"), s.getJsonArray("received").encode(),
        s.getInteger("recovered"), s.getInteger("victimClients"), s.getString("victim"),
        victims.stream().map(c -> c.getString("node")).toList(), s.getJsonArray("reconnectMs").encode(),
        victims.stream().map(c -> c.getInteger("recoveredPublications")).toList(),
        victims.stream().map(c -> c.getInteger("liveWhileStopping")).toList(), s.getInteger("otherResubscribes"));
  }

  private Map<String, String> scriptEnv() {
    JsonArray endpoints = new JsonArray();
    for (RelayProcess p : cluster.nodes()) {
      endpoints.add(new JsonObject().put("name", p.name()).put("ws", p.wsUrl()).put("http", p.httpUrl()));
    }
    JsonArray tokens = new JsonArray();
    for (int i = 0; i < CLIENTS_PER_NODE * cluster.nodes().size(); i++) {
      tokens.add(RelayProcess.token("sdk-" + i));
    }
    return Map.of(
        "FLUXER_ENDPOINTS", endpoints.encode(),
        "FLUXER_TOKENS", tokens.encode(),
        "FLUXER_API_KEY", RelayProcess.API_KEY,
        "FLUXER_CHANNEL", "feed:failover-" + UUID.randomUUID().toString().substring(0, 8),
        "FLUXER_CLIENTS_PER_NODE", Integer.toString(CLIENTS_PER_NODE));
  }

  /** What the script checked already, checked again from its figures. */
  private static void assertFailover(JsonObject summary) {
    assertThat(summary.getBoolean("ok")).isTrue();
    assertThat(summary.getInteger("sent")).isEqualTo(COUNT);
    List<JsonObject> clients = clients(summary);
    assertThat(clients).hasSize(CLIENTS_PER_NODE * 3);
    assertThat(clients).allSatisfy(c -> assertThat(c.getInteger("received")).as(c.encode()).isEqualTo(COUNT));
    assertThat(clients).filteredOn(c -> c.getString("home").equals("B"))
        .hasSize(CLIENTS_PER_NODE)
        .allSatisfy(c -> {
          assertThat(c.getBoolean("recovered")).as(c.encode()).isTrue();
          assertThat(c.getBoolean("wasRecovering")).as(c.encode()).isTrue();
          assertThat(c.getString("node")).as(c.encode()).isIn("A", "C");
        });
    assertThat(summary.getInteger("recovered")).isEqualTo(CLIENTS_PER_NODE);
  }

  private static List<JsonObject> clients(JsonObject summary) {
    return summary.getJsonArray("clients").stream().map(JsonObject.class::cast).toList();
  }

  /** Waits until A and C list only A and C; returns when (System.nanoTime). */
  private long awaitNodesWithout(String gone) {
    Set<String> rest = Set.of("A", "B", "C").stream().filter(n -> !n.equals(gone))
        .collect(Collectors.toCollection(TreeSet::new));
    for (String node : rest) {
      HttpTestClient.eventually(() -> cluster.nodeNames(node), rest::equals,
          Duration.ofSeconds(RelayCluster.NODE_TIMEOUT_SECONDS + 5));
    }
    return System.nanoTime();
  }

  private List<String> infoNames(String node) {
    return cluster.apiResult(node, "info", new JsonObject()).getJsonArray("nodes").stream()
        .map(n -> ((JsonObject) n).getString("name")).toList();
  }
}
