package io.fluxer.control.deploy;

import static io.fluxer.control.docker.SwarmTests.await;

import io.fluxer.control.ControlPlane;
import io.fluxer.control.docker.SwarmClient;
import io.fluxer.control.docker.SwarmTests;
import io.fluxer.control.store.TestStore;
import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the deployment tests run against: the local swarm ({@code FLUXER_TEST_DOCKER}, skipped when
 * unset outside CI), a fresh PostgreSQL database, the whole control plane on the event bus, and a real
 * relay whose gateway forwards the HTTP routes to it. Each test gets a stack name
 * {@code fluxer-it-<random>} and a {@link DeploymentWatch} on its channels; everything labelled with
 * the stack is removed after it, whatever it left.
 */
abstract class DeployTestBase {
  static final Duration CONVERGE = Duration.ofSeconds(60);
  static final Map<String, String> OPS = HttpTestClient.apiKey(TestRelay.OPS_KEY);
  static final Map<String, String> VIEWER = HttpTestClient.apiKey(TestRelay.VIEWER_KEY);

  /** The engine's address, as the docker CLI takes it ({@code -H}). */
  static String host;
  static Vertx vertx;
  static SwarmClient client;
  static TestStore db;
  static TestRelay relay;
  static HttpTestClient http;

  String stack;
  DeploymentWatch watch;

  @BeforeAll
  static void startControlPlane() throws Exception {
    host = SwarmTests.dockerHostOrSkip("deployment tests");
    if (host == null) {
      return;
    }
    vertx = Vertx.vertx();
    client = SwarmTests.activeClient(vertx, host);
    db = TestStore.fresh(vertx);
    DeployerOptions options = DeployerOptions.defaults().withDeadline(Duration.ofSeconds(40));
    await(ControlPlane.create(vertx, db.store(), client, options).api().register(vertx.eventBus()));
    relay = TestRelay.start(vertx, config -> config.getJsonObject("channel").getJsonArray("namespaces")
        .add(new JsonObject().put("name", "deploy").put("allow_subscribe_for_client", true)));
    http = new HttpTestClient(vertx, relay.httpUrl());
  }

  @AfterAll
  static void stopControlPlane() throws Exception {
    if (vertx == null) {
      return;
    }
    http.close();
    relay.close();
    db.close();
    await(client.close());
    await(vertx.close());
    vertx = null;
    client = null;
  }

  @BeforeEach
  void watchNewStack() {
    Assumptions.assumeTrue(client != null, SwarmTests.ENV + " is not set: skipping the deployment tests against a "
        + "real Docker swarm (scripts/test.sh starts one and sets it)");
    stack = "fluxer-it-" + UUID.randomUUID().toString().substring(0, 8);
    watch = DeploymentWatch.open(vertx, relay, stack, CONVERGE);
  }

  /** Removes everything labelled with this test's stack, whatever the test left. */
  @AfterEach
  void removeStack() throws Exception {
    if (client == null) {
      return;
    }
    if (watch != null) {
      watch.close();
    }
    SwarmTests.removeStack(client, stack, CONVERGE);
  }
}
