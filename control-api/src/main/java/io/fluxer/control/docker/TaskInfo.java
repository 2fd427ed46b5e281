package io.fluxer.control.docker;

import io.vertx.core.json.JsonObject;

/**
 * One task of a swarm service ({@code GET /tasks}), with the fields deployments look at.
 *
 * @param state        the real state, {@code Status.State} (new, pending, preparing, starting, running,
 *                     complete, failed, shutdown, rejected, orphaned, remove, ...)
 * @param desiredState {@code DesiredState}: what the orchestrator wants; running for the tasks of the
 *                     current spec, shutdown for those an update or scale-down replaces
 * @param message      {@code Status.Message}
 * @param error        {@code Status.Err}, null when none
 * @param exitCode     the container's exit code, null while it has none
 * @param slot         the replica slot (replicated services), 0 for global ones
 * @param version      {@code Version.Index} of the task object itself
 * @param spec         the task's {@code Spec}: the service's task template it was created from
 * @param raw          the whole task
 */
public record TaskInfo(String id, String serviceId, String nodeId, int slot, String state, String desiredState,
                       String message, String error, Integer exitCode, String containerId, long version,
                       JsonObject spec, JsonObject raw) {

  public static TaskInfo fromJson(JsonObject json) {
    JsonObject status = json.getJsonObject("Status", new JsonObject());
    JsonObject container = status.getJsonObject("ContainerStatus", new JsonObject());
    return new TaskInfo(json.getString("ID"), json.getString("ServiceID"), json.getString("NodeID"),
        json.getInteger("Slot", 0), status.getString("State"), json.getString("DesiredState"),
        status.getString("Message"), status.getString("Err"),
        container.containsKey("ContainerID") ? container.getInteger("ExitCode", 0) : null,
        container.getString("ContainerID"), json.getJsonObject("Version", new JsonObject()).getLong("Index", 0L),
        json.getJsonObject("Spec", new JsonObject()), json);
  }

  public boolean isRunning() {
    return "running".equals(state);
  }

  /**
   * Whether this task was created from the given task template ({@code Spec.TaskTemplate} of an
   * inspected service). The engine does not report which service version a task runs; the swarm
   * copies the template into each task it creates, so the two are compared. {@code Runtime}, which the
   * engine adds to the service's view only, is left out.
   */
  public boolean runs(JsonObject taskTemplate) {
    JsonObject mine = spec.copy();
    JsonObject theirs = taskTemplate.copy();
    mine.remove("Runtime");
    theirs.remove("Runtime");
    return mine.equals(theirs);
  }
}
