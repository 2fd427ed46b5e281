package io.fluxer.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.control.docker.SwarmTests;
import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.PgTestServer;
import io.fluxer.relay.testing.RedisTestServer;
import io.fluxer.relay.testing.RelayCluster;
import io.fluxer.relay.testing.RelayProcess;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code fluxer-control} as its own process: it joins a relay's Hazelcast cluster and serves the
 * control routes the relay forwards over the clustered event bus; without PostgreSQL it refuses to
 * start and says why.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ControlProcessTest {
  private static final Duration START = Duration.ofSeconds(60);
  private static final String CONTROL = "io.fluxer.control.ControlMain";
  private static final String KEY = "Zmx1eGVyLWRldi1rZXktbm90LWZvci1wcm9kdWN0biE=";
  private static final Map<String, String> OPS = HttpTestClient.apiKey(RelayProcess.API_KEY);

  private final Vertx vertx = Vertx.vertx();
  private final Path logs = RelayProcess.logDir("control-process");
  private RelayProcess relay;
  private RelayProcess control;
  private HttpTestClient http;
  private String pgUrl;

  @AfterEach
  void stop() {
    if (http != null) {
      http.close();
    }
    for (RelayProcess p : new RelayProcess[] {control, relay}) {
      if (p != null) {
        p.close();
      }
    }
    if (pgUrl != null) {
      PgTestServer.dropDatabase(vertx, pgUrl);
    }
    vertx.close();
  }

  @Test
  void aControlProcessInTheClusterServesTheRelaysControlRoutes() {
    String docker = SwarmTests.dockerHostOrSkip("ControlProcessTest");
    Assumptions.assumeTrue(docker != null, "FLUXER_TEST_DOCKER is not set: no swarm to drive");
    pgUrl = PgTestServer.freshDatabase(vertx);
    List<Integer> ports = RelayCluster.freePorts(3);
    List<String> members = List.of("127.0.0.1:" + ports.get(1), "127.0.0.1:" + ports.get(2));
    Map<String, String> env = Map.of("FLUXER_ENGINE_REDIS_URL", RedisTestServer.sharedUrl(),
        "FLUXER_ENGINE_REDIS_PREFIX", "control-" + UUID.randomUUID().toString().substring(0, 8),
        "FLUXER_POSTGRES_URL", pgUrl, "FLUXER_CONTROL_SECRET_KEY", KEY, "FLUXER_CONTROL_DOCKER_HOST", docker);
    relay = RelayProcess.launch(new RelayProcess.Spec("relay", ports.get(0), ports.get(1), members, env), logs)
        .awaitListening(START);
    http = new HttpTestClient(vertx, relay.httpUrl());
    assertThat(http.get("/api/v1/stacks", OPS).status()).as("no control plane yet").isEqualTo(503);

    control = RelayProcess.launch(new RelayProcess.Spec("control", 0, ports.get(2), members, env), logs, CONTROL,
        List.of("--dev", "--cluster")).awaitOutput("Fluxer control plane driving the swarm at " + docker, START);
    awaitStatus("the control process reached through the relay", 200, () -> http.get("/api/v1/stacks", OPS).status());
    assertThat(http.get("/api/v1/stacks", OPS).json().getJsonArray("stacks")).isEmpty();
    assertThat(http.get("/api/v1/stacks/none-such", OPS).status()).isEqualTo(404);

    control.sigterm();
    assertThat(control.awaitExit(Duration.ofSeconds(30))).isNotEqualTo(137);
    awaitStatus("503 once the control process left", 503, () -> http.get("/api/v1/stacks", OPS).status());
  }

  @Test
  void withoutPostgresTheControlProcessRefusesToStartAndSaysWhy() {
    List<Integer> ports = RelayCluster.freePorts(1);
    control = RelayProcess.launch(new RelayProcess.Spec("control-no-pg", 0, ports.get(0),
        List.of("127.0.0.1:" + ports.get(0)), Map.of("FLUXER_CONTROL_SECRET_KEY", KEY,
            "FLUXER_ENGINE_REDIS_URL", "redis://127.0.0.1:1")), logs, CONTROL, List.of("--dev", "--cluster"));
    assertThat(control.awaitExit(Duration.ofSeconds(30))).isEqualTo(2);
    assertThat(control.output()).contains("fluxer-control: the control plane needs PostgreSQL")
        .contains("postgres.url");
  }

  private static void awaitStatus(String what, int status, IntSupplier poll) {
    long deadline = System.nanoTime() + START.toNanos();
    int last = poll.getAsInt();
    while (last != status) {
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(what + ": still " + last + " after " + START.toSeconds() + " s");
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
      last = poll.getAsInt();
    }
  }
}
