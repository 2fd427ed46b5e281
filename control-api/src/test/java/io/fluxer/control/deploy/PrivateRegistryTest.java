package io.fluxer.control.deploy;

import static io.fluxer.control.docker.SwarmTests.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.control.docker.InspectedService;
import io.fluxer.control.docker.RegistryAuth;
import io.fluxer.control.docker.SwarmTests;
import io.fluxer.relay.testing.CiEnv;
import io.fluxer.relay.testing.HttpTestClient.Response;
import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.LogCapture;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A stack whose image lives in a private registry, against the local swarm and the registry
 * scripts/test.sh starts (Debian's docker-registry with htpasswd authentication,
 * {@value #REGISTRY_ENV} with its user and password). The image is pushed with authentication and
 * removed from the node, so the node has to pull it: without stored credentials the deployment fails
 * and its timeline shows the engine's error; once an admin stored them, a restart (an update) and a
 * new service on the image (a create) both pull it and succeed. The password shows in no answer, timeline,
 * audit row, service inspect or log line.
 */
class PrivateRegistryTest extends DeployTestBase {
  static final String REGISTRY_ENV = "FLUXER_TEST_REGISTRY";
  private static final Map<String, String> ADMIN = HttpTestClient.apiKey(TestRelay.ADMIN_KEY);

  private record Registry(String host, String user, String password) {}

  /** The test registry from the environment; fails under CI without one, skips otherwise. */
  private static Registry registry() {
    String startedBy = "it starts a registry and sets " + REGISTRY_ENV + ", _USER and _PASSWORD";
    String host = CiEnv.orSkip(REGISTRY_ENV, "PrivateRegistryTest", startedBy);
    String user = CiEnv.orSkip(REGISTRY_ENV + "_USER", "PrivateRegistryTest", startedBy);
    String password = CiEnv.orSkip(REGISTRY_ENV + "_PASSWORD", "PrivateRegistryTest", startedBy);
    Assumptions.assumeTrue(host != null && user != null && password != null, REGISTRY_ENV + " is not set");
    return new Registry(host, user, password);
  }

  @Test
  void aPrivateImageDeploysOnlyOnceAnAdminStoredTheRegistrysCredentials() throws Exception {
    Registry registry = registry();
    String image = registry.host() + "/fluxer-it/private:" + stack;
    String service = stack + "_web";
    String header = new RegistryAuth(registry.host(), registry.user(), registry.password()).header();
    Path config = Files.createTempDirectory("fluxer-docker-config");
    List<String> deployments = new ArrayList<>();
    try (LogCapture logs = new LogCapture()) {
      pushWithAuthentication(config, registry, image);

      // 1. no credentials stored: the node cannot pull, the deployment fails with the engine's error
      String d1 = accepted(http.put("/api/v1/stacks/" + stack, OPS, stackBody(image)));
      deployments.add(d1);
      assertThat(watch.awaitFinished(d1)).isEqualTo("failed");
      List<String> timeline = timeline(d1);
      assertThat(timeline).as("timeline of %s", d1)
          .anySatisfy(m -> assertThat(m).startsWith("task " + service + ".1 ").contains(image));
      assertThat(SwarmTests.runningTaskIds(client, service)).isEmpty();

      // 2. an admin stores the credentials (ops may not); listing shows the user, never the password
      String body = new JsonObject().put("username", registry.user()).put("password", registry.password()).encode();
      assertThat(http.put("/api/v1/registries/" + registry.host(), OPS, body).status()).isEqualTo(403);
      Response stored = http.put("/api/v1/registries/" + registry.host(), ADMIN, body);
      assertThat(stored.status()).as("%s", stored).isEqualTo(201);
      Response listed = http.get("/api/v1/registries", OPS);
      assertThat(listed.json().getJsonArray("registries").getJsonObject(0).getString("username"))
          .isEqualTo(registry.user());

      // 3. a restart updates the service with the credentials: the node pulls, the task runs
      String d2 = accepted(http.send(HttpMethod.POST, "/api/v1/services/" + service + "/restart", OPS, ""));
      deployments.add(d2);
      String restarted = watch.awaitFinished(d2);
      assertThat(restarted).as("restart %s: %s", d2, timeline(d2)).isEqualTo("succeeded");
      assertThat(SwarmTests.runningTaskIds(client, service)).hasSize(1);
      assertThat(image(await(client.inspectService(service)))).isEqualTo(image);

      // 4. the node loses the image's tag again (web's task keeps running) and a second service on the
      // same image is deployed: created with the credentials, it pulls again and runs
      docker(config, null, "image", "rm", "-f", image);
      assertThat(run(config, null, "image", "inspect", image).exitCode()).isNotZero();
      String d3 = accepted(http.put("/api/v1/stacks/" + stack, OPS, stackBody(image, "web", "api")));
      deployments.add(d3);
      String redeployed = watch.awaitFinished(d3);
      assertThat(redeployed).as("deploy %s: %s", d3, timeline(d3)).isEqualTo("succeeded");
      assertThat(timeline(d3)).anySatisfy(m -> assertThat(m).contains("created " + stack + "_api")
          .contains("unchanged " + service));
      assertThat(SwarmTests.runningTaskIds(client, stack + "_api")).hasSize(1);
      assertThat(run(config, null, "image", "inspect", image).exitCode()).as("pulled again").isZero();

      // the secret went to the engine and nowhere a user or operator reads
      List<String> seen = new ArrayList<>();
      seen.add(listed.body());
      seen.add(stored.body());
      seen.add(http.get("/api/v1/audit?limit=500", OPS).body());
      seen.add(http.get("/api/v1/stacks/" + stack, OPS).body());
      deployments.forEach(d -> seen.add(http.get("/api/v1/deployments/" + d, OPS).body()));
      seen.add(await(client.inspectService(service)).raw().encode());
      seen.addAll(logs.lines());
      assertThat(seen).allSatisfy(text -> assertThat(text).doesNotContain(registry.password()).doesNotContain(header));
      assertThat(http.get("/api/v1/audit?limit=500", OPS).json().getJsonArray("audit").stream()
          .map(o -> ((JsonObject) o).getString("action") + " " + ((JsonObject) o).getString("result")))
          .contains("registry.put ok");
    } finally {
      run(config, null, "image", "rm", "-f", image); // whatever is left of it
      try (Stream<Path> files = Files.walk(config)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  /**
   * Tags a local test image for the registry, logs in (a config directory of the test's own), pushes,
   * logs out and removes the tag: the node no longer has it, and without credentials cannot pull it.
   */
  private static void pushWithAuthentication(Path config, Registry registry, String image) throws Exception {
    docker(config, null, "tag", "fluxer-test/busybox:1", image);
    docker(config, registry.password(), "login", registry.host(), "--username", registry.user(), "--password-stdin");
    docker(config, null, "push", image);
    docker(config, null, "logout", registry.host());
    docker(config, null, "image", "rm", image);
    Result anonymous = run(config, null, "pull", image);
    assertThat(anonymous.exitCode()).as("an anonymous pull of %s: %s", image, anonymous).isNotZero();
    assertThat(run(config, null, "image", "inspect", image).exitCode()).isNotZero();
  }

  /** A stack file of idle services (by default one, {@code web}) all running {@code image}. */
  private static String stackBody(String image, String... services) {
    StringBuilder yaml = new StringBuilder("services:\n");
    for (String name : services.length == 0 ? new String[] {"web"} : services) {
      yaml.append("  ").append(name).append(":\n")
          .append("    image: ").append(image).append("\n")
          .append("    command: [\"sh\", \"-c\", \"while true; do sleep 1; done\"]\n")
          .append("    stop_grace_period: 1s\n")
          .append("    stop_signal: SIGKILL\n");
    }
    return new JsonObject().put("stackFile", yaml.toString()).encode();
  }

  private static String accepted(Response r) {
    assertThat(r.status()).as("%s", r).isEqualTo(202);
    return r.json().getString("deployment");
  }

  private List<String> timeline(String deployment) {
    return http.get("/api/v1/deployments/" + deployment, OPS).json().getJsonArray("timeline").stream()
        .map(e -> ((JsonObject) e).getString("message")).toList();
  }

  private static String image(InspectedService s) {
    return s.spec().getJsonObject("TaskTemplate").getJsonObject("ContainerSpec").getString("Image");
  }

  private record Result(int exitCode, String stdout, String stderr) {}

  /** {@code docker --config <config> -H <host> args...}; fails unless it exits with 0. */
  private static String docker(Path config, String stdin, String... args) throws Exception {
    Result r = run(config, stdin, args);
    if (r.exitCode() != 0) {
      throw new AssertionError("docker " + String.join(" ", args) + " exited with " + r.exitCode() + ": " + r);
    }
    return r.stdout();
  }

  /** Runs the docker CLI (Debian's, as scripts/lib.sh prefers) with {@code stdin} written to it, within 2 minutes. */
  private static Result run(Path config, String stdin, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Files.isExecutable(Path.of("/usr/bin/docker")) ? "/usr/bin/docker"
        : "docker", "--config", config.toString(), "-H", host));
    command.addAll(List.of(args));
    Path out = Files.createTempFile("fluxer-docker-out", ".txt");
    Path err = Files.createTempFile("fluxer-docker-err", ".txt");
    try {
      Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      try (OutputStream in = p.getOutputStream()) {
        if (stdin != null) {
          in.write(stdin.getBytes(StandardCharsets.UTF_8));
        }
      }
      if (!p.waitFor(Duration.ofMinutes(2).toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        throw new AssertionError("docker " + String.join(" ", args) + " did not finish within 2 minutes");
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
