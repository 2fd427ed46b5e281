package io.fluxer.relay.stats;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Stats summed over nodes. With one node it equals that node's counts; once nodes report to each
 * other, the same sum covers the cluster. Percentiles cannot be summed: {@code publishToWrite} is
 * the worst node's (the highest p50 and the highest p99) with the values counted on all nodes.
 */
public record ClusterStats(int nodes, Totals totals, Rates perSecond, long heapUsed, Latency publishToWrite) {

  public static ClusterStats of(List<NodeStats> nodes) {
    Totals totals = Totals.ZERO;
    Rates rates = Rates.ZERO;
    long heap = 0;
    double p50 = 0;
    double p99 = 0;
    long measured = 0;
    for (NodeStats n : nodes) {
      totals = totals.plus(n.totals());
      rates = rates.plus(n.perSecond());
      heap += n.heapUsed();
      Latency l = n.health().publishToWrite();
      p50 = Math.max(p50, l.p50Ms());
      p99 = Math.max(p99, l.p99Ms());
      measured += l.count();
    }
    return new ClusterStats(nodes.size(), totals, rates, heap, new Latency(p50, p99, measured));
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("nodes", nodes);
    totals.writeTo(json);
    return json.put("per_second", perSecond.toJson()).put("heap_used", heapUsed)
        .put("publish_to_write", publishToWrite.toJson());
  }
}
