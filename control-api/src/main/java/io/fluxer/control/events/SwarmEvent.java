package io.fluxer.control.events;

import io.vertx.core.json.JsonObject;

/**
 * Turns an engine event ({@code GET /events}: {@code {"Type", "Action", "Actor": {"ID", "Attributes"},
 * "time", "timeNano"}}) into what {@code swarm:events} carries:
 * {@code {"type": "service"|"node"|"task", "action", "id", "name", "service", "node", "attributes",
 * "time"}} with the fields that apply and {@code time} in epoch milliseconds.
 *
 * <ul>
 *   <li>service: {@code id} the service's ID, {@code name} and {@code service} its name.</li>
 *   <li>node: {@code id} and {@code node} the node's ID, {@code name} its hostname.</li>
 *   <li>task: a container event of a swarm task (it carries {@value #TASK_LABEL}): {@code id} the task's
 *       ID, {@code name} the task's name ({@code <service>.<slot>.<task>}), {@code service} the service's
 *       name, {@code node} the node's ID, {@code container} the container's ID, {@code action} the
 *       container's ({@code create}, {@code start}, {@code die}, {@code health_status: healthy}, …).</li>
 * </ul>
 * Other events (containers that are not tasks, other types) give null.
 */
public final class SwarmEvent {
  public static final String TASK_LABEL = "com.docker.swarm.task.id";

  private SwarmEvent() {}

  public static JsonObject fromEngine(JsonObject raw) {
    String type = raw.getString("Type", "");
    JsonObject actor = raw.getJsonObject("Actor", new JsonObject());
    JsonObject attributes = actor.getJsonObject("Attributes", new JsonObject());
    String actorId = actor.getString("ID");
    JsonObject out = new JsonObject();
    switch (type) {
      case "service" -> out.put("type", "service").put("action", raw.getString("Action")).put("id", actorId)
          .put("name", attributes.getString("name")).put("service", attributes.getString("name"));
      case "node" -> out.put("type", "node").put("action", raw.getString("Action")).put("id", actorId)
          .put("name", attributes.getString("name")).put("node", actorId);
      case "container" -> {
        String task = attributes.getString(TASK_LABEL);
        if (task == null || task.isEmpty()) {
          return null;
        }
        out.put("type", "task").put("action", raw.getString("Action")).put("id", task)
            .put("name", attributes.getString("com.docker.swarm.task.name"))
            .put("service", attributes.getString("com.docker.swarm.service.name"))
            .put("node", attributes.getString("com.docker.swarm.node.id"))
            .put("container", actorId);
      }
      default -> {
        return null;
      }
    }
    return out.put("attributes", attributes.copy()).put("time", timeNanos(raw) / 1_000_000);
  }

  /** The event's time in epoch nanoseconds ({@code timeNano}, else {@code time} in seconds). */
  static long timeNanos(JsonObject raw) {
    Object nanos = raw.getValue("timeNano");
    if (nanos instanceof Number n) {
      return n.longValue();
    }
    Object seconds = raw.getValue("time");
    return seconds instanceof Number n ? n.longValue() * 1_000_000_000L : 0L;
  }

  /** What tells two engine events apart: type, action, actor and time. */
  static String key(JsonObject raw) {
    return raw.getString("Type") + " " + raw.getString("Action") + " "
        + raw.getJsonObject("Actor", new JsonObject()).getString("ID") + " " + timeNanos(raw);
  }
}
