package io.fluxer.control.deploy;

import static io.fluxer.control.docker.SwarmTests.await;
import static io.fluxer.control.docker.SwarmTests.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.control.api.HookOps;
import io.fluxer.control.docker.InspectedService;
import io.fluxer.control.docker.SwarmClient;
import io.fluxer.control.docker.SwarmTests;
import io.fluxer.control.stack.SpecHash;
import io.fluxer.control.stack.StackFile;
import io.fluxer.relay.testing.HttpTestClient.Response;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Deployments end to end: HTTP through a real relay's gateway, over the event bus to the control
 * plane, applied to the real local swarm ({@code FLUXER_TEST_DOCKER}, as in {@code SwarmClientTest}),
 * recorded in a real PostgreSQL, and watched on {@code deploy:<stack>} over a WebSocket.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class DeployerTest extends DeployTestBase {
  // ---- the tests

  @Test
  void deploysThenChangesOnlyWhatChanged() throws Exception {
    Response first = deploy(twoServices(), Map.of(), false);
    assertThat(first.status()).as("%s", first).isEqualTo(202);
    JsonObject accepted = first.json();
    assertThat(accepted.getString("channel")).isEqualTo("deploy:" + stack);
    assertThat(accepted.getInteger("revision")).isEqualTo(1);
    assertThat(accepted.getJsonArray("warnings")).isEmpty();
    String d1 = accepted.getString("deployment");
    // the same file again at once: it waits (queued) for the first deployment of the stack to finish
    Response same = deploy(twoServices(), Map.of(), false);
    assertThat(same.status()).isEqualTo(202);
    assertThat(same.json().getInteger("revision")).isEqualTo(2);
    String d2 = same.json().getString("deployment");
    assertThat(watch.awaitFinished(d1)).isEqualTo("succeeded");
    assertThat(watch.states(d1)).containsExactly("queued", "updating", "converging", "succeeded");
    // broadcast to both channels: deploy:all's push may come just after deploy:<stack>'s
    watch.awaitState(DeployEvents.ALL, d1, "succeeded"::equals);
    JsonObject succeeded = watch.stateEvent(d1, "succeeded");
    assertThat(succeeded.getString("stack")).isEqualTo(stack);
    assertThat(succeeded.getInteger("revision")).isEqualTo(1);
    assertThat(succeeded.getString("message")).contains("created " + stack + "_a, " + stack + "_b");
    assertThat(succeeded.getString("at")).isNotBlank();
    // the tasks as they started, seen while converging
    assertThat(watch.taskEvents(d1)).anySatisfy(t -> {
      assertThat(t.getString("service")).isEqualTo(stack + "_a");
      assertThat(t.getString("state")).isEqualTo("running");
      assertThat(t.getInteger("slot")).isEqualTo(1);
      assertThat(t.getString("node")).isNotBlank();
      assertThat(t.getString("task")).isNotBlank();
    });
    InspectedService a1 = await(client.inspectService(stack + "_a"));
    InspectedService b1 = await(client.inspectService(stack + "_b"));
    // the config was created (versioned by content) and the service refers to it by ID
    JsonArray configs = await(client.listConfigs(SwarmClient.STACK_NAMESPACE_LABEL + "=" + stack));
    assertThat(configs).hasSize(1);
    JsonObject motd = configs.getJsonObject(0);
    assertThat(motd.getJsonObject("Spec").getString("Name")).startsWith(stack + "_motd_");
    JsonObject reference = a1.spec().getJsonObject("TaskTemplate").getJsonObject("ContainerSpec")
        .getJsonArray("Configs").getJsonObject(0);
    assertThat(reference.getString("ConfigID")).isEqualTo(motd.getString("ID"));
    List<String> tasksA = runningTaskIds(a1);
    List<String> tasksB = runningTaskIds(b1);
    assertThat(tasksA).hasSize(1);
    assertThat(tasksB).hasSize(1);

    // the same file again: nothing restarts
    assertThat(watch.awaitFinished(d2)).isEqualTo("succeeded");
    assertThat(watch.states(d2)).containsExactly("queued", "updating", "converging", "succeeded");
    List<String> order = watch.ws().publications(DeployEvents.channel(stack)).stream().map(p -> p.getJsonObject("data"))
        .filter(e -> "state".equals(e.getString("type"))).map(e -> e.getString("state") + " " + e.getString("deployment"))
        .toList();
    assertThat(order.indexOf("updating " + d2)).as("%s", order).isGreaterThan(order.indexOf("succeeded " + d1));
    assertThat(watch.stateEvent(d2, "succeeded").getString("message")).contains("unchanged " + stack + "_a, " + stack + "_b");
    assertThat(await(client.inspectService(stack + "_a")).version()).isEqualTo(a1.version());
    assertThat(await(client.inspectService(stack + "_b")).version()).isEqualTo(b1.version());
    assertThat(runningTaskIds(a1)).isEqualTo(tasksA);
    assertThat(runningTaskIds(b1)).isEqualTo(tasksB);
    assertThat(watch.taskEvents(d2)).isEmpty();

    // one variable changed: only the service using it updates
    String d3 = deploy(twoServices(), Map.of("A_GREETING", "bonjour"), false).json().getString("deployment");
    assertThat(watch.awaitFinished(d3)).isEqualTo("succeeded");
    assertThat(watch.stateEvent(d3, "succeeded").getString("message"))
        .contains("updated " + stack + "_a").contains("unchanged " + stack + "_b");
    InspectedService a3 = await(client.inspectService(stack + "_a"));
    assertThat(a3.version()).isGreaterThan(a1.version());
    assertThat(env(a3)).contains("GREETING=bonjour");
    assertThat(await(client.inspectService(stack + "_b")).version()).isEqualTo(b1.version());
    assertThat(runningTaskIds(a3)).hasSize(1).doesNotContainAnyElementsOf(tasksA);
    assertThat(runningTaskIds(b1)).isEqualTo(tasksB);

    // the store has the story: revisions, the deployment's timeline, the audit log
    JsonObject inspected = http.get("/api/v1/stacks/" + stack, VIEWER).json();
    assertThat(inspected.getJsonArray("revisions")).hasSize(3);
    assertThat(inspected.getJsonArray("services")).hasSize(2);
    JsonObject serviceA = inspected.getJsonArray("services").getJsonObject(0);
    assertThat(serviceA.getString("name")).isEqualTo(stack + "_a");
    assertThat(serviceA.getLong("running")).isEqualTo(1L);
    assertThat(serviceA.getJsonArray("tasks").getJsonObject(0).getString("state")).isNotBlank();
    JsonObject timeline = http.get("/api/v1/deployments/" + d3, VIEWER).json();
    assertThat(timeline.getString("state")).isEqualTo("succeeded");
    assertThat(timeline.getJsonArray("timeline").stream().map(e -> ((JsonObject) e).getString("message")).toList())
        .anySatisfy(m -> assertThat(m).startsWith("task " + stack + "_a.1 running"));
    JsonArray audit = http.get("/api/v1/audit?limit=100", OPS).json().getJsonArray("audit");
    assertThat(audit.stream().map(JsonObject.class::cast)
        .filter(e -> e.getString("target").equals(stack) && e.getString("action").equals("stack.deploy")).toList())
        .hasSize(3).allSatisfy(e -> {
          assertThat(e.getString("actor")).isEqualTo("ops");
          assertThat(e.getString("result")).isEqualTo("accepted");
        });
  }

  @Test
  void aBrokenStackFileIsRefusedAndNothingChanges() throws Exception {
    String broken = twoServices().replace("      update_config: {monitor: 1s}\n",
        "      update_config: {monitor: 1s}\n      replicas: \"two\"\n");
    Response refused = deploy(broken, Map.of(), false);
    assertThat(refused.status()).as("%s", refused).isEqualTo(400);
    JsonObject error = refused.json().getJsonObject("error");
    assertThat(error.getString("message")).contains("services.a.deploy.replicas").contains("line 13");
    // every service's problem in one answer
    assertThat(error.getJsonArray("problems")).hasSize(2);
    assertThat(error.getJsonArray("problems").getJsonObject(0).getString("key")).isEqualTo("services.a.deploy.replicas");
    assertThat(error.getJsonArray("problems").getJsonObject(0).getInteger("line")).isEqualTo(13);
    assertThat(error.getJsonArray("problems").getJsonObject(1).getString("key")).isEqualTo("services.b.deploy.replicas");

    Response yaml = deploy("services:\n  a: [unclosed\n", Map.of(), false);
    assertThat(yaml.status()).isEqualTo(400);
    assertThat(yaml.json().getJsonObject("error").getJsonArray("problems")).isNotEmpty();

    Response global = deploy(twoServices().replace("      update_config: {monitor: 1s}\n",
        "      update_config: {monitor: 1s}\n      mode: global\n      replicas: 2\n"), Map.of(), false);
    assertThat(global.status()).isEqualTo(400);
    assertThat(global.errorMessage()).contains("replicas");

    Response noFile = http.put("/api/v1/stacks/" + stack, OPS, new JsonObject().put("stackfile", "x").encode());
    assertThat(noFile.status()).isEqualTo(400);
    assertThat(noFile.errorMessage()).contains("unknown field 'stackfile'");

    // nothing stored, nothing on the swarm, every refusal audited
    assertThat(http.get("/api/v1/stacks/" + stack, VIEWER).status()).isEqualTo(404);
    assertThat(http.get("/api/v1/deployments?stack=" + stack, VIEWER).json().getJsonArray("deployments")).isEmpty();
    String label = SwarmClient.STACK_NAMESPACE_LABEL + "=" + stack;
    assertThat(await(client.listServices(label))).isEmpty();
    assertThat(await(client.listNetworks(label))).isEmpty();
    JsonArray audit = http.get("/api/v1/audit?limit=100", OPS).json().getJsonArray("audit");
    assertThat(audit.stream().map(JsonObject.class::cast).filter(e -> e.getString("target").equals(stack)).toList())
        .hasSize(4).allSatisfy(e -> assertThat(e.getString("result")).isEqualTo("refused"));
  }

  @Test
  void aFailingHealthcheckFailsTheDeploymentAndRollsBack() throws Exception {
    String healthy = "services:\n" + ticker("web", "WEB_GREETING", "", "rollback");
    String d1 = deploy(healthy, Map.of(), false).json().getString("deployment");
    assertThat(watch.awaitFinished(d1)).isEqualTo("succeeded");
    InspectedService before = await(client.inspectService(stack + "_web"));

    String sick = "services:\n" + ticker("web", "WEB_GREETING",
        "    healthcheck: {test: [\"CMD\", \"false\"], interval: 1s, retries: 1}\n", "rollback");
    String d2 = deploy(sick, Map.of(), false).json().getString("deployment");
    watch.awaitState(d2, "rolled_back"::equals);
    assertThat(watch.states(d2)).containsExactly("queued", "updating", "converging", "failed", "rolled_back");
    assertThat(watch.stateEvent(d2, "failed").getString("message")).contains(stack + "_web");
    assertThat(watch.stateEvent(d2, "failed").getString("rollback")).as("announced with the failure").isEqualTo("started");
    assertThat(watch.taskEvents(d2)).anySatisfy(t -> assertThat(t.getString("state")).isIn("failed", "shutdown", "rejected"));

    InspectedService after = await(client.inspectService(stack + "_web"));
    assertThat(specHash(after)).isEqualTo(specHash(before));
    assertThat(after.spec().getJsonObject("TaskTemplate").getJsonObject("ContainerSpec").containsKey("Healthcheck"))
        .isFalse();
    JsonObject template = after.spec().getJsonObject("TaskTemplate");
    waitFor("the old spec running again", CONVERGE, () -> client.listTasks(after.id()),
        tasks -> tasks.stream().filter(t -> t.isRunning() && "running".equals(t.desiredState()) && t.runs(template))
            .count() == 1);
    JsonObject stored = http.get("/api/v1/deployments/" + d2, VIEWER).json();
    assertThat(stored.getString("state")).isEqualTo("rolled_back");
    assertThat(stored.getString("finished_at")).isNotNull();
    assertThat(stored.getJsonArray("timeline").stream().map(e -> (JsonObject) e)
        .filter(e -> "failed".equals(e.getString("state")) && e.getJsonObject("detail").containsKey("rollback")))
        .as("the failure's timeline entry says a rollback follows").hasSize(1);
  }

  @Test
  void rollsBackToAnyStoredRevision() throws Exception {
    String file = "services:\n" + ticker("web", "WEB_GREETING", "", null);
    for (String greeting : List.of("one", "two", "three")) {
      String d = deploy(file, Map.of("WEB_GREETING", greeting), false).json().getString("deployment");
      assertThat(watch.awaitFinished(d)).as("revision saying %s", greeting).isEqualTo("succeeded");
    }
    assertThat(env(await(client.inspectService(stack + "_web")))).contains("GREETING=three");

    Response unknown = post("/api/v1/stacks/" + stack + "/rollback?revision=9", null);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.errorMessage()).contains("no revision 9");
    assertThat(post("/api/v1/stacks/" + stack + "/rollback", null).status()).isEqualTo(400);

    Response rollback = post("/api/v1/stacks/" + stack + "/rollback?revision=1", null);
    assertThat(rollback.status()).as("%s", rollback).isEqualTo(202);
    assertThat(rollback.json().getInteger("revision")).isEqualTo(1);
    String d = rollback.json().getString("deployment");
    assertThat(watch.awaitFinished(d)).isEqualTo("succeeded");
    assertThat(watch.stateEvent(d, "succeeded").getString("trigger")).isEqualTo("rollback");

    InspectedService web = await(client.inspectService(stack + "_web"));
    assertThat(env(web)).contains("GREETING=one");
    String revision1 = StackFile.parse(stack, file, Map.of("WEB_GREETING", "one")).service("web").orElseThrow().specHash();
    assertThat(specHash(web)).isEqualTo(revision1);
    assertThat(runningTaskIds(web)).hasSize(1);
  }

  @Test
  void scalesRestartsRollsBackAServiceAndRemovesTheStack() throws Exception {
    String d1 = deploy(twoServices(), Map.of(), false).json().getString("deployment");
    assertThat(watch.awaitFinished(d1)).isEqualTo("succeeded");
    String a = stack + "_a";
    String b = stack + "_b";

    // never updated: nothing to roll back to
    Response none = post("/api/v1/services/" + a + "/rollback", null);
    assertThat(none.status()).isEqualTo(409);
    assertThat(none.errorMessage()).contains("no previous spec");
    assertThat(post("/api/v1/services/" + stack + "_nope/scale", new JsonObject().put("replicas", 2)).status())
        .isEqualTo(404);
    assertThat(post("/api/v1/services/" + a + "/scale", new JsonObject().put("replicas", -1)).status()).isEqualTo(400);
    assertThat(post("/api/v1/services/" + a + "/scale", new JsonObject().put("replicas", "3")).status()).isEqualTo(400);

    Response scaled = post("/api/v1/services/" + a + "/scale", new JsonObject().put("replicas", 3));
    assertThat(scaled.status()).as("%s", scaled).isEqualTo(202);
    assertThat(scaled.json().getString("channel")).isEqualTo("deploy:" + stack);
    String d2 = scaled.json().getString("deployment");
    assertThat(watch.awaitFinished(d2)).isEqualTo("succeeded");
    assertThat(watch.states(d2)).containsExactly("queued", "updating", "converging", "succeeded");
    InspectedService a2 = await(client.inspectService(a));
    assertThat(a2.replicas()).isEqualTo(3L);
    assertThat(runningTaskIds(a2)).hasSize(3);

    InspectedService b1 = await(client.inspectService(b));
    List<String> before = runningTaskIds(b1);
    String d3 = post("/api/v1/services/" + b + "/restart", null).json().getString("deployment");
    assertThat(watch.awaitFinished(d3)).isEqualTo("succeeded");
    List<String> after = runningTaskIds(b1);
    assertThat(after).hasSize(1).doesNotContainAnyElementsOf(before);
    assertThat(await(client.inspectService(b)).spec().getJsonObject("TaskTemplate").getLong("ForceUpdate"))
        .isEqualTo(b1.spec().getJsonObject("TaskTemplate").getLong("ForceUpdate", 0L) + 1);

    // the engine's one level: back to one replica
    String d4 = post("/api/v1/services/" + a + "/rollback", null).json().getString("deployment");
    assertThat(watch.awaitFinished(d4)).isEqualTo("succeeded");
    InspectedService a4 = await(client.inspectService(a));
    assertThat(a4.replicas()).isEqualTo(1L);
    assertThat(runningTaskIds(a4)).hasSize(1);

    // b leaves the file: prune removes it
    String onlyA = "services:\n" + ticker("a", "A_GREETING", "", null);
    String d5 = deploy(onlyA, Map.of(), true).json().getString("deployment");
    assertThat(watch.awaitFinished(d5)).isEqualTo("succeeded");
    assertThat(watch.stateEvent(d5, "succeeded").getString("message")).contains("removed " + b);
    assertThat(await(client.listStackServices(stack)).stream()
        .map(s -> ((JsonObject) s).getJsonObject("Spec").getString("Name")).toList()).containsExactly(a);

    Response removed = http.delete("/api/v1/stacks/" + stack, OPS);
    assertThat(removed.status()).as("%s", removed).isEqualTo(202);
    String d6 = removed.json().getString("deployment");
    assertThat(watch.awaitFinished(d6)).isEqualTo("succeeded");
    String label = SwarmClient.STACK_NAMESPACE_LABEL + "=" + stack;
    assertThat(await(client.listServices(label))).isEmpty();
    assertThat(await(client.listConfigs(label))).isEmpty();
    assertThat(watch.stateEvent(d6, "succeeded").getString("message")).contains("1 service(s)").contains("1 config(s)");
    // gone once the removal says so, not a moment later: a deploy queued behind it relies on that
    assertThat(await(client.listNetworks(label))).as("the stack's networks").isEmpty();
    assertThat(http.get("/api/v1/stacks", VIEWER).json().getJsonArray("stacks").stream()
        .map(s -> ((JsonObject) s).getString("name")).toList()).doesNotContain(stack);
    assertThat(http.delete("/api/v1/stacks/" + stack + "-nope", OPS).status()).isEqualTo(404);
  }

  @Test
  void aStackRemovedAndDeployedAgainAtOnceComesBack() throws Exception {
    String first = deploy(twoServices(), Map.of(), false).json().getString("deployment");
    assertThat(watch.awaitFinished(first)).isEqualTo("succeeded");
    // what a script does to start over: the deploy is queued behind the removal, and must not take the
    // stack's default network, still listed for a moment after its removal, for present
    Response removed = http.delete("/api/v1/stacks/" + stack, OPS);
    assertThat(removed.status()).as("%s", removed).isEqualTo(202);
    Response again = deploy(twoServices(), Map.of(), false);
    assertThat(again.status()).as("%s", again).isEqualTo(202);
    assertThat(watch.awaitFinished(removed.json().getString("deployment"))).isEqualTo("succeeded");
    String redeployed = again.json().getString("deployment");
    assertThat(watch.awaitFinished(redeployed)).as("%s", watch.events(redeployed)).isEqualTo("succeeded");
    for (String service : List.of(stack + "_a", stack + "_b")) {
      assertThat(runningTaskIds(await(client.inspectService(service)))).as(service).hasSize(1);
    }
  }

  @Test
  void aSignedWebhookRedeploysWithNewTagsAndABadSignatureChangesNothing() throws Exception {
    String d1 = deploy(twoServices(), Map.of(), false).json().getString("deployment");
    assertThat(watch.awaitFinished(d1)).isEqualTo("succeeded");
    InspectedService a1 = await(client.inspectService(stack + "_a"));
    String hook = "/api/v1/hooks/stacks/" + stack;
    String retag = new JsonObject().put("tags", new JsonObject().put("b", "2")).encode();

    // no secret yet: no webhook
    assertThat(hook(hook, retag, HookOps.sign("guess", retag)).status()).isEqualTo(401);
    assertThat(http.send(HttpMethod.POST, "/api/v1/stacks/" + stack + "/hook", VIEWER, null).status()).isEqualTo(403);
    assertThat(post("/api/v1/stacks/" + stack + "-nope/hook", null).status()).isEqualTo(404);
    Response made = post("/api/v1/stacks/" + stack + "/hook", null);
    assertThat(made.status()).as("%s", made).isEqualTo(200);
    String secret = made.json().getString("secret");
    assertThat(secret).hasSize(64);
    assertThat(made.json().getString("url")).isEqualTo(hook);

    Response unsigned = hook(hook, retag, null);
    assertThat(unsigned.status()).isEqualTo(401);
    assertThat(unsigned.errorMessage()).contains("X-Fluxer-Signature");
    assertThat(hook(hook, retag, HookOps.sign("another-secret", retag)).status()).isEqualTo(401);
    // signed, but not this body
    assertThat(hook(hook, retag, HookOps.sign(secret, retag + " ")).status()).isEqualTo(401);
    assertThat(http.get("/api/v1/deployments?stack=" + stack, VIEWER).json().getJsonArray("deployments")).hasSize(1);

    String unknown = new JsonObject().put("tags", new JsonObject().put("nope", "2")).encode();
    Response refused = hook(hook, unknown, HookOps.sign(secret, unknown));
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.errorMessage()).contains("no service 'nope'");

    Response accepted = hook(hook, retag, HookOps.sign(secret, retag));
    assertThat(accepted.status()).as("%s", accepted).isEqualTo(202);
    assertThat(accepted.json().getString("channel")).isEqualTo("deploy:" + stack);
    assertThat(accepted.json().getInteger("revision")).isEqualTo(2);
    String d2 = accepted.json().getString("deployment");
    assertThat(watch.awaitFinished(d2)).isEqualTo("succeeded");
    assertThat(watch.stateEvent(d2, "succeeded").getString("trigger")).isEqualTo("webhook");
    assertThat(watch.stateEvent(d2, "succeeded").getString("message"))
        .contains("updated " + stack + "_b").contains("unchanged " + stack + "_a");
    InspectedService b2 = await(client.inspectService(stack + "_b"));
    assertThat(b2.spec().getJsonObject("TaskTemplate").getJsonObject("ContainerSpec").getString("Image"))
        .isEqualTo("fluxer-test/busybox:2");
    assertThat(await(client.inspectService(stack + "_a")).version()).isEqualTo(a1.version());

    // rotated: the old secret stops working at once; an empty body redeploys the newest revision
    String rotated = post("/api/v1/stacks/" + stack + "/hook", null).json().getString("secret");
    assertThat(rotated).isNotEqualTo(secret);
    assertThat(hook(hook, "", HookOps.sign(secret, "")).status()).isEqualTo(401);
    Response again = hook(hook, "", HookOps.sign(rotated, ""));
    assertThat(again.status()).as("%s", again).isEqualTo(202);
    assertThat(again.json().getInteger("revision")).isEqualTo(2);
    String d3 = again.json().getString("deployment");
    assertThat(watch.awaitFinished(d3)).isEqualTo("succeeded");
    assertThat(watch.stateEvent(d3, "succeeded").getString("message")).contains("unchanged " + stack + "_a, " + stack + "_b");

    assertThat(http.delete("/api/v1/stacks/" + stack + "/hook", OPS).status()).isEqualTo(200);
    assertThat(hook(hook, "", HookOps.sign(rotated, "")).status()).isEqualTo(401);
    JsonArray audit = http.get("/api/v1/audit?limit=200", OPS).json().getJsonArray("audit");
    List<JsonObject> hooks = audit.stream().map(JsonObject.class::cast)
        .filter(e -> e.getString("target").equals(stack) && e.getString("action").equals("stack.hook")).toList();
    assertThat(hooks).allSatisfy(e -> assertThat(e.getString("actor")).isEqualTo("webhook"));
    assertThat(hooks.stream().map(e -> e.getString("result")).toList())
        .containsOnly("refused", "accepted").filteredOn("accepted"::equals).hasSize(2);
    assertThat(audit.encode()).doesNotContain(secret).doesNotContain(rotated);
  }

  @Test
  void aChangedConfigFileGetsANewVersionOldOnesGoAndRollbackBringsItBack() throws Exception {
    String file = "services:\n" + ticker("web", "WEB_GREETING", "    configs: [motd]\n", null)
        + "configs:\n  motd:\n    file: ./motd.txt\n";
    for (String text : List.of("one", "two", "three")) {
      JsonObject body = new JsonObject().put("stackFile", file)
          .put("files", new JsonObject().put("./motd.txt", text));
      Response r = http.put("/api/v1/stacks/" + stack, OPS, body.encode());
      assertThat(r.status()).as("%s", r).isEqualTo(202);
      assertThat(watch.awaitFinished(r.json().getString("deployment"))).as("motd %s", text).isEqualTo("succeeded");
    }
    // the current version and the previous one (the engine's rollback needs it) stay; "one" went
    String label = SwarmClient.STACK_NAMESPACE_LABEL + "=" + stack;
    assertThat(await(client.listConfigs(label))).hasSize(2);
    assertThat(motdConfigId(await(client.inspectService(stack + "_web"))))
        .isIn(await(client.listConfigs(label)).stream().map(c -> ((JsonObject) c).getString("ID")).toList());

    // revision 1's file was stored with it: rolling back makes its config again
    Response rollback = post("/api/v1/stacks/" + stack + "/rollback?revision=1", null);
    assertThat(rollback.status()).as("%s", rollback).isEqualTo(202);
    assertThat(watch.awaitFinished(rollback.json().getString("deployment"))).isEqualTo("succeeded");
    InspectedService web = await(client.inspectService(stack + "_web"));
    String revision1 = StackFile.parse(stack, file, Map.of(), Map.of("./motd.txt", "one".getBytes()))
        .service("web").orElseThrow().specHash();
    assertThat(specHash(web)).isEqualTo(revision1);
    String configId = motdConfigId(web);
    JsonObject config = await(client.listConfigs(label)).stream().map(JsonObject.class::cast)
        .filter(c -> c.getString("ID").equals(configId)).findFirst().orElseThrow();
    assertThat(java.util.Base64.getDecoder().decode(config.getJsonObject("Spec").getString("Data")))
        .asString().isEqualTo("one");
  }

  // ---- helpers

  /** Two tickers; {@code a} says ${A_GREETING} and reads the config {@code motd}, {@code b} says ${B_GREETING}. */
  private static String twoServices() {
    return "services:\n" + ticker("a", "A_GREETING", "    configs: [motd]\n", null) + ticker("b", "B_GREETING", "", null)
        + "configs:\n  motd:\n    content: \"hello from a config\"\n";
  }

  /** A service printing a tick a second; {@code extra} lines go under the service, {@code failureAction} in update_config. */
  static String ticker(String name, String variable, String extra, String failureAction) {
    return "  " + name + ":\n"
        + "    image: fluxer-test/busybox:1\n"
        + "    command: [\"sh\", \"-c\", \"while true; do echo tick; sleep 1; done\"]\n"
        + "    environment:\n"
        + "      GREETING: ${" + variable + ":-hello}\n"
        + "    stop_grace_period: 1s\n"
        + "    stop_signal: SIGKILL\n"
        + extra
        + "    deploy:\n"
        + "      restart_policy: {condition: any, delay: 500ms}\n"
        + "      update_config: {monitor: 1s" + (failureAction == null ? "" : ", failure_action: " + failureAction)
        + "}\n"
        + "      rollback_config: {monitor: 1s}\n";
  }

  private Response deploy(String yaml, Map<String, String> env, boolean prune) {
    JsonObject body = new JsonObject().put("stackFile", yaml).put("env", new JsonObject(Map.copyOf(env)))
        .put("prune", prune);
    return http.put("/api/v1/stacks/" + stack, OPS, body.encode());
  }

  private Response hook(String path, String body, String signature) {
    Map<String, String> headers = signature == null ? Map.of() : Map.of(HookOps.SIGNATURE_HEADER, signature,
        HookOps.DELIVERY_HEADER, java.util.UUID.randomUUID().toString());
    return http.send(HttpMethod.POST, path, headers, body);
  }

  private static String motdConfigId(InspectedService s) {
    return s.spec().getJsonObject("TaskTemplate").getJsonObject("ContainerSpec").getJsonArray("Configs")
        .getJsonObject(0).getString("ConfigID");
  }

  private Response post(String path, JsonObject body) {
    return http.send(HttpMethod.POST, path, OPS, body == null ? null : body.encode());
  }

  private static List<String> runningTaskIds(InspectedService s) throws Exception {
    return SwarmTests.runningTaskIds(client, s.id());
  }

  private static List<String> env(InspectedService s) {
    return s.spec().getJsonObject("TaskTemplate").getJsonObject("ContainerSpec").getJsonArray("Env").stream()
        .map(String::valueOf).toList();
  }

  private static String specHash(InspectedService s) {
    return s.spec().getJsonObject("Labels").getString(SpecHash.LABEL);
  }
}
