package io.fluxer.control.api;

import io.vertx.core.json.JsonObject;

/**
 * One request the relay's gateway forwarded to {@code fluxer.control.<op>}: the operation, who asks
 * (absent for webhooks, which carry their signature headers instead), path and query parameters, and
 * the JSON body (or, for webhooks, the raw body text).
 *
 * @param headers for webhooks, the request headers the hooks read, by lower-case name
 */
public record ControlRequest(String op, JsonObject actor, JsonObject path, JsonObject query, JsonObject body,
                             String rawBody, JsonObject headers) {

  public static ControlRequest fromJson(JsonObject m) {
    Object body = m.getValue("body");
    Object headers = m.getValue("headers");
    return new ControlRequest(m.getString("op", ""), m.getJsonObject("actor"),
        m.getJsonObject("path", new JsonObject()), m.getJsonObject("query", new JsonObject()),
        body instanceof JsonObject o ? o : null, m.getString("raw_body"),
        headers instanceof JsonObject h ? h : new JsonObject());
  }

  /** A forwarded header ({@code name} in any case), or null when absent or not text. */
  public String header(String name) {
    Object v = headers.getValue(name.toLowerCase(java.util.Locale.ROOT));
    return v instanceof String s ? s : null;
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
