package io.fluxer.control.deploy;

import static io.fluxer.control.docker.SwarmTests.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.control.docker.SwarmClient;
import io.fluxer.relay.testing.HttpTestClient.Response;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The dry run of a deploy, {@code POST /api/v1/stacks/{name}/plan}, through a real relay's gateway
 * against the local swarm and a real PostgreSQL: what a deploy would create, update, remove or leave,
 * the file's problems at their lines, and nothing changed on the swarm or in the store.
 */
class StackPlanApiTest extends DeployTestBase {

  @Test
  @DisplayName("a one-variable change plans exactly one update; the swarm, deployments, revisions and audit stay as they were")
  void oneVariableChangePlansOneUpdate() throws Exception {
    Response deployed = http.put("/api/v1/stacks/" + stack, OPS, body(twoServices(), Map.of(), false).encode());
    assertThat(deployed.status()).as("%s", deployed).isEqualTo(202);
    assertThat(watch.awaitFinished(deployed.json().getString("deployment"))).isEqualTo("succeeded");
    Map<String, Long> versions = versions();
    assertThat(versions).containsOnlyKeys(stack + "_a", stack + "_b");
    JsonArray deploymentsBefore = deployments();
    JsonArray auditBefore = http.get("/api/v1/audit?limit=500", OPS).json().getJsonArray("audit");

    // the same file: nothing to do
    JsonObject same = plan(body(twoServices(), Map.of(), false));
    assertThat(same.getJsonArray("errors")).isEmpty();
    assertThat(actions(same)).isEqualTo(Map.of(stack + "_a", "unchanged", stack + "_b", "unchanged"));

    // one variable of a changed: a updates (only its Env entry differs), b is unchanged
    JsonObject changed = plan(body(twoServices(), Map.of("A_GREETING", "bonjour"), false));
    assertThat(changed.getString("stack")).isEqualTo(stack);
    assertThat(changed.getJsonArray("errors")).isEmpty();
    assertThat(changed.getJsonArray("warnings")).isEmpty();
    assertThat(actions(changed)).isEqualTo(Map.of(stack + "_a", "update", stack + "_b", "unchanged"));
    assertThat(service(changed, stack + "_a").getJsonArray("changes").getList())
        .containsExactly("TaskTemplate.ContainerSpec.Env[GREETING]");
    assertThat(changed.getJsonObject("summary")).isEqualTo(new JsonObject().put("create", 0).put("update", 1)
        .put("remove", 0).put("unchanged", 1).put("keep", 0));
    assertThat(changed.getJsonArray("networks").getList()).containsExactly(
        Map.of("name", stack + "_default", "action", "unchanged"));
    assertThat(changed.getJsonArray("configs").getJsonObject(0).getString("action")).isEqualTo("unchanged");
    assertThat(changed.encode()).doesNotContain("bonjour");

    // b left out of the file: kept without prune, removed with it
    JsonObject kept = plan(body("services:\n" + ticker("a", "A_GREETING", "    configs: [motd]\n") + MOTD, Map.of(),
        false));
    assertThat(actions(kept)).isEqualTo(Map.of(stack + "_a", "unchanged", stack + "_b", "keep"));
    JsonObject pruned = plan(body("services:\n" + ticker("a", "A_GREETING", "    configs: [motd]\n") + MOTD,
        Map.of(), true));
    assertThat(pruned.getBoolean("prune")).isTrue();
    assertThat(actions(pruned)).isEqualTo(Map.of(stack + "_a", "unchanged", stack + "_b", "remove"));
    assertThat(pruned.getJsonObject("summary").getInteger("remove")).isEqualTo(1);

    // nothing changed: the services' versions, the deployments, the revisions, the audit log
    assertThat(versions()).isEqualTo(versions);
    assertThat(deployments()).isEqualTo(deploymentsBefore);
    assertThat(http.get("/api/v1/stacks/" + stack, VIEWER).json().getJsonArray("revisions")).hasSize(1);
    assertThat(http.get("/api/v1/audit?limit=500", OPS).json().getJsonArray("audit")).isEqualTo(auditBefore);
  }

  @Test
  @DisplayName("a file with errors answers 200 with each error at its line, and the warnings found; nothing is stored")
  void errorsAtTheirLines() throws Exception {
    String badValue = "services:\n"
        + "  web:\n"
        + "    image: fluxer-test/busybox:1\n"
        + "    container_name: ignored\n"
        + "    deploy:\n"
        + "      replicas: two\n";
    JsonObject bad = plan(body(badValue, Map.of(), false));
    assertThat(bad.getJsonArray("errors")).hasSize(1);
    JsonObject error = bad.getJsonArray("errors").getJsonObject(0);
    assertThat(error.getString("key")).isEqualTo("services.web.deploy.replicas");
    assertThat(error.getInteger("line")).isEqualTo(6);
    assertThat(error.getString("message")).contains("integer");
    assertThat(bad.getJsonArray("warnings")).hasSize(1);
    assertThat(bad.getJsonArray("warnings").getJsonObject(0).getString("key")).isEqualTo("services.web.container_name");
    assertThat(bad.getJsonArray("warnings").getJsonObject(0).getInteger("line")).isEqualTo(4);
    assertThat(bad.getJsonArray("services")).isEmpty();

    // broken YAML: the line the parser reports
    JsonObject broken = plan(body("services:\n  web:\n    image: [unclosed\n    command: x\n", Map.of(), false));
    JsonObject syntax = broken.getJsonArray("errors").getJsonObject(0);
    assertThat(syntax.getString("message")).startsWith("invalid YAML");
    assertThat(syntax.getInteger("line")).isBetween(3, 5);

    // an unknown key in a service, named at its line
    JsonObject unknown = plan(body("services:\n  web:\n    image: fluxer-test/busybox:1\n    imagee: x\n", Map.of(),
        false));
    assertThat(unknown.getJsonArray("errors").getJsonObject(0).getString("key")).isEqualTo("services.web.imagee");
    assertThat(unknown.getJsonArray("errors").getJsonObject(0).getInteger("line")).isEqualTo(4);

    assertThat(http.get("/api/v1/stacks/" + stack, VIEWER).status()).isEqualTo(404);
    assertThat(http.get("/api/v1/deployments?stack=" + stack, VIEWER).json().getJsonArray("deployments")).isEmpty();
  }

  @Test
  @DisplayName("a stack that does not exist plans everything as create, and creates nothing")
  void newStackIsAllCreate() throws Exception {
    JsonObject planned = plan(body(twoServices(), Map.of(), true));
    assertThat(planned.getJsonArray("errors")).isEmpty();
    assertThat(actions(planned)).isEqualTo(Map.of(stack + "_a", "create", stack + "_b", "create"));
    assertThat(service(planned, stack + "_a").containsKey("changes")).isFalse();
    assertThat(planned.getJsonArray("networks").getJsonObject(0).getString("action")).isEqualTo("create");
    assertThat(planned.getJsonArray("configs").getJsonObject(0).getString("action")).isEqualTo("create");
    String label = SwarmClient.STACK_NAMESPACE_LABEL + "=" + stack;
    assertThat(await(client.listServices(label))).isEmpty();
    assertThat(await(client.listNetworks(label))).isEmpty();
    assertThat(await(client.listConfigs(label))).isEmpty();
    assertThat(http.get("/api/v1/stacks/" + stack, VIEWER).status()).isEqualTo(404);
  }

  @Test
  @DisplayName("a bad body answers 400 and a viewer 403")
  void badBodyAndRoles() {
    String path = "/api/v1/stacks/" + stack + "/plan";
    Response noFile = http.send(HttpMethod.POST, path, OPS, new JsonObject().put("env", new JsonObject()).encode());
    assertThat(noFile.status()).as("%s", noFile).isEqualTo(400);
    assertThat(noFile.errorMessage()).contains("stackFile is required");
    Response unknown = http.send(HttpMethod.POST, path, OPS, body(twoServices(), Map.of(), false)
        .put("dryRun", true).encode());
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(unknown.errorMessage()).contains("unknown field 'dryRun'");
    Response notJson = http.send(HttpMethod.POST, path, OPS, "services: {}");
    assertThat(notJson.status()).isEqualTo(400);
    Response viewer = http.send(HttpMethod.POST, path, VIEWER, body(twoServices(), Map.of(), false).encode());
    assertThat(viewer.status()).isEqualTo(403);
  }

  // ---- helpers

  private static final String MOTD = "configs:\n  motd:\n    content: \"hello from a config\"\n";

  /** Two tickers; {@code a} says ${A_GREETING} and reads the config {@code motd}, {@code b} says ${B_GREETING}. */
  private static String twoServices() {
    return "services:\n" + ticker("a", "A_GREETING", "    configs: [motd]\n") + ticker("b", "B_GREETING", "") + MOTD;
  }

  private static String ticker(String name, String variable, String extra) {
    return DeployerTest.ticker(name, variable, extra, null);
  }

  private static JsonObject body(String yaml, Map<String, String> env, boolean prune) {
    return new JsonObject().put("stackFile", yaml).put("env", new JsonObject(Map.copyOf(env))).put("prune", prune);
  }

  private JsonObject plan(JsonObject body) {
    Response r = http.send(HttpMethod.POST, "/api/v1/stacks/" + stack + "/plan", OPS, body.encode());
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    return r.json();
  }

  private static Map<String, String> actions(JsonObject plan) {
    return plan.getJsonArray("services").stream().map(JsonObject.class::cast)
        .collect(Collectors.toMap(s -> s.getString("name"), s -> s.getString("action")));
  }

  private static JsonObject service(JsonObject plan, String name) {
    return plan.getJsonArray("services").stream().map(JsonObject.class::cast)
        .filter(s -> s.getString("name").equals(name)).findFirst().orElseThrow();
  }

  private Map<String, Long> versions() throws Exception {
    List<JsonObject> services = await(client.listStackServices(stack)).stream().map(JsonObject.class::cast).toList();
    return services.stream().collect(Collectors.toMap(s -> s.getJsonObject("Spec").getString("Name"),
        s -> s.getJsonObject("Version").getLong("Index")));
  }

  private JsonArray deployments() {
    return http.get("/api/v1/deployments?stack=" + stack, VIEWER).json().getJsonArray("deployments");
  }
}
