package io.fluxer.control.docker;

import static org.assertj.core.api.Assertions.fail;

import io.fluxer.relay.testing.CiEnv;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What the tests against the real local swarm share: finding the engine (or skipping), blocking the
 * test thread on a future, waiting on a condition with a deadline, and removing everything a test
 * labelled with its stack name.
 */
public final class SwarmTests {
  /** Set by scripts/test.sh once a Docker engine in swarm mode answers. */
  public static final String ENV = "FLUXER_TEST_DOCKER";

  private SwarmTests() {}

  /**
   * The engine's address from {@value #ENV}, or {@code null} when the tests should skip (not set
   * outside CI); fails under CI, where scripts/test.sh must have started an engine.
   */
  public static String dockerHostOrSkip(String testName) {
    String docker = CiEnv.orSkip(ENV, testName, "it starts a Docker swarm");
    if (docker == null) {
      return null;
    }
    return docker.contains("://") ? docker : SwarmClientOptions.DEFAULT_DOCKER_HOST;
  }

  /**
   * A client of the engine at {@code host}, checked to answer and to be an active swarm manager
   * (scripts/lib.sh start_docker runs swarm init); fails the test class otherwise.
   */
  public static SwarmClient activeClient(Vertx vertx, String host) throws Exception {
    SwarmClient client = SwarmClient.create(vertx, SwarmClientOptions.defaults().withDockerHost(host));
    JsonObject info;
    try {
      info = await(client.info());
    } catch (Exception e) {
      throw new AssertionError(ENV + "=" + host + " but the Docker engine does not answer", e);
    }
    if (!"active".equals(info.getJsonObject("Swarm", new JsonObject()).getString("LocalNodeState"))) {
      throw new AssertionError("the test engine at " + host + " is not in an active swarm (scripts/lib.sh start_docker "
          + "runs swarm init): " + info.getJsonObject("Swarm"));
    }
    return client;
  }

  /** Blocks the test thread (never an event loop) on a future; its failure is rethrown as it is. */
  public static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    } catch (TimeoutException e) {
      throw new AssertionError("no answer within 30 s", e);
    }
  }

  /** Asks {@code probe} every 250 ms until {@code done} holds; fails with the last answer at the deadline. */
  public static <T> T waitFor(String what, Duration within, Supplier<Future<T>> probe, Predicate<T> done)
      throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    T last = null;
    while (System.nanoTime() < deadline) {
      last = await(probe.get());
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(250);
    }
    return fail("not within " + within + ": " + what + "; last seen: " + last);
  }

  /** The IDs, sorted, of the service's tasks that run and are meant to (replaced ones left out). */
  public static List<String> runningTaskIds(SwarmClient client, String service) throws Exception {
    return await(client.listTasks(service)).stream()
        .filter(t -> t.isRunning() && "running".equals(t.desiredState()))
        .map(TaskInfo::id).sorted().toList();
  }

  /**
   * Removes every service, secret, config and network labelled with {@code stack}, whatever a test
   * left; networks once the tasks on them are gone (a removed one lingers in the list a moment).
   */
  public static void removeStack(SwarmClient client, String stack, Duration within) throws Exception {
    String label = SwarmClient.STACK_NAMESPACE_LABEL + "=" + stack;
    List<Throwable> failures = new ArrayList<>();
    for (Object s : await(client.listServices(label))) {
      ignoreNotFound(() -> client.removeService(((JsonObject) s).getString("ID")), failures);
    }
    waitFor("services of " + stack + " removed", within, () -> client.listServices(label), JsonArray::isEmpty);
    for (Object s : await(client.listSecrets(label))) {
      ignoreNotFound(() -> client.removeSecret(((JsonObject) s).getString("ID")), failures);
    }
    for (Object c : await(client.listConfigs(label))) {
      ignoreNotFound(() -> client.removeConfig(((JsonObject) c).getString("ID")), failures);
    }
    for (Object n : await(client.listNetworks(label))) {
      String id = ((JsonObject) n).getString("Id");
      waitFor("network " + id + " removed", within, () -> client.removeNetwork(id).map(v -> true)
          .recover(e -> Future.succeededFuture(e instanceof DockerEngineException de && de.isNotFound())), gone -> gone);
    }
    if (!failures.isEmpty()) {
      throw new AssertionError("cleaning up " + stack + " failed: " + failures);
    }
  }

  private static void ignoreNotFound(Supplier<Future<Void>> remove, List<Throwable> failures) {
    try {
      await(remove.get());
    } catch (DockerEngineException e) {
      if (!e.isNotFound()) {
        failures.add(e);
      }
    } catch (Exception e) {
      failures.add(e);
    }
  }
}
