package io.fluxer.control.api;

import io.vertx.core.json.JsonObject;

/**
 * One request the relay's gateway forwarded to {@code fluxer.control.<op>}: the operation, who asks
 * (absent for webhooks, which carry their signature instead), path and query parameters, and the
 * JSON body (or, for webhooks, the raw body text).
 */
public record ControlRequest(String op, JsonObject actor, JsonObject path, JsonObject query, JsonObject body,
                             String rawBody, String signature) {

  public static ControlRequest fromJson(JsonObject m) {
    Object body = m.getValue("body");
    return new ControlRequest(m.getString("op", ""), m.getJsonObject("actor"),
        m.getJsonObject("path", new JsonObject()), m.getJsonObject("query", new JsonObject()),
        body instanceof JsonObject o ? o : null, m.getString("raw_body"), m.getString("signature"));
  }

  /** Who asks, for the audit log and the timeline: the API key's or user's name, or {@code webhook}. */
  public String actorName() {
    return actor == null ? "webhook" : actor.getString("name", "unknown");
  }

  public String pathParam(String name) {
    return path.getString(name);
  }

  /** A query parameter as an integer within bounds; {@code def} when absent; 400 when bad. */
  public int queryInt(String name, int def, int min, int max) {
    String v = query.getString(name);
    if (v == null || v.isEmpty()) {
      return def;
    }
    try {
      int n = Integer.parseInt(v);
      if (n < min || n > max) {
        throw ControlError.badRequest(name + " must be between " + min + " and " + max + ", got " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw ControlError.badRequest(name + " must be an integer, got '" + v + "'");
    }
  }
}
