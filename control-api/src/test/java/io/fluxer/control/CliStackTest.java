package io.fluxer.control;

import static io.fluxer.control.docker.SwarmTests.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.control.deploy.DeployerOptions;
import io.fluxer.control.docker.SwarmClient;
import io.fluxer.control.docker.SwarmTests;
import io.fluxer.control.store.TestStore;
import io.fluxer.relay.cli.Cli;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code fluxer} control client in-process ({@link Cli#run}, as the launcher runs it) against a
 * real relay and the whole control plane on the local swarm: deploy followed live to its end, the
 * exit codes CI relies on, the reads, a rollback, the logs and the removal. The relay keeps its
 * reserved {@code deploy} namespace as shipped (viewers and up), so the live view works only through
 * the connection token an API key buys.
 */
class CliStackTest {
  private static final Duration CONVERGE = Duration.ofSeconds(60);
  private static Vertx vertx;
  private static SwarmClient client;
  private static TestStore db;
  private static ControlPlane plane;
  private static TestRelay relay;

  @TempDir
  Path dir;
  private String stack;

  /** What one command printed and answered. */
  private record Run(int code, String out, String err) {}

  @BeforeAll
  static void start() throws Exception {
    String host = SwarmTests.dockerHostOrSkip("CliStackTest");
    if (host == null) {
      return;
    }
    vertx = Vertx.vertx();
    client = SwarmTests.activeClient(vertx, host);
    db = TestStore.fresh(vertx);
    plane = ControlPlane.create(vertx, db.store(), client, DeployerOptions.defaults().withDeadline(Duration.ofSeconds(40)));
    await(plane.api().register(vertx.eventBus()));
    await(plane.startStreams());
    relay = TestRelay.start(vertx, config -> { });
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx == null) {
      return;
    }
    if (relay != null) {
      relay.close();
    }
    if (plane != null) {
      await(plane.stop());
    }
    if (db != null) {
      db.close();
    }
    await(client.close());
    await(vertx.close());
  }

  @BeforeEach
  void newStack() {
    Assumptions.assumeTrue(client != null, SwarmTests.ENV + " is not set: skipping the CLI tests against a real swarm");
    stack = "fluxer-it-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @AfterEach
  void removeStack() throws Exception {
    if (client != null) {
      SwarmTests.removeStack(client, stack, CONVERGE);
    }
  }

  private static Run runAs(String key, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Cli.run(args, new Cli.Io(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]),
        Map.of("FLUXER_URL", relay.httpUrl(), "FLUXER_API_KEY", key)));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static Run run(String... args) {
    return runAs(TestRelay.OPS_KEY, args);
  }

  /** A service printing a tick a second; {@code extra} lines go under it; failed updates roll back. */
  private static String ticker(String extra) {
    return "services:\n"
        + "  web:\n"
        + "    image: fluxer-test/busybox:1\n"
        + "    command: [\"sh\", \"-c\", \"while true; do echo tick $$GREETING; sleep 1; done\"]\n"
        + "    environment:\n"
        + "      GREETING: ${GREETING:-hello}\n"
        + "    stop_grace_period: 1s\n"
        + "    stop_signal: SIGKILL\n"
        + extra
        + "    deploy:\n"
        + "      restart_policy: {condition: any, delay: 500ms}\n"
        + "      update_config: {monitor: 1s, failure_action: rollback}\n"
        + "      rollback_config: {monitor: 1s}\n";
  }

  private Path file(String name, String text) throws Exception {
    Path f = dir.resolve(name);
    Files.writeString(f, text);
    return f;
  }

  @Test
  @DisplayName("deploy follows to succeeded (exit 0); a failing update exits 1; ls, ps, diff, rollback, logs and rm work")
  void deployFromCi() throws Exception {
    Path good = file("good.yml", ticker("    build: .\n    configs: [motd]\n") + "configs:\n  motd:\n    file: ./motd.txt\n");
    file("motd.txt", "hello from a file beside the stack file\n");
    Path env = file("env", "# the greeting\nGREETING=hi\n");
    Run deployed = run("stack", "deploy", "-c", good.toString(), "--env-file", env.toString(), "--timeout", "2m", stack);
    assertThat(deployed.code()).as(deployed.out() + deployed.err()).isZero();
    assertThat(deployed.err()).as("the file's warnings").contains("warning: services.web.build");
    assertThat(deployed.out()).contains("deployment ", "revision 1", "updating", "converging: waiting for " + stack + "_web",
        stack + "_web.1 on ", "progress: " + stack + "_web 1/1 running", "succeeded");

    Run ls = runAs(TestRelay.VIEWER_KEY, "stack", "ls");
    assertThat(ls.code()).as(ls.err()).isZero();
    assertThat(ls.out()).containsPattern(stack + " +1 +true +1 +succeeded");
    assertThat(await(client.listConfigs(SwarmClient.STACK_NAMESPACE_LABEL + "=" + stack))).as("the config from motd.txt")
        .hasSize(1);
    JsonObject psJson = new JsonObject(runAs(TestRelay.VIEWER_KEY, "stack", "ps", "--output", "json", stack).out());
    assertThat(psJson.getJsonArray("services").size()).isEqualTo(1);
    assertThat(runAs(TestRelay.VIEWER_KEY, "stack", "ps", stack).out()).containsPattern(stack + "_web\\.1 .* running");

    Run logs = runAs(TestRelay.VIEWER_KEY, "logs", "--tail", "5", stack + "_web");
    assertThat(logs.code()).as(logs.err()).isZero();
    assertThat(logs.out()).contains(stack + "_web.1@", "| tick hi");

    // a healthcheck that never passes: the update fails and is rolled back; the CLI waits for that
    Path sick = file("sick.yml", ticker("    healthcheck: {test: [\"CMD\", \"false\"], interval: 1s, retries: 1}\n"));
    Run failed = run("stack", "deploy", "-c", sick.toString(), "--timeout", "2m", stack);
    assertThat(failed.code()).as(failed.out() + failed.err()).isEqualTo(1);
    assertThat(failed.out()).containsPattern("failed: .*" + stack + "_web");
    assertThat(failed.err()).containsPattern("fluxer stack deploy: deployment \\S+ rolled_back: .*" + stack + "_web");
    assertThat(await(client.inspectService(stack + "_web")).spec().getJsonObject("TaskTemplate")
        .getJsonObject("ContainerSpec").containsKey("Healthcheck")).as("back on revision 1's spec when the CLI exits")
        .isFalse();

    Run diff = runAs(TestRelay.VIEWER_KEY, "stack", "diff", stack, "1", "2");
    assertThat(diff.code()).isZero();
    assertThat(diff.out()).contains("--- " + stack + " revision 1", "+++ " + stack + " revision 2", "-    build: .",
        "+    healthcheck:");

    Run rolledBack = run("stack", "rollback", "--revision", "1", "--timeout", "2m", stack);
    assertThat(rolledBack.code()).as(rolledBack.out() + rolledBack.err()).isZero();
    assertThat(rolledBack.out()).contains("revision 1", "succeeded");

    Run removed = run("stack", "rm", "--timeout", "2m", stack);
    assertThat(removed.code()).as(removed.out() + removed.err()).isZero();
    assertThat(await(client.listServices(SwarmClient.STACK_NAMESPACE_LABEL + "=" + stack))).isEmpty();
  }

  @Test
  @DisplayName("logs -f prints the recent lines, then live ones, until interrupted (exit 130)")
  void logsFollow() throws Exception {
    Path good = file("good.yml", ticker(""));
    assertThat(run("stack", "deploy", "-c", good.toString(), "--timeout", "2m", stack).code()).isZero();

    ByteArrayOutputStream out = new ByteArrayOutputStream();
    AtomicInteger code = new AtomicInteger(-1);
    Thread follower = new Thread(() -> code.set(Cli.run(new String[] {"logs", "-f", "--tail", "1", stack + "_web"},
        new Cli.Io(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(new ByteArrayOutputStream(), true,
            StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]),
            Map.of("FLUXER_URL", relay.httpUrl(), "FLUXER_API_KEY", TestRelay.VIEWER_KEY)))), "fluxer-logs-f");
    follower.start();
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      // one recent line, then the live ones: a tick a second
      while (out.toString(StandardCharsets.UTF_8).lines().filter(l -> l.contains("| tick hello")).count() < 4) {
        assertThat(System.nanoTime()).as("live lines within 30 s; so far:\n" + out).isLessThan(deadline);
        Thread.sleep(100);
      }
    } finally {
      follower.interrupt();
      follower.join(10_000);
    }
    assertThat(code.get()).isEqualTo(130);
    assertThat(out.toString(StandardCharsets.UTF_8)).contains(stack + "_web.1@");
  }

  @Test
  @DisplayName("Bad input: a file the control plane refuses exits 1 with its problems; a viewer cannot deploy")
  void badInput() throws Exception {
    Path wrong = file("wrong.yml", "services:\n  web:\n    image: fluxer-test/busybox:1\n    deploy:\n      replicas: many\n");
    Run refused = run("stack", "deploy", "-c", wrong.toString(), stack);
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.err()).contains("services.web.deploy.replicas (line 5", "the stack file cannot be deployed");

    Run viewer = runAs(TestRelay.VIEWER_KEY, "stack", "deploy", "-c", wrong.toString(), stack);
    assertThat(viewer.code()).isEqualTo(1);
    assertThat(viewer.err()).contains("permission denied");

    Run unknown = runAs(TestRelay.VIEWER_KEY, "stack", "ps", stack);
    assertThat(unknown.code()).isEqualTo(1);
    assertThat(unknown.err()).contains("fluxer stack ps: ").contains("404");
    Run noRevision = run("stack", "rollback", stack);
    assertThat(noRevision.code()).isEqualTo(1);
  }
}
