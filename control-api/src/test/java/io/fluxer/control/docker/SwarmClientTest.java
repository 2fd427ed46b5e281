package io.fluxer.control.docker;

import static io.fluxer.control.docker.SwarmTests.await;
import static io.fluxer.control.docker.SwarmTests.waitFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link SwarmClient} against the real local swarm that {@code scripts/test.sh} starts
 * ({@code start_docker}, {@code build_test_images}) and names in {@code FLUXER_TEST_DOCKER} (the
 * engine's URI, or {@code 1} for the default socket). Skipped only when that variable is absent outside
 * CI ({@code CI=true} makes its absence a failure); when it is set, an engine that does not answer, is
 * not in a swarm or lacks the test images fails the tests.
 * Every test uses its own stack name ({@code fluxer-it-<random>}) as the {@code com.docker.stack.namespace}
 * label of everything it creates, and removes all of it afterwards, even when it failed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SwarmClientTest {

  private static final String IMAGE_1 = "fluxer-test/busybox:1";
  private static final String IMAGE_2 = "fluxer-test/busybox:2";
  private static final String ENV = "FLUXER_TEST_DOCKER";
  private static final String SKIPPED = ENV + " is not set: skipping the tests against a real Docker swarm "
      + "(scripts/test.sh starts one and sets it)";
  private static final Duration CONVERGE = Duration.ofSeconds(45);

  private static Vertx vertx;
  private static SwarmClient client;

  private String stack;

  @BeforeAll
  static void connect() throws Exception {
    String host = SwarmTests.dockerHostOrSkip("SwarmClientTest");
    if (host == null) {
      return;
    }
    vertx = Vertx.vertx();
    client = SwarmTests.activeClient(vertx, host);
    for (String image : List.of(IMAGE_1, IMAGE_2)) {
      List<com.github.dockerjava.api.model.Image> found =
          await(client.call(d -> d.listImagesCmd().withReferenceFilter(image).exec()));
      assertThat(found).as("local image %s (scripts/lib.sh build_test_images)", image).isNotEmpty();
    }
  }

  @AfterAll
  static void disconnect() throws Exception {
    if (client != null) {
      await(client.close());
    }
    if (vertx != null) {
      await(vertx.close());
    }
  }

  @BeforeEach
  void name() {
    Assumptions.assumeTrue(client != null, SKIPPED);
    stack = "fluxer-it-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Removes everything labelled with this test's stack, whatever the test left. */
  @AfterEach
  void cleanUp() throws Exception {
    if (client == null) {
      return;
    }
    SwarmTests.removeStack(client, stack, CONVERGE);
  }

  @Test
  void callsRunOnTheDockerWorkerAndCompleteOnTheCallersEventLoop() throws Exception {
    Promise<String> seen = Promise.promise();
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> client.info().onComplete(ar -> {
      if (Vertx.currentContext() != context || !Context.isOnEventLoopThread()) {
        seen.fail("completed on " + Thread.currentThread().getName() + ", not on the caller's event loop");
      } else if (ar.failed()) {
        seen.fail(ar.cause());
      } else {
        seen.complete(ar.result().getJsonObject("Swarm").getString("NodeID"));
      }
    }));
    assertThat(await(seen.future())).isNotBlank();
    String thread = await(client.call(d -> Thread.currentThread().getName()));
    assertThat(thread).startsWith(SwarmClient.WORKER_NAME);
    assertThat(await(client.swarm()).getString("ID")).isNotBlank();
  }

  @Test
  void createsUpdatesAndRollsBackAServiceFromRawSpec() throws Exception {
    String name = stack + "_ticker";
    String id = await(client.createService(tickerSpec(name, IMAGE_1, 1))).getString("ID");
    assertThat(id).isNotBlank();

    JsonArray listed = await(client.listStackServices(stack));
    assertThat(listed).hasSize(1);
    assertThat(listed.getJsonObject(0).getString("ID")).isEqualTo(id);
    InspectedService created = await(client.inspectService(name));
    assertThat(created.id()).isEqualTo(id);
    assertThat(created.version()).isPositive();
    assertThat(created.previousSpec()).isNull();
    TaskInfo first = waitForRunning(id, created.spec(), 1).get(0);
    assertThat(first.slot()).isEqualTo(1);
    assertThat(first.nodeId()).isNotBlank();
    assertThat(first.containerId()).isNotBlank();

    // nothing to roll back to yet: the engine's refusal comes back typed
    assertThatThrownBy(() -> await(client.rollbackService(id)))
        .isInstanceOf(DockerEngineException.class)
        .satisfies(e -> {
          DockerEngineException d = (DockerEngineException) e;
          assertThat(d.status()).isBetween(400, 599);
          assertThat(d.engineMessage()).contains("previous spec");
        });

    // update env and image through the raw spec: fields set at creation survive
    ServiceUpdate update = await(client.updateService(id, spec -> {
      JsonObject container = spec.getJsonObject("TaskTemplate").getJsonObject("ContainerSpec");
      container.put("Image", IMAGE_2);
      container.getJsonArray("Env").add("FLUXER_STEP=updated");
      return spec;
    }));
    assertThat(update.attempts()).isEqualTo(1);
    InspectedService updated = await(client.inspectService(id));
    assertThat(updated.version()).isGreaterThan(created.version());
    JsonObject container = updated.spec().getJsonObject("TaskTemplate").getJsonObject("ContainerSpec");
    assertThat(strings(container.getJsonArray("Env"))).contains("FLUXER_STEP=updated");
    assertThat(container.getString("Hostname")).isEqualTo("ticker");
    assertThat(strings(container.getJsonArray("Hosts"))).containsExactly("10.1.2.3 fluxer-test-host");
    assertThat(container.getJsonObject("Labels").getString("io.fluxer.test")).isEqualTo("kept");
    assertThat(updated.previousSpec()).isEqualTo(created.spec());

    TaskInfo second = waitForRunning(id, updated.spec(), 1).get(0);
    assertThat(second.id()).isNotEqualTo(first.id());
    assertThat(second.runs(created.spec().getJsonObject("TaskTemplate"))).isFalse();
    TaskInfo replaced = task(await(client.listTasks(id)), first.id());
    assertThat(replaced.desiredState()).isEqualTo("shutdown");

    // rollback=previous returns to the spec before the update
    ServiceUpdate rollback = await(client.rollbackService(name));
    assertThat(rollback.serviceId()).isEqualTo(id);
    InspectedService rolledBack = await(client.inspectService(id));
    assertThat(rolledBack.spec()).isEqualTo(created.spec());
    assertThat(rolledBack.previousSpec()).isEqualTo(updated.spec());
    assertThat(rolledBack.updateState()).startsWith("rollback_");
    TaskInfo third = waitForRunning(id, rolledBack.spec(), 1).get(0);
    assertThat(third.spec().getJsonObject("ContainerSpec").getString("Image")).isEqualTo(IMAGE_1);

    await(client.removeService(id));
    assertThat(await(client.listStackServices(stack))).isEmpty();
    assertThatThrownBy(() -> await(client.inspectService(id)))
        .isInstanceOfSatisfying(DockerEngineException.class, e -> assertThat(e.isNotFound()).isTrue());
  }

  @Test
  void aStaleVersionIsOutOfSequenceAndTheRetryingUpdateWins() throws Exception {
    String id = await(client.createService(tickerSpec(stack + "_ticker", IMAGE_1, 1))).getString("ID");
    InspectedService stale = await(client.inspectService(id));

    // someone else updates the service in between
    await(client.updateService(id, spec -> withEnv(spec, "FLUXER_OTHER=1")));

    // sent once with the stale version: refused
    assertThatThrownBy(() -> await(client.updateService(id, stale.version(), withEnv(stale.spec().copy(), "FLUXER_MINE=1"))))
        .isInstanceOfSatisfying(DockerEngineException.class, e -> {
          assertThat(e.isOutOfSequence()).as("out of sequence: %s", e.getMessage()).isTrue();
          assertThat(e.status()).isEqualTo(500);
        });

    // from the stale inspection, retrying: re-inspects and re-applies the patch to the fresh spec
    AtomicInteger patched = new AtomicInteger();
    ServiceUpdate update = await(client.updateService(stale, spec -> {
      patched.incrementAndGet();
      return withEnv(spec, "FLUXER_MINE=1");
    }));
    assertThat(update.attempts()).isEqualTo(2);
    assertThat(patched).hasValue(2);
    JsonArray env = await(client.inspectService(id)).spec()
        .getJsonObject("TaskTemplate").getJsonObject("ContainerSpec").getJsonArray("Env");
    assertThat(strings(env)).contains("FLUXER_OTHER=1", "FLUXER_MINE=1");

    // with a single attempt allowed, the stale version is not retried
    SwarmClient once = SwarmClient.create(vertx, client.options().withUpdateAttempts(1));
    try {
      InspectedService staleAgain = await(once.inspectService(id));
      await(once.updateService(id, spec -> withEnv(spec, "FLUXER_THIRD=1")));
      assertThatThrownBy(() -> await(once.updateService(staleAgain, spec -> spec)))
          .isInstanceOfSatisfying(DockerEngineException.class, e -> assertThat(e.isOutOfSequence()).isTrue());
    } finally {
      await(once.close());
    }
  }

  @Test
  void scalesAServiceAndListsItsTasks() throws Exception {
    String id = await(client.createService(tickerSpec(stack + "_ticker", IMAGE_1, 1))).getString("ID");
    InspectedService created = await(client.inspectService(id));
    waitForRunning(id, created.spec(), 1);

    await(client.scaleService(id, 3));
    InspectedService scaled = await(client.inspectService(id));
    assertThat(scaled.replicas()).isEqualTo(3L);
    List<TaskInfo> running = waitForRunning(id, scaled.spec(), 3);
    assertThat(running).extracting(TaskInfo::slot).containsExactlyInAnyOrder(1, 2, 3);
    assertThat(running).allSatisfy(t -> {
      assertThat(t.serviceId()).isEqualTo(id);
      assertThat(t.desiredState()).isEqualTo("running");
      assertThat(t.error()).isNull();
      assertThat(t.exitCode()).isEqualTo(0);
    });

    await(client.scaleService(id, 1));
    waitFor("scaled down to one running task", CONVERGE, () -> client.listTasks(id),
        tasks -> tasks.stream().filter(TaskInfo::isRunning).count() == 1
            && tasks.stream().filter(t -> "running".equals(t.desiredState())).count() == 1);

    // a task whose command fails reports the real state, error and exit code
    String failing = await(client.createService(new JsonObject()
        .put("Name", stack + "_failing")
        .put("Labels", stackLabels())
        .put("TaskTemplate", new JsonObject()
            .put("ContainerSpec", new JsonObject().put("Image", IMAGE_1).put("Command", new JsonArray().add("sh").add("-c").add("exit 3")))
            .put("RestartPolicy", new JsonObject().put("Condition", "none")))
        .put("Mode", new JsonObject().put("Replicated", new JsonObject().put("Replicas", 1))))).getString("ID");
    TaskInfo failed = waitFor("the failing task fails", CONVERGE, () -> client.listTasks(failing),
        tasks -> tasks.stream().anyMatch(t -> "failed".equals(t.state()))).get(0);
    assertThat(failed.exitCode()).isEqualTo(3);
    assertThat(failed.error()).contains("3");

    assertThatThrownBy(() -> await(client.scaleService(id, -1))).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void createsListsAndRemovesNetworksSecretsAndConfigsByLabel() throws Exception {
    String label = SwarmClient.STACK_NAMESPACE_LABEL + "=" + stack;
    JsonObject network = await(client.createNetwork(new JsonObject()
        .put("Name", stack + "_net").put("Driver", "overlay").put("Attachable", true).put("Labels", stackLabels())));
    String networkId = network.getString("Id");
    assertThat(networkId).isNotBlank();
    JsonArray networks = await(client.listNetworks(label));
    assertThat(networks).hasSize(1);
    assertThat(networks.getJsonObject(0).getString("Name")).isEqualTo(stack + "_net");
    assertThat(networks.getJsonObject(0).getString("Scope")).isEqualTo("swarm");

    String secretId = await(client.createSecret(stack + "_key", Buffer.buffer("s3cret"), Map.of(
        SwarmClient.STACK_NAMESPACE_LABEL, stack))).getString("ID");
    String configId = await(client.createConfig(stack + "_conf", Buffer.buffer("a: 1\n"), Map.of(
        SwarmClient.STACK_NAMESPACE_LABEL, stack))).getString("ID");
    JsonArray secrets = await(client.listSecrets(label));
    assertThat(secrets).extracting(s -> ((JsonObject) s).getString("ID")).containsExactly(secretId);
    assertThat(secrets.getJsonObject(0).getJsonObject("Spec").containsKey("Data")).as("the engine never returns secret data").isFalse();
    JsonArray configs = await(client.listConfigs(label));
    assertThat(configs).extracting(c -> ((JsonObject) c).getString("ID")).containsExactly(configId);
    assertThat(configs.getJsonObject(0).getJsonObject("Spec").getString("Data")).isEqualTo("YTogMQo="); // "a: 1\n"

    // names are unique: a second secret of the same name is refused (rotate by a new name)
    assertThatThrownBy(() -> await(client.createSecret(stack + "_key", Buffer.buffer("other"), Map.of())))
        .isInstanceOfSatisfying(DockerEngineException.class, e -> assertThat(e.status()).isEqualTo(409));

    // a service using all three
    JsonObject spec = tickerSpec(stack + "_user", IMAGE_1, 1);
    JsonObject template = spec.getJsonObject("TaskTemplate");
    template.put("Networks", new JsonArray().add(new JsonObject().put("Target", networkId)));
    template.getJsonObject("ContainerSpec")
        .put("Secrets", new JsonArray().add(new JsonObject().put("SecretID", secretId).put("SecretName", stack + "_key")
            .put("File", new JsonObject().put("Name", "key").put("UID", "0").put("GID", "0").put("Mode", 0400))))
        .put("Configs", new JsonArray().add(new JsonObject().put("ConfigID", configId).put("ConfigName", stack + "_conf")
            .put("File", new JsonObject().put("Name", "/etc/fluxer.yml").put("UID", "0").put("GID", "0").put("Mode", 0444))));
    String serviceId = await(client.createService(spec)).getString("ID");
    InspectedService user = await(client.inspectService(serviceId));
    TaskInfo task = waitForRunning(serviceId, user.spec(), 1).get(0);
    assertThat(task.runs(user.spec().getJsonObject("TaskTemplate"))).isTrue();

    // in use: the engine refuses to remove the secret
    assertThatThrownBy(() -> await(client.removeSecret(secretId)))
        .isInstanceOfSatisfying(DockerEngineException.class, e -> assertThat(e.status()).isBetween(400, 499));

    await(client.removeService(serviceId));
    // tasks of a removed service cannot be listed any more: the engine's service filter answers 404
    assertThatThrownBy(() -> await(client.listTasks(serviceId)))
        .isInstanceOfSatisfying(DockerEngineException.class, e -> assertThat(e.isNotFound()).isTrue());
    await(client.removeSecret(secretId));
    await(client.removeConfig(configId));
    // the network is detached asynchronously after the tasks are gone
    waitFor("the network can be removed", CONVERGE, () -> client.removeNetwork(networkId).map(v -> true)
        .recover(e -> Future.succeededFuture(false)), removed -> removed);
    // ... and leaves the node's network list a moment after the manager removed it
    waitFor("the network is gone", CONVERGE, () -> client.listNetworks(label), JsonArray::isEmpty);
    assertThatThrownBy(() -> await(client.removeNetwork(networkId)))
        .isInstanceOfSatisfying(DockerEngineException.class, e -> assertThat(e.isNotFound()).isTrue());
    assertThat(await(client.listSecrets(label))).isEmpty();
    assertThat(await(client.listConfigs(label))).isEmpty();
  }

  // ---- helpers

  /** A replicated service echoing a tick every second; `sh` as PID 1 ignores SIGTERM, hence the 1 s grace period. */
  private JsonObject tickerSpec(String name, String image, int replicas) {
    JsonObject containerSpec = new JsonObject()
        .put("Image", image)
        .put("Command", new JsonArray().add("sh").add("-c").add("while true; do echo tick; sleep 1; done"))
        .put("Env", new JsonArray().add("FLUXER_STACK=" + stack))
        .put("Hostname", "ticker")
        .put("Hosts", new JsonArray().add("10.1.2.3 fluxer-test-host"))
        .put("Labels", new JsonObject().put("io.fluxer.test", "kept"))
        .put("StopGracePeriod", Duration.ofSeconds(1).toNanos());
    return new JsonObject()
        .put("Name", name)
        .put("Labels", stackLabels())
        .put("TaskTemplate", new JsonObject()
            .put("ContainerSpec", containerSpec)
            .put("RestartPolicy", new JsonObject().put("Condition", "any").put("Delay", Duration.ofMillis(500).toNanos())))
        .put("Mode", new JsonObject().put("Replicated", new JsonObject().put("Replicas", replicas)))
        .put("UpdateConfig", new JsonObject().put("Parallelism", 1).put("Order", "stop-first")
            .put("Monitor", Duration.ofSeconds(1).toNanos()));
  }

  private JsonObject stackLabels() {
    return new JsonObject().put(SwarmClient.STACK_NAMESPACE_LABEL, stack);
  }

  private static JsonObject withEnv(JsonObject spec, String entry) {
    spec.getJsonObject("TaskTemplate").getJsonObject("ContainerSpec").getJsonArray("Env").add(entry);
    return spec;
  }

  /** Waits until exactly {@code replicas} tasks run the service's current task template and no other task is meant to run. */
  private List<TaskInfo> waitForRunning(String serviceId, JsonObject serviceSpec, int replicas) throws Exception {
    JsonObject template = serviceSpec.getJsonObject("TaskTemplate");
    List<TaskInfo> tasks = waitFor(replicas + " task(s) of " + serviceId + " running the current spec", CONVERGE,
        () -> client.listTasks(serviceId),
        list -> list.stream().filter(t -> t.isRunning() && t.runs(template)).count() == replicas
            && list.stream().filter(t -> "running".equals(t.desiredState())).count() == replicas);
    return tasks.stream().filter(t -> t.isRunning() && t.runs(template)).toList();
  }

  private static List<String> strings(JsonArray array) {
    return array.stream().map(String::valueOf).toList();
  }

  private static TaskInfo task(List<TaskInfo> tasks, String id) {
    return tasks.stream().filter(t -> t.id().equals(id)).findFirst()
        .orElseThrow(() -> new AssertionError("no task " + id + " in " + tasks));
  }
}
