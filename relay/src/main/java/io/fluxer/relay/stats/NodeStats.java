package io.fluxer.relay.stats;

import io.vertx.core.json.JsonObject;

/**
 * One node's stats at one moment: who it is, what its hubs hold and have counted, the per-second
 * rates of the last sampling interval and its heap.
 *
 * @param address {@code host:port} the node listens on
 * @param ready whether it accepts clients (false while draining on shutdown)
 * @param startedAtMillis start time, epoch milliseconds
 * @param atMillis when these stats were taken, epoch milliseconds
 * @param heapMax the most heap the JVM may use, or -1 when unbounded
 * @param health the publish-to-write latency of the last interval and the engines' last probes
 */
public record NodeStats(String id, String name, String version, String address, boolean ready, long startedAtMillis,
                        long atMillis, Totals totals, Rates perSecond, long heapUsed, long heapMax, Health health) {

  /** Without health figures (an interval that measured nothing, engines not probed). */
  public NodeStats(String id, String name, String version, String address, boolean ready, long startedAtMillis,
                   long atMillis, Totals totals, Rates perSecond, long heapUsed, long heapMax) {
    this(id, name, version, address, ready, startedAtMillis, atMillis, totals, perSecond, heapUsed, heapMax,
        Health.NONE);
  }

  public long uptimeSeconds() {
    return Math.max(0, atMillis - startedAtMillis) / 1000;
  }

  /** Everything, as {@code GET /api/v1/stats} and {@code sys:stats} publish it under {@code node}. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject()
        .put("id", id)
        .put("name", name)
        .put("version", version)
        .put("address", address)
        .put("ready", ready)
        .put("started_at", startedAtMillis)
        .put("timestamp", atMillis)
        .put("uptime_seconds", uptimeSeconds());
    totals.writeTo(json);
    return json.put("per_second", perSecond.toJson()).put("heap", heap()).put("health", healthJson());
  }

  /** Reads what {@link #toJson} wrote: another node's stats, as it sent them over the event bus. */
  public static NodeStats fromJson(JsonObject json) {
    JsonObject heap = json.getJsonObject("heap", new JsonObject());
    return new NodeStats(json.getString("id"), json.getString("name"), json.getString("version"),
        json.getString("address"), json.getBoolean("ready", false), json.getLong("started_at", 0L),
        json.getLong("timestamp", 0L), Totals.fromJson(json),
        Rates.fromJson(json.getJsonObject("per_second", new JsonObject())), heap.getLong("used", 0L),
        heap.getLong("max", -1L), Health.fromJson(json.getJsonObject("health", new JsonObject())));
  }

  /** The short form listed by {@code GET /api/v1/nodes}. */
  public JsonObject summaryJson() {
    return new JsonObject()
        .put("id", id)
        .put("name", name)
        .put("address", address)
        .put("version", version)
        .put("ready", ready)
        .put("uptime_seconds", uptimeSeconds())
        .put("connections", totals.connections())
        .put("subscriptions", totals.subscriptions())
        .put("channels", totals.channels())
        .put("messages_in_per_second", Rates.round(perSecond.messagesIn()))
        .put("messages_out_per_second", Rates.round(perSecond.messagesOut()))
        .put("heap", heap())
        .put("health", healthJson());
  }

  private JsonObject healthJson() {
    JsonObject json = new JsonObject();
    health.writeTo(json);
    return json;
  }

  private JsonObject heap() {
    return new JsonObject().put("used", heapUsed).put("max", heapMax);
  }
}
