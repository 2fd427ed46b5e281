package io.fluxer.relay.stats;

import io.vertx.core.json.JsonObject;

/**
 * Whether one engine a node uses answered its last probe ({@code redis}: {@code PING};
 * {@code postgres}: {@code SELECT 1}), how long the answer took, and otherwise why not, in words
 * safe to show (never a host, a user or a password).
 */
public record EngineHealth(String engine, boolean reachable, double latencyMs, String problem) {

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("engine", engine).put("reachable", reachable).put("latency_ms", latencyMs);
    return problem == null ? json : json.put("problem", problem);
  }

  public static EngineHealth fromJson(JsonObject json) {
    return new EngineHealth(json.getString("engine", "?"), json.getBoolean("reachable", false),
        json.getDouble("latency_ms", 0.0), json.getString("problem"));
  }
}
