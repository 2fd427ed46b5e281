package io.fluxer.control.deploy;

import static io.fluxer.control.docker.SwarmTests.await;
import static io.fluxer.control.docker.SwarmTests.runningTaskIds;
import static io.fluxer.control.docker.SwarmTests.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.control.api.HookOps;
import io.fluxer.control.docker.InspectedService;
import io.fluxer.control.docker.SwarmClient;
import io.fluxer.control.stack.SpecHash;
import io.fluxer.control.stack.StackFile;
import io.fluxer.control.stack.StackPlan;
import io.fluxer.relay.testing.HttpTestClient.Response;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Taking over a stack that {@code docker stack deploy} made: the stack is deployed with the real docker
 * CLI on the local swarm ({@code FLUXER_TEST_DOCKER}), adopted through a real relay's gateway, then
 * deployed by Fluxer as any other (PUT, webhook, rollback, removal), recorded in a real PostgreSQL and
 * watched on {@code deploy:<stack>}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class AdoptTest extends DeployTestBase {
  private static final String DOCKER_CLI = "/usr/bin/docker";
  private static final String PASSWORD = "hunter2-in-a-file";
  private static final String MOTD = "welcome to the adopted stack\n";

  private Path dir;

  @BeforeEach
  void writeFiles() throws IOException {
    dir = Files.createTempDirectory("fluxer-adopt-");
    Files.writeString(dir.resolve("pw.txt"), PASSWORD);
    Files.writeString(dir.resolve("motd.txt"), MOTD);
  }

  @AfterEach
  void removeFiles() throws IOException {
    if (dir == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  // ---- the tests

  @Test
  void aCliStackIsAdoptedWithoutARestartThenDeployedByFluxerServiceByService() throws Exception {
    String a = stack + "_a";
    String b = stack + "_b";
    cliDeploy(file(true, false));
    Map<String, List<String>> tasks = Map.of(a, awaitRunning(a), b, awaitRunning(b));
    JsonObject templateA = await(client.inspectService(a)).spec().getJsonObject("TaskTemplate");

    // before: listed from the swarm, not managed
    assertThat(listed()).isEqualTo(new JsonObject().put("name", stack).put("created_at", null).put("revision", null)
        .put("last_deployment_state", null).put("managed", false).put("services", 2));
    JsonObject inspected = http.get("/api/v1/stacks/" + stack, VIEWER).json();
    assertThat(inspected.getBoolean("managed")).isFalse();
    assertThat(inspected.getJsonArray("services")).hasSize(2);

    Response adopted = adopt(file(true, false), Map.of());
    assertThat(adopted.status()).as("%s", adopted).isEqualTo(200);
    JsonObject answer = adopted.json();
    assertThat(answer.getString("stack")).isEqualTo(stack);
    assertThat(answer.getInteger("revision")).isEqualTo(1);
    assertThat(answer.getJsonArray("adopted")).containsExactly(a, b);
    assertThat(answer.getJsonArray("drift")).isEmpty();
    assertThat(answer.getJsonArray("missing")).isEmpty();
    assertThat(answer.getJsonArray("extra")).isEmpty();
    assertThat(answer.getJsonArray("warnings")).isEmpty();
    assertThat(answer.getJsonArray("notes").encode()).contains("secret " + stack + "_pw taken for " + stack + "_pw_")
        .contains("not compared");
    assertThat(adopted.body()).doesNotContain(PASSWORD).doesNotContain("welcome");
    String d1 = answer.getString("deployment");
    assertThat(watch.awaitFinished(d1)).isEqualTo("succeeded");
    assertThat(watch.states(d1)).containsExactly("queued", "updating", "converging", "succeeded");
    JsonObject succeeded = watch.awaitState(DeployEvents.ALL, d1, "succeeded"::equals);
    assertThat(succeeded.getString("kind")).isEqualTo("adopt");
    assertThat(succeeded.getString("message")).isEqualTo("adopted revision 1: matched " + a + ", " + b + "; drift: —");

    // labelled with the plan's hash, by a label-only update: the same tasks and task template
    StackPlan plan = StackFile.parse(stack, file(true, false), Map.of(), files());
    InspectedService adoptedA = await(client.inspectService(a));
    assertThat(specHash(adoptedA)).isEqualTo(plan.service("a").orElseThrow().specHash());
    assertThat(specHash(await(client.inspectService(b)))).isEqualTo(plan.service("b").orElseThrow().specHash());
    assertThat(adoptedA.spec().getJsonObject("TaskTemplate")).isEqualTo(templateA);
    assertThat(runningTaskIds(client, a)).isEqualTo(tasks.get(a));
    assertThat(runningTaskIds(client, b)).isEqualTo(tasks.get(b));
    assertThat(listed().getBoolean("managed")).isTrue();
    assertThat(listed().getInteger("revision")).isEqualTo(1);
    Response again = adopt(file(true, false), Map.of());
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.errorMessage()).contains("managed already");

    // a PUT with one variable changed updates that service only
    String d2 = http.put("/api/v1/stacks/" + stack, OPS, new JsonObject().put("stackFile", file(true, false))
        .put("env", new JsonObject().put("A_GREETING", "bonjour")).put("files", filesJson()).encode())
        .json().getString("deployment");
    assertThat(watch.awaitFinished(d2)).isEqualTo("succeeded");
    assertThat(watch.stateEvent(d2, "succeeded").getString("message"))
        .contains("updated " + a).contains("unchanged " + b);
    assertThat(runningTaskIds(client, b)).isEqualTo(tasks.get(b));
    assertInUseObjectsExist();

    // the webhook retags one service: only it updates
    String secret = http.send(HttpMethod.POST, "/api/v1/stacks/" + stack + "/hook", OPS, null).json().getString("secret");
    String retag = new JsonObject().put("tags", new JsonObject().put("b", "2")).encode();
    Response hooked = http.send(HttpMethod.POST, "/api/v1/hooks/stacks/" + stack,
        HookOps.signedHeaders(secret, retag), retag);
    assertThat(hooked.status()).as("%s", hooked).isEqualTo(202);
    List<String> tasksA = runningTaskIds(client, a);
    String d3 = hooked.json().getString("deployment");
    assertThat(watch.awaitFinished(d3)).isEqualTo("succeeded");
    assertThat(watch.stateEvent(d3, "succeeded").getString("message"))
        .contains("updated " + b).contains("unchanged " + a);
    assertThat(await(client.inspectService(b)).spec().getJsonObject("TaskTemplate").getJsonObject("ContainerSpec")
        .getString("Image")).isEqualTo("fluxer-test/busybox:2");
    assertThat(runningTaskIds(client, a)).isEqualTo(tasksA);
    // the CLI's unversioned secret is still used (b's previous spec): it stays, as does all in use
    assertThat(names(client.listSecrets(label()))).contains(stack + "_pw");
    assertInUseObjectsExist();

    // back to the adopted revision: both return to the file as adopted
    Response rollback = http.send(HttpMethod.POST, "/api/v1/stacks/" + stack + "/rollback?revision=1", OPS, null);
    assertThat(rollback.status()).as("%s", rollback).isEqualTo(202);
    assertThat(watch.awaitFinished(rollback.json().getString("deployment"))).isEqualTo("succeeded");
    assertThat(specHash(await(client.inspectService(a)))).isEqualTo(plan.service("a").orElseThrow().specHash());
    assertThat(specHash(await(client.inspectService(b)))).isEqualTo(plan.service("b").orElseThrow().specHash());
    assertInUseObjectsExist();

    // removal takes what the CLI made too
    Response removed = http.delete("/api/v1/stacks/" + stack, OPS);
    assertThat(watch.awaitFinished(removed.json().getString("deployment"))).isEqualTo("succeeded");
    assertThat(await(client.listServices(label()))).isEmpty();
    assertThat(await(client.listSecrets(label()))).isEmpty();
    assertThat(await(client.listConfigs(label()))).isEmpty();
    waitFor("the stack's networks gone", CONVERGE, () -> client.listNetworks(label()), JsonArray::isEmpty);

    JsonArray audit = http.get("/api/v1/audit?limit=200", OPS).json().getJsonArray("audit");
    List<JsonObject> adopts = audit.stream().map(JsonObject.class::cast)
        .filter(e -> e.getString("target").equals(stack) && e.getString("action").equals("stack.adopt")).toList();
    assertThat(adopts).extracting(e -> e.getString("result")).containsExactly("refused", "ok");
    assertThat(adopts.get(1).getJsonObject("detail").getString("deployment")).isEqualTo(d1);
    assertThat(audit.encode()).doesNotContain(PASSWORD).doesNotContain(secret);
  }

  @Test
  void driftMissingAndExtraServicesAreReportedAndLeftAsTheyRun() throws Exception {
    String a = stack + "_a";
    String b = stack + "_b";
    // refused before anything exists on the swarm
    assertThat(adopt(file(true, false), Map.of()).status()).isEqualTo(404);
    cliDeploy(file(true, false));
    List<String> tasksA = awaitRunning(a);
    awaitRunning(b);
    InspectedService before = await(client.inspectService(a));

    // refused: nothing stored, nothing changed
    assertThat(http.send(HttpMethod.POST, "/api/v1/stacks/" + stack + "/adopt", VIEWER,
        body(file(true, false), Map.of()).encode()).status()).isEqualTo(403);
    Response prune = http.send(HttpMethod.POST, "/api/v1/stacks/" + stack + "/adopt", OPS,
        body(file(true, false), Map.of()).put("prune", true).encode());
    assertThat(prune.status()).isEqualTo(400);
    assertThat(prune.errorMessage()).isEqualTo("unknown field 'prune': expected stackFile, env, files");
    Response broken = adopt("services:\n  a:\n    image: [x\n", Map.of());
    assertThat(broken.status()).isEqualTo(400);
    assertThat(broken.json().getJsonObject("error").getJsonArray("problems")).isNotEmpty();
    Response noFile = http.send(HttpMethod.POST, "/api/v1/stacks/" + stack + "/adopt", OPS,
        new JsonObject().put("stackFile", file(true, false)).encode());
    assertThat(noFile.status()).isEqualTo(400);
    assertThat(noFile.errorMessage()).contains("./pw.txt");
    assertThat(listed().getBoolean("managed")).isFalse();
    assertThat(http.get("/api/v1/stacks/" + stack, VIEWER).json().getJsonArray("revisions")).isEmpty();

    // a's variable differs, b is not in the file, c is not on the swarm
    Response adopted = adopt(file(false, true), Map.of("A_GREETING", "salut"));
    assertThat(adopted.status()).as("%s", adopted).isEqualTo(200);
    JsonObject answer = adopted.json();
    assertThat(answer.getJsonArray("adopted")).isEmpty();
    assertThat(answer.getJsonArray("drift")).containsExactly(new JsonObject().put("service", a)
        .put("differences", new JsonArray().add("TaskTemplate.ContainerSpec.Env[GREETING]")));
    assertThat(answer.getJsonArray("missing")).containsExactly(stack + "_c");
    assertThat(answer.getJsonArray("extra")).containsExactly(b);
    assertThat(adopted.body()).doesNotContain("salut").doesNotContain(PASSWORD);
    String d = answer.getString("deployment");
    assertThat(watch.awaitFinished(d)).isEqualTo("succeeded");
    assertThat(watch.stateEvent(d, "succeeded").getString("message")).isEqualTo("adopted revision 1: matched —; drift: "
        + a + "; missing: " + stack + "_c; extra: " + b);

    // a runs as it did, unlabelled: the next deploy will update it
    InspectedService after = await(client.inspectService(a));
    assertThat(specHash(after)).isNull();
    assertThat(after.version()).isEqualTo(before.version());
    assertThat(runningTaskIds(client, a)).isEqualTo(tasksA);
    assertThat(listed().getBoolean("managed")).isTrue();
  }

  // ---- helpers

  /**
   * Two tickers on one network, reading a {@code file:} secret; {@code a} says ${A_GREETING} and reads a
   * {@code file:} config, with a healthcheck. {@code b} and a third ticker {@code c} as asked.
   */
  private static String file(boolean withB, boolean withC) {
    return "version: \"3.8\"\nservices:\n"
        + ticker("a", "    environment:\n      GREETING: ${A_GREETING:-hello}\n"
            + "    secrets: [pw]\n    configs:\n      - source: motd\n        target: /etc/motd\n"
            + "    healthcheck:\n      test: [\"CMD\", \"cat\", \"/etc/motd\"]\n      interval: 1s\n"
            + "      timeout: 1s\n      retries: 3\n")
        + (withB ? ticker("b", "    environment: [GREETING=hi]\n    secrets:\n      - source: pw\n"
            + "        target: password\n        mode: 0400\n") : "")
        + (withC ? ticker("c", "") : "")
        + "networks:\n  back: {}\n"
        + "secrets:\n  pw:\n    file: ./pw.txt\n"
        + "configs:\n  motd:\n    file: ./motd.txt\n";
  }

  private static String ticker(String name, String extra) {
    return "  " + name + ":\n"
        + "    image: fluxer-test/busybox:1\n"
        + "    command: [\"sh\", \"-c\", \"while true; do echo tick; sleep 1; done\"]\n"
        + "    stop_grace_period: 1s\n"
        + "    stop_signal: SIGKILL\n"
        + "    networks: [back]\n"
        + extra
        + "    deploy:\n"
        + "      restart_policy: {condition: any, delay: 500ms}\n"
        + "      update_config: {monitor: 1s}\n"
        + "      rollback_config: {monitor: 1s}\n";
  }

  /** {@code docker stack deploy} of {@code yaml} from this test's directory, as an operator would. */
  private void cliDeploy(String yaml) throws Exception {
    Path file = dir.resolve("stack.yml");
    Files.writeString(file, yaml);
    Process p = new ProcessBuilder(DOCKER_CLI, "-H", host, "stack", "deploy", "--resolve-image", "never",
        "-c", file.toString(), stack).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("docker stack deploy: %s", out).isZero();
  }

  private Map<String, byte[]> files() {
    return Map.of("./pw.txt", PASSWORD.getBytes(StandardCharsets.UTF_8), "./motd.txt",
        MOTD.getBytes(StandardCharsets.UTF_8));
  }

  private static JsonObject filesJson() {
    return new JsonObject().put("./pw.txt", PASSWORD).put("./motd.txt", MOTD);
  }

  private static JsonObject body(String yaml, Map<String, String> env) {
    return new JsonObject().put("stackFile", yaml).put("env", new JsonObject(Map.copyOf(env))).put("files", filesJson());
  }

  private Response adopt(String yaml, Map<String, String> env) {
    return http.send(HttpMethod.POST, "/api/v1/stacks/" + stack + "/adopt", OPS, body(yaml, env).encode());
  }

  /** This test's stack as {@code GET /api/v1/stacks} lists it. */
  private JsonObject listed() {
    Response r = http.get("/api/v1/stacks", VIEWER);
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    return r.json().getJsonArray("stacks").stream().map(JsonObject.class::cast)
        .filter(s -> s.getString("name").equals(stack)).findFirst().orElseThrow(() -> new AssertionError(r.body()));
  }

  private List<String> awaitRunning(String service) throws Exception {
    return waitFor(service + " running", CONVERGE, () -> client.listTasks(service).map(tasks -> tasks.stream()
        .filter(t -> t.isRunning() && "running".equals(t.desiredState())).map(t -> t.id()).sorted().toList()),
        ids -> ids.size() == 1);
  }

  /** Every secret and config a current or previous spec of the stack's services refers to still exists. */
  private void assertInUseObjectsExist() throws Exception {
    Set<String> used = new HashSet<>();
    for (Object o : await(client.listServices(label()))) {
      for (String which : List.of("Spec", "PreviousSpec")) {
        JsonObject container = ((JsonObject) o).getJsonObject(which, new JsonObject())
            .getJsonObject("TaskTemplate", new JsonObject()).getJsonObject("ContainerSpec", new JsonObject());
        for (String refs : List.of("Secrets", "Configs")) {
          container.getJsonArray(refs, new JsonArray()).forEach(r -> used.add(((JsonObject) r)
              .getString(refs.equals("Secrets") ? "SecretID" : "ConfigID")));
        }
      }
    }
    List<String> existing = new ArrayList<>();
    for (Object o : await(client.listSecrets(label()))) {
      existing.add(((JsonObject) o).getString("ID"));
    }
    for (Object o : await(client.listConfigs(label()))) {
      existing.add(((JsonObject) o).getString("ID"));
    }
    assertThat(existing).containsAll(used);
  }

  private static List<String> names(io.vertx.core.Future<JsonArray> objects) throws Exception {
    return await(objects).stream().map(o -> ((JsonObject) o).getJsonObject("Spec").getString("Name")).toList();
  }

  private String label() {
    return SwarmClient.STACK_NAMESPACE_LABEL + "=" + stack;
  }

  private static String specHash(InspectedService s) {
    return s.spec().getJsonObject("Labels").getString(SpecHash.LABEL);
  }
}
