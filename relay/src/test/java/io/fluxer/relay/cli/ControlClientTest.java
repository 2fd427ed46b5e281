package io.fluxer.relay.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.common.Addresses;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The control client ({@code fluxer stack …}, {@code publish}, {@code completion}) in-process against
 * a real relay: its HTTP API, its WebSocket protocol and its {@code deploy:} channels. control-api is
 * stood in for on the event bus, so how a deployment ends (and which publications go missing) is the
 * test's choice; {@code CliStackTest} in control-api runs the same commands against the real control
 * plane on a swarm.
 */
class ControlClientTest extends RelayTestBase {
  @TempDir
  Path dir;

  private final List<MessageConsumer<?>> consumers = new ArrayList<>();

  /** What one command printed and answered. */
  private record Run(int code, String out, String err) {}

  @AfterEach
  void unregister() {
    consumers.forEach(MessageConsumer::unregister);
  }

  private Map<String, String> env(String key) {
    return Map.of("FLUXER_URL", relay().httpUrl(), "FLUXER_API_KEY", key);
  }

  private static Run run(Map<String, String> env, String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = Cli.run(args, new Cli.Io(new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), env));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Run run(String... args) {
    return run(env(TestRelay.OPS_KEY), "", args);
  }

  /** control-api stand-in for {@code op}: answers {@code status} and {@code body}, then runs {@code after}. */
  private void answer(String op, int status, JsonObject body, Runnable after) {
    MessageConsumer<JsonObject> c = vertx.eventBus().consumer(Addresses.control(op), m -> {
      m.reply(new JsonObject().put("status", status).put("body", body));
      after.run();
    });
    consumers.add(c);
    TestRelay.await(c.completion());
  }

  /** Publishes each event on {@code deploy:shop}, one after the other, as control-api does. */
  private Future<?> publish(JsonObject... events) {
    Future<?> chain = Future.succeededFuture();
    for (JsonObject e : events) {
      chain = chain.compose(v -> vertx.eventBus().request(Addresses.API, new JsonObject().put("method", "publish")
          .put("params", new JsonObject().put("channel", "deploy:shop").put("data", e))));
    }
    return chain;
  }

  private static JsonObject state(String deployment, String state, String message) {
    return new JsonObject().put("type", "state").put("deployment", deployment).put("stack", "shop")
        .put("revision", 1).put("state", state).put("message", message).put("at", "2026-12-06T10:00:00.000Z");
  }

  private static JsonObject task(String deployment, String state) {
    return new JsonObject().put("type", "task").put("deployment", deployment).put("stack", "shop")
        .put("service", "shop_web").put("task", "t1").put("slot", 1).put("node", "node-1")
        .put("state", state).put("desired_state", "running").put("error", null).put("at", "2026-12-06T10:00:01.000Z");
  }

  private static JsonObject accepted(String deployment) {
    return new JsonObject().put("deployment", deployment).put("channel", "deploy:shop").put("revision", 1)
        .put("warnings", new JsonArray().add(new JsonObject().put("service", "web").put("key", "services.web.build")
            .put("line", 4).put("message", "swarm does not build images")));
  }

  private Path stackFile() throws IOException {
    Path file = dir.resolve("stack.yml");
    Files.writeString(file, "services:\n  web:\n    image: nginx:1.27\n");
    return file;
  }

  @Test
  @DisplayName("stack deploy prints the warnings and follows the states and tasks live to succeeded: exit 0")
  void deployFollowsToSucceeded() throws IOException {
    answer("stack.deploy", 202, accepted("d-1"), () -> publish(
        state("d-1", "updating", "updating shop_web"),
        state("other", "failed", "another deployment of the stack"),
        state("d-1", "converging", "waiting for shop_web to converge"),
        task("d-1", "starting"),
        task("d-1", "running"),
        state("d-1", "succeeded", "revision 1: created shop_web")));
    answer("deployment.inspect", 200, new JsonObject().put("id", "d-1").put("state", "converging"), () -> { });

    Run r = run("stack", "deploy", "-c", stackFile().toString(), "--timeout", "30s", "shop");

    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).contains("warning: services.web.build (line 4): swarm does not build images");
    assertThat(r.out()).contains("deployment d-1 of shop, revision 1 (deploy:shop)",
        "updating: updating shop_web", "converging: waiting for shop_web to converge",
        "shop_web.1 on node-1: running", "progress: shop_web 1/1 running", "succeeded: revision 1: created shop_web");
    assertThat(r.out()).as("another deployment's events are not this one's").doesNotContain("another deployment");
  }

  @Test
  @DisplayName("A connection the relay ends mid-deployment is opened again and recovers what was published meanwhile")
  void reconnectsAndRecovers() throws IOException {
    // the deployment's reading says converging for ever: only the channel can tell the CLI it succeeded
    answer("deployment.inspect", 200, new JsonObject().put("id", "d-5").put("state", "converging"), () -> { });
    answer("stack.deploy", 202, accepted("d-5"), () -> publish(state("d-5", "converging", "waiting for shop_web"))
        .compose(v -> vertx.eventBus().request(Addresses.API, new JsonObject().put("method", "disconnect")
            .put("params", new JsonObject().put("user", "apikey:ops"))))
        .compose(v -> publish(task("d-5", "running"), state("d-5", "succeeded", "revision 1: created shop_web"))));

    Run r = run("stack", "deploy", "-c", stackFile().toString(), "--timeout", "30s", "shop");

    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(r.err()).contains("live view closed (3503");
    assertThat(r.out()).contains("converging: waiting for shop_web", "shop_web.1 on node-1: running",
        "succeeded: revision 1: created shop_web");
  }

  @Test
  @DisplayName("deploy sends the files the stack file names (file: secrets and configs, env_file) and --env-file's variables")
  void sendsReferencedFilesAndEnv() throws Exception {
    java.util.concurrent.CompletableFuture<JsonObject> body = new java.util.concurrent.CompletableFuture<>();
    MessageConsumer<JsonObject> c = vertx.eventBus().consumer(Addresses.control("stack.deploy"), m -> {
      body.complete(m.body().getJsonObject("body"));
      m.reply(new JsonObject().put("status", 202).put("body", accepted("d-6")));
    });
    consumers.add(c);
    TestRelay.await(c.completion());
    Files.createDirectories(dir.resolve("conf"));
    Files.writeString(dir.resolve("conf/db_password.txt"), "s3cret\n");
    Files.writeString(dir.resolve("web.env"), "MODE=prod\n");
    Path stack = dir.resolve("conf/../stack.yml");
    Files.writeString(dir.resolve("stack.yml"), "services:\n  web:\n    image: nginx:1.27\n    env_file: [web.env]\n"
        + "    secrets: [db]\nsecrets:\n  db:\n    file: ./conf/db_password.txt\n  api:\n    file: ${API_FILE}\n");
    Files.writeString(dir.resolve("prod.env"), "# comment\nTAG=1.4\n\nGREETING=hello = world\n");

    Run r = run("stack", "deploy", "-c", stack.toString(), "--env-file", dir.resolve("prod.env").toString(), "--detach",
        "shop");

    assertThat(r.code()).as(r.err()).isZero();
    JsonObject sent = body.get(5, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(sent.getJsonObject("files")).isEqualTo(new JsonObject().put("web.env", "MODE=prod\n")
        .put("./conf/db_password.txt", "s3cret\n"));
    assertThat(sent.getJsonObject("env")).isEqualTo(new JsonObject().put("TAG", "1.4").put("GREETING", "hello = world"));
    assertThat(r.out() + r.err()).as("never printed").doesNotContain("s3cret", "hello = world");

    Files.delete(dir.resolve("web.env"));
    Run missing = run("stack", "deploy", "-c", stack.toString(), "shop");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("names web.env, but ").contains("web.env: no such file");
    Files.writeString(dir.resolve("web.env"), "MODE=prod\n");
    Files.writeString(dir.resolve("bad.env"), "TAG\n");
    assertThat(run("stack", "deploy", "-c", stack.toString(), "--env-file", dir.resolve("bad.env").toString(), "shop")
        .err()).contains("bad.env, line 1: not KEY=VALUE");
  }

  @Test
  @DisplayName("A failed deployment exits 1 with its message on stderr; one that rolls back is followed until rolled_back")
  void failedAndRolledBackExit1() throws IOException {
    answer("stack.deploy", 202, accepted("d-2"), () -> publish(
        state("d-2", "converging", "waiting for shop_web to converge"),
        state("d-2", "failed", "shop_web did not converge")));
    answer("deployment.inspect", 200, new JsonObject().put("id", "d-2").put("state", "converging"), () -> { });

    Run r = run("stack", "deploy", "-c", stackFile().toString(), "shop");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("fluxer stack deploy: deployment d-2 failed: shop_web did not converge");
    consumers.forEach(MessageConsumer::unregister);
    consumers.clear();

    // a failure that announces a rollback: the services are settled only once it ended
    answer("stack.deploy", 202, accepted("d-7"), () -> publish(
        state("d-7", "failed", "shop_web did not converge").put("rollback", "started"),
        task("d-7", "running"),
        state("d-7", "rolled_back", "shop_web is back on its previous spec")));
    answer("deployment.inspect", 200, new JsonObject().put("id", "d-7").put("state", "converging"), () -> { });

    Run back = run("stack", "deploy", "-c", stackFile().toString(), "shop");

    assertThat(back.code()).isEqualTo(1);
    assertThat(back.out()).contains("failed: shop_web did not converge", "shop_web.1 on node-1: running",
        "rolled_back: shop_web is back on its previous spec");
    assertThat(back.err()).contains("fluxer stack deploy: deployment d-7 rolled_back: shop_web is back on its previous spec");
  }

  @Test
  @DisplayName("A rollback that fails ends the wait: exit 1 with the rollback's message; --output json prints each event")
  void rollbackFailsAndJsonOutput() throws IOException {
    JsonObject failed = state("d-8", "failed", "shop_web did not converge").put("rollback", "started");
    JsonObject rollback = new JsonObject().put("type", "rollback").put("deployment", "d-8").put("stack", "shop")
        .put("result", "failed").put("message", "the rollback of shop_web did not converge: 0/1 running");
    answer("stack.deploy", 202, accepted("d-8"), () -> publish(failed, task("d-8", "rejected"), rollback));
    answer("deployment.inspect", 200, new JsonObject().put("id", "d-8").put("state", "failed"), () -> { });

    Run r = run("stack", "deploy", "-c", stackFile().toString(), "--output", "json", "shop");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("deployment d-8 failed: the rollback of shop_web did not converge: 0/1 running");
    List<JsonObject> lines = r.out().lines().map(JsonObject::new).toList();
    assertThat(lines.get(0).getString("deployment")).as("the accepted answer first").isEqualTo("d-8");
    assertThat(lines.subList(1, lines.size())).as("then every event as published").containsExactly(failed,
        task("d-8", "rejected"), rollback);
  }

  @Test
  @DisplayName("Read back, a failed deployment whose rollback is still going is not taken for its end")
  void readBackWaitsForTheRollback() {
    JsonObject started = new JsonObject().put("state", "failed").put("message", "shop_web did not converge")
        .put("detail", new JsonObject().put("rollback", "started"));
    JsonObject d = new JsonObject().put("state", "failed").put("timeline", new JsonArray().add(started));
    assertThat(DeploymentWatch.rollingBack(d)).isTrue();
    d.getJsonArray("timeline").add(new JsonObject().put("state", "failed").put("message", "the rollback failed")
        .put("detail", new JsonObject().put("rollback", "failed")));
    assertThat(DeploymentWatch.rollingBack(d)).isFalse();
    assertThat(DeploymentWatch.rollingBack(new JsonObject().put("state", "failed")
        .put("timeline", new JsonArray().add(new JsonObject().put("state", "failed").put("detail", new JsonObject())))))
        .isFalse();
  }

  @Test
  @DisplayName("A missed publication is caught by reading the deployment: its end is reported within seconds")
  void missedPublicationFallsBackToTheApi() throws IOException {
    answer("stack.deploy", 202, accepted("d-3"), () -> publish(state("d-3", "updating", "updating shop_web")));
    answer("deployment.inspect", 200, new JsonObject().put("id", "d-3").put("state", "rolled_back")
        .put("timeline", new JsonArray().add(new JsonObject().put("seq", 5).put("state", "rolled_back")
            .put("message", "shop_web is back on its previous spec"))), () -> { });

    long started = System.nanoTime();
    Run r = run("stack", "deploy", "-c", stackFile().toString(), "--timeout", "1m", "shop");

    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("deployment d-3 rolled_back: shop_web is back on its previous spec");
    assertThat((System.nanoTime() - started) / 1_000_000_000).as("one check period, not the timeout")
        .isLessThan(DeploymentWatch.CHECK_EVERY.toSeconds() + 5);
  }

  @Test
  @DisplayName("--timeout bounds the wait: exit 1 naming the last state; --detach returns at once")
  void timeoutAndDetach() throws IOException {
    answer("stack.deploy", 202, accepted("d-4"), () -> { });
    answer("deployment.inspect", 200, new JsonObject().put("id", "d-4").put("state", "converging"), () -> { });

    Run r = run("stack", "deploy", "-c", stackFile().toString(), "--timeout", "2s", "shop");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("deployment d-4 did not end within 2 s");

    Run detached = run("stack", "deploy", "-c", stackFile().toString(), "--detach", "--output", "json", "shop");
    assertThat(detached.code()).isZero();
    assertThat(new JsonObject(detached.out().strip()).getString("deployment")).isEqualTo("d-4");
  }

  @Test
  @DisplayName("A refused stack file exits 1 listing its problems; bad usage exits 2 with the reason")
  void refusalsAndUsage() throws IOException {
    answer("stack.deploy", 400, new JsonObject().put("error", new JsonObject().put("code", 400)
        .put("message", "the stack file cannot be deployed: services.web.image: required")
        .put("problems", new JsonArray().add(new JsonObject().put("key", "services.web.image")
            .put("message", "required").put("line", 2).put("column", 3)))), () -> { });
    String file = stackFile().toString();

    Run refused = run("stack", "deploy", "-c", file, "shop");
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.err()).contains("services.web.image (line 2, column 3): required",
        "fluxer stack deploy: the stack file cannot be deployed");

    assertThat(run("stack").code()).isEqualTo(2);
    Run noFile = run("stack", "deploy", "shop");
    assertThat(noFile.code()).isEqualTo(2);
    assertThat(noFile.err()).contains("needs -c FILE");
    Run missing = run("stack", "deploy", "-c", dir.resolve("none.yml").toString(), "shop");
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("none.yml: no such file");
    assertThat(run("stack", "deploy", "-c", file, "--timeout", "soon", "shop").err()).contains("--timeout must be");
    assertThat(run("stack", "ls", "--output", "yaml").err()).contains("--output must be json or text");
    assertThat(run("stack", "diff", "shop", "1", "x").err()).contains("revision must be a whole number");
    assertThat(run("stack", "frob").err()).contains("unknown subcommand 'frob'");

    Run noKey = run(Map.of("FLUXER_URL", relay().httpUrl()), "", "stack", "ls");
    assertThat(noKey.code()).isEqualTo(2);
    assertThat(noKey.err()).contains("set FLUXER_API_KEY");
    Run viewer = run(env(TestRelay.VIEWER_KEY), "", "stack", "deploy", "-c", file, "--detach", "shop");
    assertThat(viewer.code()).isEqualTo(1);
    assertThat(viewer.err()).contains("permission denied").doesNotContain(TestRelay.VIEWER_KEY);
  }

  @Test
  @DisplayName("No control plane: stack ls exits 1 saying so; an unreachable relay exits 1 naming the URL")
  void unavailable() throws IOException {
    Run ls = run("stack", "ls");
    assertThat(ls.code()).isEqualTo(1);
    assertThat(ls.err()).contains("the control plane is not running");
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    Run down = run(Map.of("FLUXER_URL", "http://127.0.0.1:" + closed, "FLUXER_API_KEY", "k"), "", "stack", "ls");
    assertThat(down.code()).isEqualTo(1);
    assertThat(down.err()).contains("no answer from http://127.0.0.1:" + closed);
  }

  @Test
  @DisplayName("stack ls, ps and diff print tables and diffs, or the API's JSON with --output json")
  void reads() {
    answer("stack.list", 200, new JsonObject().put("stacks", new JsonArray().add(new JsonObject().put("name", "shop")
        .put("managed", true).put("services", 2).put("revision", 3).put("last_deployment_state", "succeeded"))),
        () -> { });
    answer("stack.inspect", 200, new JsonObject().put("name", "shop").put("services", new JsonArray()
        .add(new JsonObject().put("name", "shop_web").put("tasks", new JsonArray().add(new JsonObject()
            .put("id", "abcdefabcdef0123").put("slot", 1).put("node_id", "n1").put("state", "running")
            .put("desired_state", "running").put("updated_at", "2026-12-06T10:00:00Z").put("error", null)
            .put("node_id", null))))), () -> { });
    answer("stack.revision", 200, new JsonObject().put("stack", "shop").put("revision", 1)
        .put("stack_file", "services:\n  web:\n    image: nginx:1.27\n"), () -> { });

    Run ls = run("stack", "ls");
    assertThat(ls.code()).as(ls.err()).isZero();
    assertThat(ls.out().lines().toList()).containsExactly(
        "NAME  SERVICES  MANAGED  REVISION  LAST DEPLOYMENT",
        "shop  2         true     3         succeeded");
    assertThat(new JsonObject(run("stack", "ls", "--output", "json").out()).getJsonArray("stacks").size()).isEqualTo(1);

    Run ps = run("stack", "ps", "shop");
    assertThat(ps.out()).contains("shop_web.1", "abcdefabcdef ", "running");

    Run same = run("stack", "diff", "shop", "1", "1");
    assertThat(same.code()).isZero();
    assertThat(same.out()).isEmpty();
  }

  @Test
  @DisplayName("publish reaches a subscriber and prints the position; bad DATA is exit 2, a viewer's key exit 1")
  void publish() {
    WsTestClient sub = open();
    sub.connectWith(relay().token("alice"));
    sub.subscribe("chat:cli");

    Run r = run("publish", "chat:cli", "{\"text\":\"hello\"}");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("published to chat:cli (offset 1, epoch ");
    assertThat(sub.awaitPublications("chat:cli", 1, SHORT).get(0).getJsonObject("data").getString("text"))
        .isEqualTo("hello");

    Run stdin = run(env(TestRelay.OPS_KEY), "[1, 2]", "publish", "--output", "json", "chat:cli", "-");
    assertThat(new JsonObject(stdin.out().strip()).getLong("offset")).isEqualTo(2L);

    Run bad = run("publish", "chat:cli", "hello");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("DATA must be JSON");
    Run viewer = run(env(TestRelay.VIEWER_KEY), "", "publish", "chat:cli", "1");
    assertThat(viewer.code()).isEqualTo(1);
    assertThat(viewer.err()).contains("fluxer publish: ");
    assertThat(run("publish", "chat:cli").code()).isEqualTo(2);
  }

  @Test
  @DisplayName("completion bash prints a script bash accepts; another shell is exit 2")
  void completion() throws Exception {
    Run r = run("completion", "bash");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("complete -F _fluxer fluxer", "deploy ls ps rm rollback diff");
    Path script = dir.resolve("fluxer.bash");
    Files.writeString(script, r.out());
    Process bash = new ProcessBuilder("bash", "-n", script.toString()).redirectErrorStream(true).start();
    String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(bash.waitFor()).as(output).isZero();
    assertThat(run("completion", "zsh").code()).isEqualTo(2);
  }
}
