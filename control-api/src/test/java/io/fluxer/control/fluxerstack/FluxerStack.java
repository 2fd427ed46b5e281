package io.fluxer.control.fluxerstack;

import static io.fluxer.control.docker.SwarmTests.await;

import io.fluxer.control.docker.SwarmClient;
import io.fluxer.control.docker.TaskInfo;
import io.fluxer.relay.auth.JwtSigner;
import io.fluxer.relay.testing.HttpTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;

/**
 * Fluxer deployed from the top-level {@code stack.yml} with {@code docker stack deploy}, as
 * docs/deploy.md tells an operator to: secrets made by {@code docker/secrets.sh}, the configuration
 * {@code docker/fluxer.yaml}, the images {@code scripts/images.sh} built. The stack has a unique name,
 * its own published port and cluster subnet, so it never meets another stack on the swarm.
 */
final class FluxerStack implements AutoCloseable {
  /** The label stack.yml's postgres service is placed by. */
  static final String POSTGRES_NODE_LABEL = "fluxer.postgres";

  final String name;
  final Path root;
  final Path secrets;
  final Map<String, String> env;
  private final DockerCli cli;
  private final SwarmClient swarm;
  private final Vertx vertx;
  private final JwtSigner signer;

  private FluxerStack(String name, Path root, Path secrets, Map<String, String> env, DockerCli cli, SwarmClient swarm,
                      Vertx vertx) throws IOException {
    this.name = name;
    this.root = root;
    this.secrets = secrets;
    this.env = Map.copyOf(env);
    this.cli = cli;
    this.swarm = swarm;
    this.vertx = vertx;
    this.signer = JwtSigner.hmac("HS256", secret("jwt_key").getBytes(StandardCharsets.UTF_8));
  }

  /** The images a stack runs: scripts/images.sh's, passed on by scripts/test.sh. */
  record Images(String fluxer, String redis, String postgres, String haproxy) {}

  /**
   * Makes the secrets, labels this node for PostgreSQL and runs {@code docker stack deploy}; does not
   * wait for the stack to converge.
   */
  static FluxerStack deploy(String name, Path root, Images images, DockerCli cli, SwarmClient swarm, Vertx vertx)
      throws Exception {
    Path secrets = Files.createTempDirectory("fluxer-stack-secrets");
    cli.run(Duration.ofSeconds(60), Map.of(), "version"); // the CLI answers before anything else is tried
    run(List.of(root.resolve("docker/secrets.sh").toString(), secrets.toString()));
    ThreadLocalRandom random = ThreadLocalRandom.current();
    Map<String, String> env = new LinkedHashMap<>();
    env.put("FLUXER_IMAGE", images.fluxer());
    env.put("FLUXER_REDIS_IMAGE", images.redis());
    env.put("FLUXER_POSTGRES_IMAGE", images.postgres());
    int port = 20000 + random.nextInt(9000);
    env.put("FLUXER_PORT", String.valueOf(port));
    // the optional HAProxy edge too, on the port after the relays'
    env.put("FLUXER_EDGE_REPLICAS", "1");
    env.put("FLUXER_EDGE_IMAGE", images.haproxy());
    env.put("FLUXER_EDGE_PORT", String.valueOf(port + 1));
    env.put("FLUXER_EDGE_CONFIG_FILE", root.resolve("docker/edge/haproxy.cfg").toString());
    env.put("FLUXER_CLUSTER_SUBNET", "10." + (200 + random.nextInt(50)) + "." + random.nextInt(250) + ".0/24");
    env.put("FLUXER_CONFIG_FILE", root.resolve("docker/fluxer.yaml").toString());
    env.put("FLUXER_SECRETS_DIR", secrets.toString());
    String self = cli.run("info", "--format", "{{.Swarm.NodeID}}").strip();
    cli.run("node", "update", "--label-add", POSTGRES_NODE_LABEL + "=true", self);
    FluxerStack stack = new FluxerStack(name, root, secrets, env, cli, swarm, vertx);
    cli.run(Duration.ofMinutes(2), env, "stack", "deploy", "--resolve-image", "never", "-c",
        root.resolve("stack.yml").toString(), name);
    return stack;
  }

  String service(String key) {
    return name + "_" + key;
  }

  /** The relays' port, published through the routing mesh. */
  int publishedPort() {
    return Integer.parseInt(env.get("FLUXER_PORT"));
  }

  /**
   * Whether the swarm's routing mesh can work here: it balances published ports with IPVS, which some
   * kernels (this project's CI VMs among them) are built without.
   */
  static boolean routingMeshWorks() {
    return Files.isDirectory(Path.of("/proc/sys/net/ipv4/vs"));
  }

  /** The edge's port, published on this node (mode host). */
  int edgePort() {
    return Integer.parseInt(env.get("FLUXER_EDGE_PORT"));
  }

  String secret(String file) throws IOException {
    return Files.readString(secrets.resolve(file), StandardCharsets.UTF_8).strip();
  }

  String apiKey() throws IOException {
    return secret("api_key");
  }

  /** A connection token for {@code user}, signed with the stack's JWT key. */
  String token(String user, String... roles) {
    long now = Instant.now().getEpochSecond();
    return signer.sign(new JsonObject().put("sub", user).put("iat", now).put("exp", now + 3600)
        .put("roles", new JsonArray(List.of((Object[]) roles))));
  }

  /** One relay task as the swarm and its container see it. */
  record Relay(String taskId, String taskName, String image, String address) {}

  /**
   * The relay tasks that run, the swarm wants running and are healthy, with their bridge address (the
   * host reaches a task there).
   */
  List<Relay> relays() throws Exception {
    String service = service("relay");
    List<TaskInfo> tasks = await(swarm.listTasks(service));
    return await(swarm.call(docker -> {
      var bridge = docker.inspectNetworkCmd().withNetworkId("docker_gwbridge").exec().getContainers();
      List<Relay> out = new ArrayList<>();
      for (TaskInfo t : tasks) {
        String container = t.raw().getJsonObject("Status", new JsonObject())
            .getJsonObject("ContainerStatus", new JsonObject()).getString("ContainerID");
        if (!"running".equals(t.state()) || !"running".equals(t.desiredState()) || container == null) {
          continue;
        }
        var state = docker.inspectContainerCmd(container).exec().getState();
        var endpoint = bridge == null ? null : bridge.get(container);
        if (state.getHealth() == null || !"healthy".equals(state.getHealth().getStatus()) || endpoint == null) {
          continue;
        }
        String image = t.spec().getJsonObject("ContainerSpec", new JsonObject()).getString("Image");
        out.add(new Relay(t.id(), service + "." + t.slot() + "." + t.id(), image,
            endpoint.getIpv4Address().replaceFirst("/.*", "")));
      }
      out.sort(Comparator.comparing(Relay::taskName));
      return out;
    }));
  }

  /** The IDs of a service's tasks the swarm wants running. */
  Set<String> runningTaskIds(String key) throws Exception {
    return await(swarm.listTasks(service(key))).stream()
        .filter(t -> "running".equals(t.desiredState()) && "running".equals(t.state()))
        .map(TaskInfo::id).collect(Collectors.toCollection(TreeSet::new));
  }

  /** The node names {@code GET /api/v1/nodes} lists at {@code base} (http://host:port). */
  Set<String> nodesSeenAt(String base) throws IOException {
    HttpTestClient http = new HttpTestClient(vertx, base);
    try {
      HttpTestClient.Response r = http.get("/api/v1/nodes", HttpTestClient.apiKey(apiKey()));
      if (r.status() != 200) {
        return Set.of("HTTP " + r.status());
      }
      Set<String> names = new TreeSet<>();
      r.json().getJsonArray("nodes").forEach(n -> names.add(((JsonObject) n).getString("name")));
      return names;
    } finally {
      http.close();
    }
  }

  /**
   * Waits until {@code replicas} relays of {@code image} run healthy, no other relay task runs, the
   * engine has finished any update of the service, each relay's node list is exactly the running
   * relays (one cluster), and the control plane runs. Answers the relays.
   */
  List<Relay> awaitConverged(String image, int replicas, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    String last = "nothing yet";
    while (System.nanoTime() < deadline) {
      List<Relay> relays = relays();
      long relayTasksRunning = await(swarm.listTasks(service("relay"))).stream()
          .filter(t -> "running".equals(t.state())).count();
      String updateState = await(swarm.inspectService(service("relay"))).updateState();
      Set<String> names = relays.stream().map(Relay::taskName).collect(Collectors.toCollection(TreeSet::new));
      boolean ready = relays.size() == replicas && relayTasksRunning == replicas
          && relays.stream().allMatch(r -> image.equals(r.image()))
          && (updateState == null || updateState.equals("completed") || updateState.equals("rollback_completed"))
          && runningTaskIds("control").size() == 1 && runningTaskIds("edge").size() == 1;
      Map<String, Set<String>> views = new LinkedHashMap<>();
      if (ready) {
        for (Relay r : relays) {
          views.put(r.taskName(), nodesSeenAt("http://" + r.address() + ":8000"));
        }
        if (views.values().stream().allMatch(names::equals)) {
          return relays;
        }
      }
      last = relays.size() + " healthy relay(s) " + relays + ", " + relayTasksRunning + " running, update "
          + updateState + ", control " + runningTaskIds("control") + ", edge " + runningTaskIds("edge") + ", views "
          + views;
      Thread.sleep(500);
    }
    throw new AssertionError("stack " + name + " did not converge within " + within + ": " + last);
  }

  /**
   * {@code docker stack rm}, then waits until no service, secret, config or network of the stack is
   * left and removes its PostgreSQL volume; answers what was still there at the deadline (empty: all
   * gone).
   */
  List<String> remove(Duration within) throws Exception {
    cli.attempt(Duration.ofMinutes(2), Map.of(), "stack", "rm", name);
    String label = SwarmClient.STACK_NAMESPACE_LABEL + "=" + name;
    long deadline = System.nanoTime() + within.toNanos();
    List<String> left = leftovers(label);
    while (!left.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(500);
      left = leftovers(label);
    }
    // the volume outlives docker stack rm on purpose (it holds PostgreSQL's data); a test removes it
    // once the task that used it is gone
    String volume = name + "_pgdata";
    while (System.nanoTime() < deadline
        && cli.attempt(Duration.ofSeconds(30), Map.of(), "volume", "inspect", volume).exitCode() == 0
        && cli.attempt(Duration.ofSeconds(30), Map.of(), "volume", "rm", volume).exitCode() != 0) {
      Thread.sleep(500);
    }
    return left;
  }

  private List<String> leftovers(String label) throws Exception {
    List<String> left = new ArrayList<>();
    await(swarm.listServices(label)).forEach(s -> left.add("service " + ((JsonObject) s)
        .getJsonObject("Spec").getString("Name")));
    await(swarm.listSecrets(label)).forEach(s -> left.add("secret " + ((JsonObject) s)
        .getJsonObject("Spec").getString("Name")));
    await(swarm.listConfigs(label)).forEach(c -> left.add("config " + ((JsonObject) c)
        .getJsonObject("Spec").getString("Name")));
    await(swarm.listNetworks(label)).forEach(n -> left.add("network " + ((JsonObject) n).getString("Name")));
    return left;
  }

  @Override
  public void close() throws IOException {
    try (var files = Files.walk(secrets)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new AssertionError(String.join(" ", command) + " exited with " + p.exitValue() + ":\n" + out);
    }
  }
}
