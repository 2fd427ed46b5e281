package io.fluxer.control;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.fluxer.control.docker.SwarmClient;
import io.fluxer.control.docker.SwarmTests;
import io.fluxer.common.cluster.ControlSeal;
import io.fluxer.common.config.ClusterOptions;
import io.fluxer.common.config.PostgresOptions;
import io.fluxer.relay.testing.NodeScript;
import io.fluxer.relay.testing.PgTestServer;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dashboard's deployments and logs pages in Debian's Chromium (playwright-core,
 * {@code relay/src/test/js/dashboard-swarm.mjs}) against a real relay and control plane driving the
 * local swarm ({@code FLUXER_TEST_DOCKER}) with a real PostgreSQL.
 */
@Timeout(value = 210, unit = TimeUnit.SECONDS)
class DashboardSwarmBrowserTest {
  private static final String KEY = "Zmx1eGVyLWRldi1rZXktbm90LWZvci1wcm9kdWN0biE=";
  private static final String PASSWORD = "browser-test-password";
  private static final Duration SCRIPT_TIMEOUT = Duration.ofSeconds(180);
  private static final Path SCREENSHOTS = Path.of("..", "relay", "target", "dashboard-screenshots")
      .toAbsolutePath().normalize();

  private static Vertx vertx;
  private static SwarmClient client;
  private static String pgUrl;
  private static TestRelay relay;
  private static ControlService control;

  private String stack;

  @BeforeAll
  static void start() throws Exception {
    String host = SwarmTests.dockerHostOrSkip("DashboardSwarmBrowserTest");
    if (host == null) {
      return;
    }
    vertx = Vertx.vertx();
    client = SwarmTests.activeClient(vertx, host);
    pgUrl = PgTestServer.freshDatabase(vertx);
    relay = TestRelay.start(vertx, config -> config.put("dashboard", new JsonObject().put("admin_user", "admin")
        .put("admin_password_hash", BCrypt.withDefaults().hashToString(4, PASSWORD.toCharArray()))));
    ControlOptions options = ControlOptions.fromJson(new JsonObject().put("secret_key", KEY)
        .put("docker_host", host).put("deploy_deadline", "60s"));
    control = SwarmTests.await(ControlService.start(vertx, new PostgresOptions(pgUrl, 2, Duration.ZERO), options,
        ControlSeal.of(vertx, ClusterOptions.disabled())));
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx == null) {
      return;
    }
    SwarmTests.await(control.stop());
    relay.close();
    PgTestServer.dropDatabase(vertx, pgUrl);
    SwarmTests.await(client.close());
    SwarmTests.await(vertx.close());
  }

  @BeforeEach
  void name() {
    Assumptions.assumeTrue(client != null, "FLUXER_TEST_DOCKER is not set: skipping the dashboard's swarm tests");
    stack = "dash-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  void removeStack() throws Exception {
    if (client != null) {
      SwarmTests.removeStack(client, stack, Duration.ofSeconds(40));
    }
  }

  private JsonObject run(String mode) throws Exception {
    Map<String, String> env = new HashMap<>();
    env.put("FLUXER_MODE", mode);
    env.put("FLUXER_HTTP_URL", relay.httpUrl());
    env.put("FLUXER_ADMIN", "admin:" + PASSWORD);
    env.put("FLUXER_API_KEY", TestRelay.ADMIN_KEY);
    env.put("FLUXER_STACK", stack);
    env.put("FLUXER_NODE_HOSTNAMES", new JsonObject(Map.copyOf(SwarmTests.await(client.nodeHostnames()))).encode());
    env.put("FLUXER_SCREENSHOTS", SCREENSHOTS.toString());
    JsonObject summary = NodeScript.run("dashboard-swarm.mjs", env, SCRIPT_TIMEOUT).summary();
    assertThat(summary.getBoolean("ok")).as(summary.encodePrettily()).isTrue();
    return summary;
  }

  @Test
  @DisplayName("A deployment started through the API shows its states live; the stack page names nodes by hostname;"
      + " a rollback clicked in the UI reaches the swarm; a failed update shows its task's error and exit code")
  void deploymentsLiveAndRollback() throws Exception {
    JsonObject s = run("deploy");
    assertThat(s.getJsonArray("states").getList()).contains("succeeded").hasSizeGreaterThanOrEqualTo(2);
    assertThat(s.getString("imageAfterRollback")).isEqualTo("fluxer-test/busybox:1");
    Map<String, String> hostnames = SwarmTests.await(client.nodeHostnames());
    assertThat(s.getJsonArray("nodes").getList()).isNotEmpty().allSatisfy(n -> assertThat(hostnames).containsValue((String) n));
    assertThat(s.getInteger("failedExitCode")).isEqualTo(3);
    assertThat(s.getString("failedError")).contains("exit (3)");
    assertThat(s.getString("failedState")).isEqualTo("rolled_back");
  }

  @Test
  @DisplayName("The stack editor shows an error at its line before any deploy, plans a one-variable change as one update,"
      + " and deploys it live")
  void stackEditorChecksAndPlans() throws Exception {
    JsonObject s = run("plan");
    assertThat(s.getInteger("errorLine")).isEqualTo(6);
    assertThat(s.getJsonArray("updates").getList()).containsExactly(stack + "_web");
    assertThat(s.getJsonArray("unchanged").getList()).containsExactly(stack + "_worker");
    assertThat(s.getJsonArray("states").getList()).contains("succeeded");
    assertThat(s.getJsonArray("afterDeploy").getList()).containsOnly("unchanged");
  }

  @Test
  @DisplayName("A service printing lines shows them on the logs page within 2 s; the filter hides the others")
  void logsTail() throws Exception {
    JsonObject s = run("logs");
    assertThat(s.getLong("firstLineMs")).isLessThan(2000);
    assertThat(s.getInteger("hidden")).isPositive();
  }

  @Test
  @DisplayName("A quiet service's logs page shows its earlier lines at once, JSON as fields, matches marked")
  void quietServiceShowsEarlierLines() throws Exception {
    JsonObject s = run("quiet");
    assertThat(s.getLong("desktopMs")).isLessThan(3000);
    assertThat(s.getLong("phoneMs")).isLessThan(3000);
  }
}
