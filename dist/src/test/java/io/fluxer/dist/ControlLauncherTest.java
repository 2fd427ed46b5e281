package io.fluxer.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.control.docker.SwarmClientOptions;
import io.fluxer.relay.testing.CiEnv;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code bin/fluxer-control --relay}: the distribution's launcher runs a relay node and the control
 * plane in one JVM (what {@code scripts/run_dev.sh --control} starts), each built by its own
 * composition root; without PostgreSQL it refuses to start and says why.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ControlLauncherTest {
  private static final Duration START = Duration.ofSeconds(60);
  private static final String LAUNCHER = "io.fluxer.dist.ControlLauncher";
  private static final Map<String, String> OPS = HttpTestClient.apiKey(RelayProcess.API_KEY);

  private final Vertx vertx = Vertx.vertx();
  private final Path logs = RelayProcess.logDir("control-launcher");
  private RelayProcess process;
  private HttpTestClient http;
  private String pgUrl;

  @AfterEach
  void stop() {
    if (http != null) {
      http.close();
    }
    if (process != null) {
      process.close();
    }
    if (pgUrl != null) {
      PgTestServer.dropDatabase(vertx, pgUrl);
    }
    vertx.close();
  }

  @Test
  void withRelayOneJvmServesTheClientsAndTheControlRoutes() {
    String docker = CiEnv.orSkip("FLUXER_TEST_DOCKER", "ControlLauncherTest", "it starts a Docker swarm");
    Assumptions.assumeTrue(docker != null, "FLUXER_TEST_DOCKER is not set");
    docker = docker.contains("://") ? docker : SwarmClientOptions.DEFAULT_DOCKER_HOST;
    pgUrl = PgTestServer.freshDatabase(vertx);
    List<Integer> ports = RelayCluster.freePorts(2);
    Map<String, String> env = Map.of("FLUXER_ENGINE_REDIS_URL", RedisTestServer.sharedUrl(),
        "FLUXER_ENGINE_REDIS_PREFIX", "launcher-" + UUID.randomUUID().toString().substring(0, 8),
        "FLUXER_POSTGRES_URL", pgUrl, "FLUXER_CONTROL_DOCKER_HOST", docker);
    process = RelayProcess.launch(new RelayProcess.Spec("relay-control", ports.get(0), ports.get(1), List.of(), env),
            logs, LAUNCHER, List.of("--relay", "--dev"))
        .awaitListening(START)
        .awaitOutput("Fluxer control plane driving the swarm at " + docker, START)
        .awaitOutput("Fluxer control plane leading", START);

    http = new HttpTestClient(vertx, process.httpUrl());
    HttpTestClient.Response stacks = http.get("/api/v1/stacks", OPS);
    assertThat(stacks.status()).as("the control routes, answered in the same JVM").isEqualTo(200);
    assertThat(stacks.json().getJsonArray("stacks")).isEmpty();
    assertThat(http.get("/health", Map.of()).status()).isEqualTo(200);

    process.sigterm();
    assertThat(process.awaitExit(START)).as("a clean stop after SIGTERM").isEqualTo(143);
  }

  @Test
  void withoutPostgresItSaysWhyAndExitsWithStatus2() {
    List<Integer> ports = RelayCluster.freePorts(2);
    process = RelayProcess.launch(new RelayProcess.Spec("no-postgres", ports.get(0), ports.get(1), List.of(),
        Map.of("FLUXER_ENGINE_TYPE", "memory")), logs, LAUNCHER, List.of("--relay", "--dev"));

    assertThat(process.awaitExit(START)).isEqualTo(2);
    process.awaitOutput("fluxer-control: the control plane needs PostgreSQL", Duration.ZERO);
  }
}
