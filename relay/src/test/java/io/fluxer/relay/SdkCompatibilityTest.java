package io.fluxer.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.Vertx;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the official {@code centrifuge} JavaScript SDK under Node against a real relay node, so
 * that what the SDK's users rely on is checked with the SDK itself, not with a hand-written
 * client: connecting with a JWT, subscribing, live publications, recovery of the publications
 * missed while disconnected, and refreshing an expired connection token.
 *
 * <p>The scenarios live in {@code src/test/js/sdk-recovery.mjs}, found through the environment
 * variable {@code FLUXER_TEST_NODE_DIR} (set by surefire). Its dependencies are installed with
 * {@code npm ci} when missing. Node must be on the {@code PATH}: {@code scripts/test.sh} provides
 * it, and this test fails rather than skips without it.
 */
class SdkCompatibilityTest {
  private static final String SCRIPT = "sdk-recovery.mjs";
  private static final Duration NODE_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration NPM_TIMEOUT = Duration.ofMinutes(5);
  private static final Object NPM_LOCK = new Object();

  @TempDir
  Path tmp;

  private Vertx vertx;
  private TestRelay relay;

  @BeforeEach
  void startRelay() {
    vertx = Vertx.vertx();
    relay = TestRelay.start(vertx, config -> { });
  }

  @AfterEach
  void stopRelay() {
    try {
      if (relay != null) {
        relay.close();
      }
    } finally {
      TestRelay.await(vertx.close());
    }
  }

  @Test
  void sdkRecoversPublicationsMissedWhileDisconnected() throws Exception {
    JsonObject summary = runScript(Map.of(
        "FLUXER_MODE", "recovery",
        "FLUXER_TOKEN_A", relay.token("alice"),
        "FLUXER_TOKEN_B", relay.token("bob")));

    assertThat(summary.getBoolean("ok")).isTrue();
    assertThat(summary.getJsonArray("received").getList())
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(summary.getBoolean("recovered")).isTrue();
    assertThat(summary.getBoolean("wasRecovering")).isTrue();
    assertThat(summary.getInteger("deliveredInReply")).isEqualTo(5);
  }

  @Test
  void sdkRefreshesAnExpiredConnectionToken() throws Exception {
    long now = Instant.now().getEpochSecond();
    String expired = relay.token(new JsonObject().put("sub", "alice").put("exp", now - 3600));

    JsonObject summary = runScript(Map.of(
        "FLUXER_MODE", "expired",
        "FLUXER_TOKEN_A", expired,
        "FLUXER_TOKEN_FRESH", relay.token("alice")));

    assertThat(summary.getBoolean("ok")).isTrue();
    assertThat(summary.getBoolean("connected")).isTrue();
    assertThat(summary.getString("client")).isNotBlank();
    assertThat(summary.getJsonArray("errors").getList()).contains(109);
    assertThat(summary.getInteger("getTokenCalls")).isGreaterThanOrEqualTo(1);
  }

  /** Runs the script with {@code env} (plus URL and a fresh channel); returns its summary line. */
  private JsonObject runScript(Map<String, String> env) throws Exception {
    Path dir = nodeDir();
    String node = executable("node")
        .orElseThrow(() -> new AssertionError(
            "node is not on PATH: the SDK compatibility tests need Node.js 20+ (scripts/test.sh provides it)"));
    ensureDependencies(dir);

    ProcessBuilder pb = new ProcessBuilder(node, SCRIPT).directory(dir.toFile());
    pb.environment().putAll(env);
    pb.environment().put("FLUXER_WS_URL", relay.wsUrl());
    pb.environment().put("FLUXER_CHANNEL", "chat:sdk-" + UUID.randomUUID().toString().substring(0, 8));
    Run run = run(pb, NODE_TIMEOUT, "node " + SCRIPT);

    if (run.exitCode != 0) {
      fail("node " + SCRIPT + " (" + env.get("FLUXER_MODE") + ") exited with " + run.exitCode
          + "\n--- stdout ---\n" + run.stdout + "\n--- stderr ---\n" + run.stderr);
    }
    String last = lastLine(run.stdout);
    try {
      return new JsonObject(last);
    } catch (DecodeException e) {
      throw new AssertionError("no JSON summary on the last line of stdout:\n" + run.stdout
          + "\n--- stderr ---\n" + run.stderr, e);
    }
  }

  private static Path nodeDir() {
    String configured = System.getenv("FLUXER_TEST_NODE_DIR");
    List<Path> candidates = configured != null && !configured.isBlank()
        ? List.of(Path.of(configured))
        : List.of(Path.of("src/test/js"), Path.of("relay/src/test/js"));
    for (Path candidate : candidates) {
      if (Files.isRegularFile(candidate.resolve(SCRIPT))) {
        return candidate.toAbsolutePath();
      }
    }
    throw new AssertionError("cannot find " + SCRIPT + " in " + candidates
        + " (set FLUXER_TEST_NODE_DIR to relay/src/test/js)");
  }

  /** Installs the locked SDK version unless it is installed already. */
  private void ensureDependencies(Path dir) throws Exception {
    synchronized (NPM_LOCK) {
      if (!Files.isRegularFile(dir.resolve("node_modules/centrifuge/package.json"))
          || !Files.isRegularFile(dir.resolve("node_modules/ws/package.json"))) {
        npmCi(dir);
      }
    }
  }

  private void npmCi(Path dir) throws Exception {
    String npm = executable("npm")
        .orElseThrow(() -> new AssertionError("npm is not on PATH: needed to install " + dir.resolve("package.json")));
    ProcessBuilder pb = new ProcessBuilder(npm, "ci", "--no-audit", "--no-fund").directory(dir.toFile());
    Run run = run(pb, NPM_TIMEOUT, "npm ci");
    if (run.exitCode != 0) {
      fail("npm ci in " + dir + " exited with " + run.exitCode
          + "\n--- stdout ---\n" + run.stdout + "\n--- stderr ---\n" + run.stderr);
    }
  }

  /** Runs {@code pb} with its output in files, killing it after {@code timeout}. */
  private Run run(ProcessBuilder pb, Duration timeout, String what) throws Exception {
    Path out = Files.createTempFile(tmp, "stdout", ".txt");
    Path err = Files.createTempFile(tmp, "stderr", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
    Process process = pb.start();
    process.getOutputStream().close();
    if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      process.waitFor(5, TimeUnit.SECONDS);
      fail(what + " did not finish within " + timeout.toSeconds() + " s"
          + "\n--- stdout ---\n" + read(out) + "\n--- stderr ---\n" + read(err));
    }
    return new Run(process.exitValue(), read(out), read(err));
  }

  private static String read(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  private static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    return lines[lines.length - 1].strip();
  }

  /** The first executable called {@code name} on the PATH. */
  private static Optional<String> executable(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String entry : path.split(File.pathSeparator)) {
      if (entry.isEmpty()) {
        continue;
      }
      Path candidate = Path.of(entry, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate.toString());
      }
    }
    return Optional.empty();
  }

  private record Run(int exitCode, String stdout, String stderr) { }
}
