package io.fluxer.control.deploy;

import io.fluxer.control.docker.TaskInfo;
import io.fluxer.control.store.ControlStore;
import io.fluxer.control.store.ControlStore.Deployment;
import io.fluxer.control.store.DeploymentState;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One deployment while {@link Deployer} runs it, on the deployer's context only: its current state,
 * the services it updated (what a rollback would return), and the tasks seen so far.
 *
 * <p>Every write (a state change, a task note) goes to the store, then to the relay, one after the
 * other in the order they were made: the timeline and the channel tell the same story.
 */
final class DeploymentRun {
  private static final System.Logger LOG = System.getLogger(DeploymentRun.class.getName());
  /**
   * The timeline detail key (and the state event's field) saying a rollback follows a failure
   * ({@code started}) or did not bring the services back ({@code failed}).
   */
  static final String ROLLBACK = "rollback";

  /** A service this deployment updated in place: a rollback returns it to its previous spec. */
  record Updated(String id, String name, String specHash, String failureAction) {}

  private final ControlStore store;
  private final DeployEvents events;
  private Deployment deployment;
  private Future<?> writes = Future.succeededFuture();
  private final List<Updated> updated = new ArrayList<>();
  /** Task id → the last state reported (or seen before the deployment changed anything). */
  private final Map<String, String> taskStates = new HashMap<>();
  /** Node id → hostname, once looked up. */
  private Map<String, String> nodeNames = Map.of();

  DeploymentRun(ControlStore store, DeployEvents events, Deployment deployment) {
    this.store = store;
    this.events = events;
    this.deployment = deployment;
  }

  Deployment deployment() {
    return deployment;
  }

  String stack() {
    return deployment.stack();
  }

  DeploymentState state() {
    return deployment.state();
  }

  List<Updated> updated() {
    return updated;
  }

  void updatedService(Updated u) {
    updated.add(u);
  }

  void nodeNames(Map<String, String> names) {
    nodeNames = Map.copyOf(names);
  }

  /** Publishes the state the deployment was created in ({@code queued}), already stored. */
  Future<Void> announce() {
    String message = deployment.timeline().isEmpty() ? deployment.kind() + " requested"
        : deployment.timeline().get(deployment.timeline().size() - 1).message();
    return write(() -> events.state(deployment, message, null));
  }

  /** Stores the move to {@code state}, then publishes it. Fails when the store refuses. */
  Future<Deployment> to(DeploymentState state, String message, JsonObject detail) {
    return write(() -> store.transition(deployment.id(), state, message, detail == null ? new JsonObject() : detail)
        .map(d -> {
          deployment = d;
          events.state(d, message, detail == null ? null : detail.getString(ROLLBACK));
          return d;
        }));
  }

  /**
   * Records that the rollback a failed state announced ({@link #ROLLBACK} {@code started} in its
   * detail) ended without bringing the services back, and says so on the deployment's channel.
   */
  Future<Void> rollbackFailed(String message) {
    return note(message, new JsonObject().put(ROLLBACK, "failed"), false)
        .compose(v -> write(() -> events.rollbackFailed(deployment, message)));
  }

  /** Adds a note to the timeline, then publishes it as a task event when it is one. Never fails. */
  Future<Void> note(String message, JsonObject detail, boolean publish) {
    return write(() -> store.note(deployment.id(), message, detail)
        .recover(e -> {
          LOG.log(Level.WARNING, "could not note on deployment " + deployment.id() + ": " + e.getMessage());
          return Future.succeededFuture();
        })
        .compose(v -> publish ? events.task(stack(), detail) : Future.succeededFuture()));
  }

  /** Remembers the tasks as they were before this deployment changed anything: they are not news. */
  void baseline(List<TaskInfo> tasks) {
    tasks.forEach(t -> taskStates.put(t.id(), t.state()));
  }

  /** Reports each task that is new or changed state since last seen (see {@link #baseline}). */
  void observe(String serviceName, List<TaskInfo> tasks) {
    // in the order they happened (the engine lists tasks in no particular order)
    List<TaskInfo> ordered = new ArrayList<>(tasks);
    ordered.sort(Comparator.comparing(t -> t.raw().getJsonObject("Status", new JsonObject()).getString("Timestamp", "")));
    for (TaskInfo t : ordered) {
      String before = taskStates.put(t.id(), t.state());
      if (t.state() == null || t.state().equals(before)) {
        continue;
      }
      JsonObject detail = taskEvent(serviceName, t);
      StringBuilder message = new StringBuilder("task ").append(serviceName).append('.').append(t.slot())
          .append(' ').append(t.state());
      if (t.error() != null && !t.error().isEmpty()) {
        message.append(": ").append(t.error());
      }
      note(message.toString(), detail, true);
    }
  }

  private JsonObject taskEvent(String serviceName, TaskInfo t) {
    JsonObject status = t.raw().getJsonObject("Status", new JsonObject());
    return new JsonObject().put("type", "task").put("deployment", deployment.id().toString())
        .put("stack", stack()).put("service", serviceName).put("task", t.id()).put("slot", t.slot())
        .put("node", t.nodeId() == null ? null : nodeNames.getOrDefault(t.nodeId(), t.nodeId()))
        .put("node_id", t.nodeId()).put("state", t.state()).put("desired_state", t.desiredState())
        .put("message", t.message()).put("error", t.error()).put("exit_code", t.exitCode())
        .put("at", status.getString("Timestamp"));
  }

  private <T> Future<T> write(Supplier<Future<T>> step) {
    Future<T> next = writes.transform(ignored -> step.get());
    writes = next;
    return next;
  }
}
