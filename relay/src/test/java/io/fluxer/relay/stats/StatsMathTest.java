package io.fluxer.relay.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.client.HubSnapshot;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Summing hub snapshots and nodes, and rates between samples. */
class StatsMathTest {
  private static final HubSnapshot LOOP_A = new HubSnapshot(2, 2, 3, Map.of("chat:a", 2, "chat:b", 1), 10, 1000,
      20, 4000, 5, 1, Map.of(3008, 1L, 0, 2L));
  private static final HubSnapshot LOOP_B = new HubSnapshot(1, 1, 1, Map.of("chat:a", 1), 4, 200, 6, 600, 2, 0,
      Map.of(0, 1L));

  @Test
  @DisplayName("A node's totals sum its loops; a channel on two loops counts once; disconnects merge by code")
  void totalsOfLoops() {
    Totals t = Totals.of(List.of(LOOP_A, LOOP_B));
    assertThat(t).isEqualTo(new Totals(3, 3, 4, 2, 14, 1200, 26, 4600, 7, 1, Map.of(3008, 1L, 0, 3L)));
    assertThat(t.disconnectCount()).isEqualTo(4);
    assertThat(Totals.of(List.of())).isEqualTo(Totals.ZERO);
  }

  @Test
  @DisplayName("Rates are counter deltas per second; counters going down and no elapsed time give 0")
  void rates() {
    Totals before = Totals.of(List.of(LOOP_B));
    Totals after = Totals.of(List.of(LOOP_A, LOOP_B));
    Rates r = Rates.between(before, after, 2_000_000_000L);
    assertThat(r).isEqualTo(new Rates(5, 10, 500, 2000, 2.5, 1.5));
    assertThat(Rates.between(after, before, 1_000_000_000L)).isEqualTo(Rates.ZERO);
    assertThat(Rates.between(before, after, 0)).isEqualTo(Rates.ZERO);
    assertThat(new Rates(1.0 / 3, 0, 0, 0, 0, 0).toJson().getDouble("messages_in")).isEqualTo(0.33);
  }

  @Test
  @DisplayName("The cluster sums its nodes")
  void cluster() {
    NodeStats one = node("n1", Totals.of(List.of(LOOP_A)), new Rates(1, 2, 3, 4, 0, 0));
    NodeStats two = node("n2", Totals.of(List.of(LOOP_B)), new Rates(1, 1, 1, 1, 1, 1));
    ClusterStats c = ClusterStats.of(List.of(one, two));
    assertThat(c.nodes()).isEqualTo(2);
    assertThat(c.totals().connections()).isEqualTo(3);
    assertThat(c.totals().channels()).as("summed over nodes").isEqualTo(3);
    assertThat(c.perSecond()).isEqualTo(new Rates(2, 3, 4, 5, 1, 1));
    assertThat(c.heapUsed()).isEqualTo(200);
    JsonObject json = c.toJson();
    assertThat(json.getInteger("nodes")).isEqualTo(2);
    assertThat(json.getJsonObject("disconnects")).isEqualTo(new JsonObject().put("0", 3L).put("3008", 1L));
  }

  @Test
  @DisplayName("Node stats JSON carries identity, totals, rates, uptime and heap")
  void nodeJson() {
    NodeStats n = node("n1", Totals.of(List.of(LOOP_A)), new Rates(1.5, 2, 3, 4, 0, 0));
    JsonObject json = n.toJson();
    assertThat(json.getString("id")).isEqualTo("n1");
    assertThat(json.getString("address")).isEqualTo("10.0.0.1:8000");
    assertThat(json.getLong("uptime_seconds")).isEqualTo(90);
    assertThat(json.getInteger("connections")).isEqualTo(2);
    assertThat(json.getInteger("slow_client_drops")).isEqualTo(1);
    assertThat(json.getJsonObject("per_second").getDouble("messages_in")).isEqualTo(1.5);
    assertThat(json.getJsonObject("heap")).isEqualTo(new JsonObject().put("used", 100L).put("max", 1000L));
    JsonObject summary = n.summaryJson();
    assertThat(summary.fieldNames()).containsExactlyInAnyOrder("id", "name", "address", "version", "ready",
        "uptime_seconds", "connections", "subscriptions", "channels", "messages_in_per_second",
        "messages_out_per_second", "heap", "health");
  }

  private static NodeStats node(String id, Totals totals, Rates rates) {
    return new NodeStats(id, "name-" + id, "0.1.0", "10.0.0.1:8000", true, 1_000, 91_000, totals, rates, 100,
        1000);
  }
}
