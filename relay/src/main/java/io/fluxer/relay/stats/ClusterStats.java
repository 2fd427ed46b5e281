package io.fluxer.relay.stats;

import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Stats summed over nodes. With one node it equals that node's counts; once nodes report to each
 * other, the same sum covers the cluster.
 */
public record ClusterStats(int nodes, Totals totals, Rates perSecond, long heapUsed) {

  public static ClusterStats of(List<NodeStats> nodes) {
    Totals totals = Totals.ZERO;
    Rates rates = Rates.ZERO;
    long heap = 0;
    for (NodeStats n : nodes) {
      totals = totals.plus(n.totals());
      rates = rates.plus(n.perSecond());
      heap += n.heapUsed();
    }
    return new ClusterStats(nodes.size(), totals, rates, heap);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("nodes", nodes);
    totals.writeTo(json);
    return json.put("per_second", perSecond.toJson()).put("heap_used", heapUsed);
  }
}
