package io.fluxer.control.docker;

import io.vertx.core.json.JsonObject;

/**
 * A swarm service as the engine returned it ({@code GET /services/{id}}), with the fields an update
 * needs picked out. {@link #spec()} is the engine's raw spec: patch it and send it back, so that no
 * field is lost.
 *
 * @param version      {@code Version.Index}, to send with the next update
 * @param previousSpec {@code PreviousSpec}, what a rollback returns to; null before the first update
 * @param raw          the whole answer
 */
public record InspectedService(String id, String name, long version, JsonObject spec, JsonObject previousSpec,
                               JsonObject raw) {

  public static InspectedService fromJson(JsonObject json) {
    JsonObject spec = json.getJsonObject("Spec", new JsonObject());
    return new InspectedService(json.getString("ID"), spec.getString("Name"),
        json.getJsonObject("Version", new JsonObject()).getLong("Index", 0L), spec,
        json.getJsonObject("PreviousSpec"), json);
  }

  /** {@code Spec.Mode.Replicated.Replicas}, or null for a global or job service. */
  public Long replicas() {
    JsonObject replicated = spec.getJsonObject("Mode", new JsonObject()).getJsonObject("Replicated");
    return replicated == null ? null : replicated.getLong("Replicas", 1L);
  }

  /** {@code UpdateStatus.State} (updating, completed, paused, rollback_started, ...), null if never updated. */
  public String updateState() {
    JsonObject status = raw.getJsonObject("UpdateStatus");
    return status == null ? null : status.getString("State");
  }
}
