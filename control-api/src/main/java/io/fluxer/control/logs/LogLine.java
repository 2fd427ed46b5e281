package io.fluxer.control.logs;

import io.fluxer.control.docker.TaskInfo;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;
import java.util.Map;

/**
 * One log line of a task, attributed: which task, slot (replicated services; null for global ones),
 * node, stream, and the engine's timestamp.
 *
 * @param ts     the engine's timestamp as it wrote it (RFC 3339 with nanoseconds)
 * @param at     the same, parsed (for ordering and {@code since})
 */
public record LogLine(Task task, String stream, String ts, Instant at, String text) {

  /** Lines in time order; lines of one instant keep their task and stream together. */
  public static final Comparator<LogLine> BY_TIME = Comparator.comparing(LogLine::at)
      .thenComparing(l -> l.task().id()).thenComparing(LogLine::stream);

  /**
   * Where lines come from.
   *
   * @param slot   the replica slot, null for a global service's task
   * @param nodeId the node's ID
   * @param node   the node's hostname, or its ID when unknown
   * @param tty    whether the task's container has a TTY (its log stream is then not multiplexed)
   */
  public record Task(String id, Integer slot, String nodeId, String node, boolean tty) {

    /** A task as listed, with the hostnames known by node ID. */
    public static Task of(TaskInfo t, Map<String, String> hostnames) {
      JsonObject container = t.spec().getJsonObject("ContainerSpec", new JsonObject());
      String node = t.nodeId() == null ? null : hostnames.getOrDefault(t.nodeId(), t.nodeId());
      return new Task(t.id(), t.slot() > 0 ? t.slot() : null, t.nodeId(), node,
          Boolean.TRUE.equals(container.getBoolean("TTY")));
    }
  }

  /**
   * A line as the engine writes it with {@code timestamps=1}: the timestamp, a space, the text. A line
   * without a timestamp (which should not happen) gets {@code previous}, or null when there is none.
   */
  public static LogLine parse(Task task, String stream, String raw, Instant previous) {
    int space = raw.indexOf(' ');
    String head = space < 0 ? raw : raw.substring(0, space);
    try {
      Instant at = Instant.parse(head);
      return new LogLine(task, stream, head, at, space < 0 ? "" : raw.substring(space + 1));
    } catch (DateTimeParseException e) {
      return previous == null ? null : new LogLine(task, stream, previous.toString(), previous, raw);
    }
  }

  /** {@code {"task", "slot", "node_id", "node", "stream", "ts", "text"}}. */
  public JsonObject toJson() {
    return new JsonObject().put("task", task.id()).put("slot", task.slot()).put("node_id", task.nodeId())
        .put("node", task.node()).put("stream", stream).put("ts", ts).put("text", text);
  }
}
