package io.fluxer.control;

import static io.fluxer.control.docker.SwarmTests.await;
import static io.fluxer.control.docker.SwarmTests.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.control.docker.SwarmClient;
import io.fluxer.common.cluster.ControlSeal;
import io.fluxer.common.config.ClusterOptions;
import io.fluxer.control.docker.SwarmTests;
import io.fluxer.common.Addresses;
import io.fluxer.common.config.PostgresOptions;
import io.fluxer.relay.testing.PgTestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two control planes on one PostgreSQL database, each in a Vert.x instance of its own (as two processes
 * would be): the second waits as a standby while the first leads, takes over once the first is gone
 * (its Vert.x closed mid-deployment, as a killed process), and carries the first one's deployment on
 * to success instead of failing it. Against the real local swarm ({@code FLUXER_TEST_DOCKER}).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LeaderTakeoverTest {
  private static final String KEY = "Zmx1eGVyLWRldi1rZXktbm90LWZvci1wcm9kdWN0biE=";
  private static final Duration TAKEOVER = Duration.ofSeconds(15);
  private static final Duration CONVERGE = Duration.ofSeconds(90);

  private Vertx helper;
  private Vertx first;
  private Vertx second;
  private SwarmClient client;
  private String pgUrl;
  private String stack;
  private ControlService standby;

  @BeforeEach
  void start() throws Exception {
    String host = SwarmTests.dockerHostOrSkip("LeaderTakeoverTest");
    Assumptions.assumeTrue(host != null, "FLUXER_TEST_DOCKER is not set: skipping the leader takeover test");
    helper = Vertx.vertx();
    client = SwarmTests.activeClient(helper, host);
    pgUrl = PgTestServer.freshDatabase(helper);
    stack = "fluxer-it-" + UUID.randomUUID().toString().substring(0, 8);
    first = Vertx.vertx();
    second = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    if (helper == null) {
      return;
    }
    if (standby != null) {
      await(standby.stop());
    }
    await(Future.join(first.close(), second.close()).recover(e -> Future.succeededFuture()));
    SwarmTests.removeStack(client, stack, CONVERGE);
    PgTestServer.dropDatabase(helper, pgUrl);
    await(client.close());
    await(helper.close());
  }

  @Test
  void theStandbyWaitsThenTakesOverAndFinishesTheDeployment() throws Exception {
    ControlOptions options = ControlOptions.fromJson(new JsonObject().put("secret_key", KEY)
        .put("docker_host", client.options().dockerHost()).put("deploy_deadline", "90s").put("standby_retry", "200ms"));
    PostgresOptions postgres = new PostgresOptions(pgUrl, 2, Duration.ZERO);
    ControlService leader = await(ControlService.start(first, postgres, options,
        ControlSeal.of(first, ClusterOptions.disabled())));
    assertThat(leader.leading()).isTrue();
    standby = await(ControlService.prepare(second, postgres, options,
        ControlSeal.of(second, ClusterOptions.disabled())));
    Future<Void> takenOver = standby.lead();

    // the standby does not act: it serves nothing while the leader lives (ten retries' worth)
    long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (System.nanoTime() < until) {
      assertThat(standby.leading()).isFalse();
      assertThat(await(status(second).map(r -> "served").otherwise("not served"))).isEqualTo("not served");
      Thread.sleep(200);
    }

    // a deployment the leader starts, still converging (the monitor period) when the leader dies
    JsonObject accepted = await(call(first, "stack.deploy", new JsonObject().put("name", stack), new JsonObject()
        .put("stackFile", "services:\n  tick:\n    image: fluxer-test/busybox:1\n"
            + "    command: [\"sh\", \"-c\", \"while true; do echo tick; sleep 1; done\"]\n"
            + "    stop_grace_period: 1s\n    stop_signal: SIGKILL\n"
            + "    deploy:\n      replicas: 2\n      update_config:\n        monitor: 8s\n")));
    assertThat(accepted.getInteger("status")).as("%s", accepted).isEqualTo(202);
    String id = accepted.getJsonObject("body").getString("deployment");
    waitFor("the deployment converging", CONVERGE, () -> deployment(first, id),
        d -> "converging".equals(d.getString("state")));
    await(first.close()); // the leader dies: its deployer, streams and lock connection with it

    // the standby takes over within the deadline and serves
    waitFor("the standby leading", TAKEOVER, () -> Future.succeededFuture(takenOver.isComplete()), done -> done);
    assertThat(takenOver.succeeded()).isTrue();
    assertThat(standby.leading()).isTrue();
    JsonObject status = await(status(second)).getJsonObject("body");
    assertThat(status.getBoolean("available")).isTrue();
    assertThat(status.getString("leading_since")).isNotBlank();

    // and the first one's deployment ends succeeded, never failed
    JsonObject done = waitFor("the deployment finished", CONVERGE, () -> deployment(second, id),
        d -> !"converging".equals(d.getString("state")) && !"updating".equals(d.getString("state")));
    assertThat(done.getString("state")).as("%s", done).isEqualTo("succeeded");
    JsonArray timeline = done.getJsonArray("timeline");
    assertThat(timeline.stream().map(e -> ((JsonObject) e).getString("state"))).doesNotContain("failed");
    assertThat(timeline.encode()).contains("resumed by the control plane that took over");
  }

  private static Future<JsonObject> status(Vertx vertx) {
    return call(vertx, "control.status", new JsonObject(), null);
  }

  private static Future<JsonObject> deployment(Vertx vertx, String id) {
    return call(vertx, "deployment.inspect", new JsonObject().put("id", id), null)
        .map(r -> r.getJsonObject("body"));
  }

  private static Future<JsonObject> call(Vertx vertx, String op, JsonObject path, JsonObject body) {
    JsonObject request = new JsonObject().put("op", op).put("actor", new JsonObject().put("name", "test")
        .put("role", "admin")).put("path", path).put("query", new JsonObject()).put("body", body);
    // sealed as a relay of this Vert.x would (ControlService refuses unsealed requests)
    String address = Addresses.control(op);
    return vertx.eventBus().<JsonObject>request(address,
        ControlSeal.of(vertx, ClusterOptions.disabled()).seal(address, request)).map(m -> m.body());
  }
}
