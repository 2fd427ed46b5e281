package io.fluxer.relay.stats;

import io.vertx.core.json.JsonObject;

/**
 * The median and 99th percentile of a latency over one stats interval, in milliseconds, and how many
 * values they cover ({@code count} 0: nothing was measured, and both are 0).
 */
public record Latency(double p50Ms, double p99Ms, long count) {
  public static final Latency NONE = new Latency(0, 0, 0);

  /**
   * The quantiles of the values counted between two readings of a histogram: {@code boundsNanos}
   * are its buckets' upper bounds, ascending; each reading holds one cumulative count per bucket
   * (values at most that bound) and then the total. Quantiles are interpolated within their bucket;
   * past the last bound they are that bound.
   */
  public static Latency between(long[] boundsNanos, long[] before, long[] after) {
    int buckets = boundsNanos.length;
    long count = after[buckets] - before[buckets];
    if (count <= 0) {
      return NONE;
    }
    return new Latency(quantile(0.5, count, boundsNanos, before, after),
        quantile(0.99, count, boundsNanos, before, after), count);
  }

  private static double quantile(double q, long count, long[] bounds, long[] before, long[] after) {
    double rank = Math.max(1, Math.ceil(q * count));
    long below = 0;
    for (int i = 0; i < bounds.length; i++) {
      long upTo = after[i] - before[i];
      if (upTo >= rank) {
        double lower = i == 0 ? 0 : bounds[i - 1];
        double inBucket = upTo - below;
        double fraction = inBucket <= 0 ? 1 : (rank - below) / inBucket;
        return round((lower + fraction * (bounds[i] - lower)) / 1e6);
      }
      below = upTo;
    }
    return round(bounds[bounds.length - 1] / 1e6);
  }

  private static double round(double ms) {
    return Math.round(ms * 1000) / 1000.0;
  }

  public JsonObject toJson() {
    return new JsonObject().put("p50_ms", p50Ms).put("p99_ms", p99Ms).put("count", count);
  }

  public static Latency fromJson(JsonObject json) {
    if (json == null) {
      return NONE;
    }
    return new Latency(json.getDouble("p50_ms", 0.0), json.getDouble("p99_ms", 0.0), json.getLong("count", 0L));
  }
}
