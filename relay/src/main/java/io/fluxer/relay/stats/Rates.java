package io.fluxer.relay.stats;

import io.vertx.core.json.JsonObject;

/** Per-second rates of a node's (or a cluster's) counters over the last sampling interval. */
public record Rates(double messagesIn, double messagesOut, double bytesIn, double bytesOut, double connects,
                    double disconnects) {
  /** No traffic, or nothing to compare with yet. */
  public static final Rates ZERO = new Rates(0, 0, 0, 0, 0, 0);

  /**
   * The rates between two samples taken {@code elapsedNanos} apart. Counters that went down (a hub
   * went away) count as 0; no elapsed time gives {@link #ZERO}.
   */
  public static Rates between(Totals before, Totals after, long elapsedNanos) {
    if (elapsedNanos <= 0) {
      return ZERO;
    }
    double seconds = elapsedNanos / 1e9;
    return new Rates(
        perSecond(before.messagesIn(), after.messagesIn(), seconds),
        perSecond(before.messagesOut(), after.messagesOut(), seconds),
        perSecond(before.bytesIn(), after.bytesIn(), seconds),
        perSecond(before.bytesOut(), after.bytesOut(), seconds),
        perSecond(before.connects(), after.connects(), seconds),
        perSecond(before.disconnectCount(), after.disconnectCount(), seconds));
  }

  private static double perSecond(long before, long after, double seconds) {
    return Math.max(0, after - before) / seconds;
  }

  public Rates plus(Rates o) {
    return new Rates(messagesIn + o.messagesIn, messagesOut + o.messagesOut, bytesIn + o.bytesIn,
        bytesOut + o.bytesOut, connects + o.connects, disconnects + o.disconnects);
  }

  /** The rates as JSON, rounded to two decimals. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("messages_in", round(messagesIn))
        .put("messages_out", round(messagesOut))
        .put("bytes_in", round(bytesIn))
        .put("bytes_out", round(bytesOut))
        .put("connects", round(connects))
        .put("disconnects", round(disconnects));
  }

  /** Reads what {@link #toJson} wrote. */
  static Rates fromJson(JsonObject json) {
    return new Rates(json.getDouble("messages_in", 0d), json.getDouble("messages_out", 0d),
        json.getDouble("bytes_in", 0d), json.getDouble("bytes_out", 0d), json.getDouble("connects", 0d),
        json.getDouble("disconnects", 0d));
  }

  static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}
