package io.fluxer.control.fluxerstack;

import static io.fluxer.control.docker.SwarmTests.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.control.docker.SwarmClient;
import io.fluxer.control.docker.SwarmTests;
import io.fluxer.control.fluxerstack.FluxerStack.Relay;
import io.fluxer.relay.testing.CiEnv;
import io.fluxer.relay.testing.HttpTestClient.Response;
import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.NodeScript;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Fluxer deployed as its own swarm stack from the top-level {@code stack.yml}, on the local swarm
 * scripts/test.sh starts, with the images scripts/images.sh built ({@code FLUXER_TEST_IMAGE},
 * {@code FLUXER_TEST_REDIS_IMAGE}, {@code FLUXER_TEST_POSTGRES_IMAGE}). The steps build on each other,
 * in order: the stack converges into one cluster, publications cross replicas, rolling updates and a
 * killed task lose nothing for official-SDK clients, the stack's control plane deploys a user stack
 * and then redeploys Fluxer itself through its webhook, and removing the stack leaves nothing behind.
 *
 * <p>Clients reach the stack through the relays' port, published through the routing mesh. Where the
 * kernel has no IPVS the mesh cannot run, and they go through the stack's HAProxy edge instead (deployed
 * in every run, and checked in every run), as docs/deploy.md tells operators of such hosts to.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FluxerStackTest {
  private static final Duration CONVERGE = Duration.ofMinutes(3);
  private static final int RELAYS = 3;
  private static final int SDK_CLIENTS = 6;

  private Vertx vertx;
  private SwarmClient swarm;
  private DockerCli cli;
  private FluxerStack stack;
  private FluxerStack.Images images;
  private String entry;
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final List<String> extraTags = new ArrayList<>();
  private String userStack;

  @BeforeAll
  void deploy() throws Exception {
    String host = SwarmTests.dockerHostOrSkip(getClass().getSimpleName());
    Assumptions.assumeTrue(host != null, "no Docker swarm (FLUXER_TEST_DOCKER)");
    images = images();
    Assumptions.assumeTrue(images != null, "no Fluxer images (FLUXER_TEST_IMAGE)");
    vertx = Vertx.vertx();
    swarm = SwarmTests.activeClient(vertx, host);
    cli = new DockerCli(host);
    Path root = Path.of(System.getenv().getOrDefault("FLUXER_TEST_REPO_ROOT", "..")).toAbsolutePath().normalize();
    long started = System.nanoTime();
    stack = FluxerStack.deploy("fluxer-it-" + run, root, images, cli, swarm, vertx);
    stack.awaitConverged(images.fluxer(), RELAYS, CONVERGE);
    figure("deploy: " + RELAYS + "/" + RELAYS + " relays healthy and in one cluster, control plane running, "
        + (System.nanoTime() - started) / 1_000_000 + " ms after docker stack deploy");
    if (FluxerStack.routingMeshWorks()) {
      entry = "127.0.0.1:" + stack.publishedPort();
    } else {
      entry = "127.0.0.1:" + stack.edgePort();
      figure("no IPVS in this kernel, so no routing mesh: clients go through the stack's HAProxy edge on " + entry);
    }
    HttpTestClient.eventually(() -> {
      try {
        return stack.nodesSeenAt("http://" + entry);
      } catch (java.io.IOException notYet) {
        return Set.of();
      }
    }, nodes -> nodes.size() == RELAYS, Duration.ofSeconds(30));
  }

  /** The images to run, or null outside CI when scripts/test.sh did not build them (fails under CI). */
  private static FluxerStack.Images images() {
    String fluxer = CiEnv.orSkip("FLUXER_TEST_IMAGE", "FluxerStackTest", "it builds the images with scripts/images.sh");
    if (fluxer == null) {
      return null;
    }
    return new FluxerStack.Images(fluxer, System.getenv().getOrDefault("FLUXER_TEST_REDIS_IMAGE", "redis:7"),
        System.getenv().getOrDefault("FLUXER_TEST_POSTGRES_IMAGE", "postgres:15"),
        System.getenv().getOrDefault("FLUXER_TEST_HAPROXY_IMAGE", "haproxy:2.8"));
  }

  @AfterAll
  void tearDown() throws Exception {
    try {
      if (userStack != null) {
        SwarmTests.removeStack(swarm, userStack, Duration.ofMinutes(1));
      }
      if (stack != null) {
        stack.remove(Duration.ofMinutes(2));
        stack.close();
      }
      for (String tag : extraTags) {
        cli.attempt(Duration.ofSeconds(30), Map.of(), "rmi", tag);
      }
    } finally {
      if (swarm != null) {
        await(swarm.close());
      }
      if (vertx != null) {
        await(vertx.close());
      }
    }
  }

  @Test
  @Order(1)
  @DisplayName("every replica reports the same three members, through the published port, the edge and at its own address")
  void oneCluster() throws Exception {
    List<Relay> relays = stack.relays();
    Set<String> names = relays.stream().map(Relay::taskName).collect(Collectors.toSet());
    assertThat(names).hasSize(RELAYS);
    for (Relay r : relays) {
      assertThat(stack.nodesSeenAt("http://" + r.address() + ":8000")).as(r.taskName()).isEqualTo(names);
    }
    List<String> entries = new ArrayList<>(List.of("127.0.0.1:" + stack.edgePort()));
    if (FluxerStack.routingMeshWorks()) {
      entries.add("127.0.0.1:" + stack.publishedPort());
    }
    for (String via : entries) {
      for (int i = 0; i < RELAYS * 2; i++) { // each request is a new connection, spread over the relays
        assertThat(stack.nodesSeenAt("http://" + via)).as("through " + via).isEqualTo(names);
      }
    }
  }

  @Test
  @Order(2)
  @DisplayName("a client on one replica receives what is published through each of the others")
  void publicationsCrossReplicas() throws Exception {
    List<Relay> relays = stack.relays();
    String channel = "chat:cross-" + run;
    List<WsTestClient> clients = new ArrayList<>();
    try {
      for (Relay r : relays) {
        WsTestClient c = WsTestClient.open(vertx, "ws://" + r.address() + ":8000/connection/websocket");
        c.connectWith(stack.token("cross-" + r.taskId()));
        c.subscribe(channel);
        clients.add(c);
      }
      for (Relay from : relays) {
        HttpTestClient http = new HttpTestClient(vertx, "http://" + from.address() + ":8000");
        Response r = http.send(HttpMethod.POST, "/api/publish", HttpTestClient.apiKey(stack.apiKey()),
            new JsonObject().put("channel", channel).put("data", new JsonObject().put("via", from.taskName())).encode());
        http.close();
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
      }
      for (int i = 0; i < clients.size(); i++) {
        WsTestClient c = clients.get(i);
        HttpTestClient.eventually(() -> c.publications(channel).size(), n -> n == RELAYS, Duration.ofSeconds(10));
        assertThat(c.publications(channel).stream().map(p -> p.getJsonObject("data").getString("via")))
            .as("client on " + relays.get(i).taskName())
            .containsExactlyInAnyOrderElementsOf(relays.stream().map(Relay::taskName).toList());
      }
    } finally {
      clients.forEach(WsTestClient::close);
    }
  }

  @Test
  @Order(3)
  @DisplayName("docker service update --force of the relays under load: every SDK client gets every publication once, in order")
  void forcedRollingUpdate() throws Exception {
    Set<String> before = stack.runningTaskIds("relay");
    JsonObject summary = underLoad("update-force", () -> {
      cli.run(Duration.ofSeconds(60), Map.of(), "service", "update", "--detach", "--force", stack.service("relay"));
      stack.awaitConverged(images.fluxer(), RELAYS, CONVERGE);
      return null;
    }, null);
    assertThat(stack.runningTaskIds("relay")).doesNotContainAnyElementsOf(before);
    assertThat(summary.getInteger("reconnects")).isGreaterThan(0);
  }

  @Test
  @Order(4)
  @DisplayName("docker kill of one relay task under load: nothing lost, and the replacement joins the cluster")
  void killedTask() throws Exception {
    List<Relay> relays = stack.relays();
    Relay victim = relays.get(0);
    underLoad("kill", () -> {
      String container = cli.run("ps", "-q", "--no-trunc", "--filter", "label=com.docker.swarm.task.id="
          + victim.taskId()).strip();
      assertThat(container).as("container of " + victim.taskName()).isNotEmpty();
      cli.run("kill", container);
      List<Relay> after = stack.awaitConverged(images.fluxer(), RELAYS, CONVERGE);
      assertThat(after).extracting(Relay::taskId).doesNotContain(victim.taskId());
      return null;
    }, null);
  }

  @Test
  @Order(5)
  @DisplayName("the stack's control plane answers through the relays and deploys a small user stack on the same swarm")
  void controlPlaneDeploysAUserStack() throws Exception {
    HttpTestClient http = new HttpTestClient(vertx, "http://" + entry);
    try {
      Response list = http.get("/api/v1/stacks", HttpTestClient.apiKey(stack.apiKey()));
      assertThat(list.status()).as(list.toString()).isEqualTo(200);
      JsonObject fluxer = stackEntry(list.json(), stack.name);
      assertThat(fluxer).as("the Fluxer stack in " + list.body()).isNotNull();
      assertThat(fluxer.getBoolean("managed")).as("deployed with the docker CLI, not by the control plane").isFalse();

      userStack = "fluxer-it-" + run + "-user";
      String file = "services:\n  web:\n    image: fluxer-test/busybox:1\n"
          + "    command: [\"sh\", \"-c\", \"while true; do echo tick; sleep 1; done\"]\n"
          + "    stop_grace_period: 1s\n    stop_signal: SIGKILL\n"
          + "    deploy:\n      replicas: 2\n      update_config: {monitor: 1s}\n";
      Response deployed = http.put("/api/v1/stacks/" + userStack, HttpTestClient.apiKey(stack.apiKey()),
          new JsonObject().put("stackFile", file).encode());
      assertThat(deployed.status()).as(deployed.toString()).isEqualTo(202);
      assertThat(awaitDeployment(http, deployed.json().getString("deployment"))).isEqualTo("succeeded");
      assertThat(await(swarm.listTasks(userStack + "_web")).stream().filter(t -> "running".equals(t.state())))
          .hasSize(2);

      Response removed = http.delete("/api/v1/stacks/" + userStack, HttpTestClient.apiKey(stack.apiKey()));
      assertThat(removed.status()).as(removed.toString()).isEqualTo(202);
      assertThat(awaitDeployment(http, removed.json().getString("deployment"))).isEqualTo("succeeded");
      assertThat(await(swarm.listStackServices(userStack))).isEmpty();
    } finally {
      http.close();
    }
  }

  @Test
  @Order(6)
  @DisplayName("Fluxer redeploys itself: adopted by its control plane, a signed webhook rolls the relays to a new tag, nothing lost")
  void redeploysItselfThroughTheWebhook() throws Exception {
    HttpTestClient http = new HttpTestClient(vertx, "http://" + entry);
    Map<String, Set<String>> untouched = new LinkedHashMap<>();
    for (String key : List.of("control", "redis", "postgres", "edge")) {
      untouched.put(key, stack.runningTaskIds(key));
    }
    try {
      Response adopted = http.send(HttpMethod.POST, "/api/v1/stacks/" + stack.name + "/adopt",
          HttpTestClient.apiKey(stack.apiKey()), adoptBody().encode());
      assertThat(adopted.status()).as(adopted.toString()).isBetween(200, 201);
      assertThat(adopted.json().getJsonArray("drift")).as(adopted.toString()).isEmpty();
      assertThat(adopted.json().getJsonArray("adopted")).as(adopted.toString())
          .containsExactlyInAnyOrder(stack.service("relay"), stack.service("control"), stack.service("redis"),
              stack.service("postgres"), stack.service("edge"));
      Response listed = http.get("/api/v1/stacks", HttpTestClient.apiKey(stack.apiKey()));
      assertThat(stackEntry(listed.json(), stack.name).getBoolean("managed")).isTrue();

      Response hook = http.send(HttpMethod.POST, "/api/v1/stacks/" + stack.name + "/hook",
          HttpTestClient.apiKey(stack.apiKey()), "");
      assertThat(hook.status()).as(hook.toString()).isBetween(200, 201);
      String secret = hook.json().getString("secret");
      String tag = "stack-" + run + "-c";
      String image = tagged(tag);

      String[] deployment = new String[1];
      JsonObject summary = underLoad("webhook", () -> {
        String body = new JsonObject().put("tags", new JsonObject().put("relay", tag)).encode();
        long t = System.currentTimeMillis() / 1000; // signed as docs/control-api.md shows: "<t>.<body>"
        Response r = http.send(HttpMethod.POST, "/api/v1/hooks/stacks/" + stack.name,
            Map.of("X-Fluxer-Signature", "t=" + t + ",v1=" + hmac(secret, t + "." + body),
                "X-Fluxer-Delivery", UUID.randomUUID().toString(), "Content-Type", "application/json"), body);
        assertThat(r.status()).as(r.toString()).isEqualTo(202);
        deployment[0] = r.json().getString("deployment");
        assertThat(awaitDeployment(http, deployment[0])).isEqualTo("succeeded");
        stack.awaitConverged(image, RELAYS, CONVERGE);
        return null;
      }, "deploy:" + stack.name);

      List<String> states = summary.getJsonArray("watched").stream().map(o -> (JsonObject) o)
          .filter(e -> "state".equals(e.getString("type")) && deployment[0].equals(e.getString("deployment")))
          .map(e -> e.getString("state")).toList();
      assertThat(states).as("states of the webhook's deployment on deploy:" + stack.name)
          .containsSubsequence("updating", "converging", "succeeded").endsWith("succeeded");
      figure("webhook deployment states on deploy:" + stack.name + ": " + states);
      untouched.forEach((key, ids) -> {
        try {
          assertThat(stack.runningTaskIds(key)).as(key + " left alone").isEqualTo(ids);
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
    } finally {
      http.close();
    }
  }

  @Test
  @Order(7)
  @DisplayName("a change of the relays' image tag (docker service update --image) under load loses nothing")
  void imageTagChange() throws Exception {
    String image = tagged("stack-" + run + "-b");
    underLoad("image-tag", () -> {
      cli.run(Duration.ofSeconds(60), Map.of(), "service", "update", "--detach", "--image", image,
          stack.service("relay"));
      stack.awaitConverged(image, RELAYS, CONVERGE);
      return null;
    }, null);
  }

  @Test
  @Order(8)
  @DisplayName("docker stack rm leaves no service, secret, config or network behind")
  void removal() throws Exception {
    List<String> left = stack.remove(Duration.ofMinutes(2));
    assertThat(left).as("left behind by docker stack rm " + stack.name).isEmpty();
    stack.close();
    stack = null;
  }

  // ---- helpers

  /**
   * Runs sdk-stack.mjs: official-SDK clients through the published port and a publisher at 50/s, with
   * {@code disruption} carried out when the script asks; answers the script's figures.
   */
  private JsonObject underLoad(String name, Callable<Void> disruption, String watch) throws Exception {
    ensureRollingNamespace();
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < SDK_CLIENTS; i++) {
      tokens.add(stack.token("sdk-" + name + "-" + i, "viewer"));
    }
    Map<String, String> env = new LinkedHashMap<>();
    env.put("FLUXER_WS", "ws://" + entry + "/connection/websocket");
    env.put("FLUXER_HTTP", "http://" + entry);
    env.put("FLUXER_TOKENS", new JsonArray(tokens).encode());
    env.put("FLUXER_API_KEY", stack.apiKey());
    env.put("FLUXER_CHANNEL", "rolling:" + name + "-" + run);
    env.put("FLUXER_DISRUPTION", name);
    env.put("FLUXER_RATE", "50");
    if (watch != null) {
      env.put("FLUXER_WATCH", watch);
    }
    NodeScript.Result result = NodeScript.run("sdk-stack.mjs", env, Duration.ofMinutes(8), request -> {
      long started = System.nanoTime();
      try {
        disruption.call();
      } catch (Exception e) {
        throw new AssertionError(name + " failed: " + e.getMessage(), e);
      }
      return new JsonObject().put("tookMs", (System.nanoTime() - started) / 1_000_000);
    });
    JsonObject summary = result.summary();
    figure(name + ": " + summary.getInteger("published") + " publications at " + summary.getDouble("achievedRate")
        + "/s to " + summary.getInteger("clients") + " SDK clients, each got all exactly once in order; "
        + summary.getInteger("reconnects") + " reconnects, " + summary.getInteger("publishRetries")
        + " publish retries, disruption " + summary.getLong("disruptionMs") + " ms; per client "
        + summary.getJsonArray("perClient").encode());
    return summary;
  }

  /** A namespace whose history outlasts any disruption here (60 s at 50/s), with recovery. */
  private void ensureRollingNamespace() throws Exception {
    HttpTestClient http = new HttpTestClient(vertx, "http://" + entry);
    try {
      Response r = http.put("/api/v1/namespaces/rolling", HttpTestClient.apiKey(stack.apiKey()), new JsonObject()
          .put("history_size", 20000).put("history_ttl", "30m").put("force_recovery", true)
          .put("allow_subscribe_for_client", true).encode());
      assertThat(r.status()).as(r.toString()).isIn(200, 201);
    } finally {
      http.close();
    }
  }

  /** Tags the test image as {@code fluxer:<tag>} (removed at the end); answers the new name. */
  private String tagged(String tag) throws Exception {
    String repository = images.fluxer().replaceFirst(":[^:/]*$", "");
    String image = repository + ":" + tag;
    cli.run("tag", images.fluxer(), image);
    extraTags.add(image);
    return image;
  }

  /** The body of an adopt: the stack file and the variables and files it was deployed with. */
  private JsonObject adoptBody() throws Exception {
    JsonObject env = new JsonObject();
    stack.env.forEach(env::put);
    JsonObject files = new JsonObject();
    for (String file : List.of("FLUXER_CONFIG_FILE", "FLUXER_EDGE_CONFIG_FILE")) {
      files.put(stack.env.get(file), Files.readString(Path.of(stack.env.get(file))));
    }
    for (String secret : List.of("jwt_key", "api_key", "dashboard_admin_hash", "control_key", "postgres_password",
        "cluster_signing_key", "cluster_ca", "cluster_cert", "cluster_key")) {
      // as the file is: the certificates end with a newline, which is part of the secret
      Path file = stack.secrets.resolve(secret);
      files.put(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
    }
    return new JsonObject()
        .put("stackFile", Files.readString(stack.root.resolve("stack.yml"), StandardCharsets.UTF_8))
        .put("env", env)
        .put("files", files);
  }

  private static JsonObject stackEntry(JsonObject list, String name) {
    return list.getJsonArray("stacks").stream().map(o -> (JsonObject) o)
        .filter(s -> name.equals(s.getString("name"))).findFirst().orElse(null);
  }

  /** Waits for a deployment to finish; answers its last state. */
  private String awaitDeployment(HttpTestClient http, String id) throws Exception {
    Set<String> finished = Set.of("succeeded", "failed", "rolled_back");
    long deadline = System.nanoTime() + CONVERGE.toNanos();
    String state = null;
    while (System.nanoTime() < deadline) {
      Response r = http.get("/api/v1/deployments/" + id, HttpTestClient.apiKey(stack.apiKey()));
      if (r.status() == 200) {
        state = r.json().getString("state");
        if (finished.contains(state)) {
          if (!"succeeded".equals(state)) {
            figure("deployment " + id + " ended " + state + ": " + r.json().getJsonArray("timeline"));
          }
          return state;
        }
      }
      Thread.sleep(250);
    }
    throw new AssertionError("deployment " + id + " did not finish within " + CONVERGE + "; last state " + state);
  }

  private static String hmac(String secret, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }

  private void figure(String line) {
    System.out.println("stack figures: " + line);
  }
}
