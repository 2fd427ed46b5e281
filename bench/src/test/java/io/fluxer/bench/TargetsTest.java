package io.fluxer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

class TargetsTest {
  private static final String CHANNELS = "5,000 channels × 1 publication/s (5,000 pub/s), one user per connection";
  private static final String CHANNELS_ONE_USER = "5,000 channels × 1 publication/s (5,000 pub/s), all connections one user";
  private static final String FANOUT_ALLOCATION = "server allocation < 1 KB per delivered publication: fan-out";
  private static final String CHANNELS_ALLOCATION = "server allocation < 1 KB per delivered publication: 5,000 channels";
  private static final String IDLE = "≤ 5 KB RSS per idle subscribed connection";

  @Test
  void channelsNeedP99OfAtMost2MsMaxOfAtMost20MsAndNoLoss() {
    assertThat(verdict(CHANNELS, run(false, "channels", channels(5000, step(5000, 1.9, 20.0, 0, null)))).status())
        .isEqualTo(Targets.Status.MET);
    assertThat(verdict(CHANNELS, run(false, "channels", channels(5000, step(5000, 2.1, 5.0, 0, null)))).status())
        .isEqualTo(Targets.Status.MISSED);
    assertThat(verdict(CHANNELS, run(false, "channels", channels(5000, step(5000, 1.0, 20.5, 0, null)))).status())
        .isEqualTo(Targets.Status.MISSED);
    assertThat(verdict(CHANNELS, run(false, "channels", channels(5000, step(5000, 1.0, 5.0, 1, null)))).status())
        .isEqualTo(Targets.Status.MISSED);
    assertThat(verdict(CHANNELS, run(false, "channels", channels(500, step(5000, 1.0, 5.0, 0, null)))).status())
        .isEqualTo(Targets.Status.NOT_MEASURED);
    assertThat(verdict(CHANNELS, run(false, "channels", channels(5000, step(2500, 1.0, 5.0, 0, null)))).markdown())
        .isEqualTo("not measured (no step at 5,000/s)");
  }

  @Test
  void theOneUserTargetReadsChannelsOneUserOrTheChannelsOfAOneUserRun() {
    JsonObject fast = channels(5000, step(5000, 1.0, 5.0, 0, null));
    JsonObject slow = channels(5000, step(5000, 3.0, 5.0, 0, null));
    JsonObject both = run(false, "channels", fast).put("scenarios",
        new JsonObject().put("channels", fast).put("channels-one-user", slow));
    assertThat(verdict(CHANNELS, both).status()).isEqualTo(Targets.Status.MET);
    assertThat(verdict(CHANNELS_ONE_USER, both).status()).isEqualTo(Targets.Status.MISSED);

    JsonObject oneUserRun = run(true, "channels", fast);
    assertThat(verdict(CHANNELS, oneUserRun).status()).isEqualTo(Targets.Status.NOT_MEASURED);
    assertThat(verdict(CHANNELS_ONE_USER, oneUserRun).status()).isEqualTo(Targets.Status.MET);
  }

  @Test
  void allocationMustStayUnder1KbPerDelivery() {
    // 1,000 subscribers × 1,000 pub/s × 10 s = 10,000,000 deliveries.
    JsonObject under = run(false, "fanout", fanOut(step(1000, 1.0, 5.0, 0, 10_230_000_000L)));
    assertThat(verdict(FANOUT_ALLOCATION, under).status()).isEqualTo(Targets.Status.MET);
    assertThat(verdict(FANOUT_ALLOCATION, under).detail()).startsWith("1023 B per delivery");
    JsonObject over = run(false, "fanout", fanOut(step(1000, 1.0, 5.0, 0, 10_240_000_000L)));
    assertThat(verdict(FANOUT_ALLOCATION, over).status()).isEqualTo(Targets.Status.MISSED);
    assertThat(verdict(FANOUT_ALLOCATION, over).detail()).startsWith("1.0 KB per delivery");
    JsonObject ceiling = run(false, "fanout", fanOut(step(1000, 1.0, 5.0, 0, null)));
    assertThat(verdict(FANOUT_ALLOCATION, ceiling).status()).isEqualTo(Targets.Status.NOT_MEASURED);

    JsonObject channels = run(false, "channels", channels(5000, step(5000, 1.0, 5.0, 0, 50_000L * 3000)));
    assertThat(verdict(CHANNELS_ALLOCATION, channels).status()).isEqualTo(Targets.Status.MISSED);
    assertThat(verdict(CHANNELS_ALLOCATION, channels).detail()).startsWith("2.9 KB per delivery");
  }

  @Test
  void idleMemoryBudgetIs5KbPerConnection() {
    assertThat(verdict(IDLE, idleRun(5120)).status()).isEqualTo(Targets.Status.MET);
    assertThat(verdict(IDLE, idleRun(5121)).status()).isEqualTo(Targets.Status.MISSED);
  }

  @Test
  void summaryPrintsPassFailOrNaForEveryTarget() {
    String summary = Targets.summary(run(false, "channels", channels(5000, step(5000, 1.0, 5.0, 0, 50_000L * 3000))));
    assertThat(summary.lines()).hasSize(Targets.ALL.size() + 1);
    assertThat(summary).startsWith("targets (relay):")
        .contains("  PASS  " + CHANNELS)
        .contains("  FAIL  " + CHANNELS_ALLOCATION)
        .contains("  n/a   " + IDLE);
  }

  @Test
  void reportShowsAllocationPerDeliveryAndADashForRunsWithoutIt() {
    JsonObject measured = run(false, "channels", channels(5000, step(5000, 1.0, 5.0, 0, 50_000L * 800)));
    JsonObject oldStep = step(5000, 1.0, 5.0, 0, null);
    oldStep.remove("server_allocated_bytes"); // written before allocation was measured
    JsonObject old = run(false, "channels", channels(5000, oldStep)).put("label", "old");
    String md = ReportWriter.markdown(List.of(measured, old));
    assertThat(md).contains("server alloc / delivery").contains("| 200.0 MB | 800 B | ? |")
        .contains("| 200.0 MB | - | ? |").contains("| **met**: 800 B per delivery");
  }

  private static Targets.Verdict verdict(String targetStart, JsonObject run) {
    Targets.Target target = Targets.ALL.stream().filter(t -> t.text().startsWith(targetStart)).findFirst()
        .orElseThrow();
    return target.check().apply(run);
  }

  private static JsonObject run(boolean oneUser, String scenario, JsonObject results) {
    return new JsonObject().put("kind", ReportWriter.KIND).put("label", "relay")
        .put("options", new JsonObject().put("one_user", oneUser))
        .put("scenarios", new JsonObject().put(scenario, results));
  }

  private static JsonObject idleRun(long bytesPerConnection) {
    return run(false, "idle", new JsonObject().put("connections", 10_000).put("connected", 10_000)
        .put("bytes_per_connection", bytesPerConnection).put("live_heap_per_connection", 2000));
  }

  private static JsonObject channels(int connections, JsonObject step) {
    return new JsonObject().put("channels", "one per connection").put("connections", connections)
        .put("steps", new JsonArray().add(step.put("receivers", connections)));
  }

  private static JsonObject fanOut(JsonObject step) {
    long received = 1000L * step.getLong("published");
    return new JsonObject().put("channels", "one channel").put("connections", 1000)
        .put("steps", new JsonArray().add(step.put("receivers", 1000).put("expected", received)
            .put("received", received).put("offered_per_s", Math.round(step.getDouble("rate") * 1000))
            .put("delivered_per_s", Math.round(step.getDouble("rate") * 1000))));
  }

  /** A 10 s step at {@code rate} publications/s, each delivered once (the many-channels layout). */
  private static JsonObject step(double rate, double p99, double max, long lost, Long allocated) {
    long published = Math.round(rate * 10);
    return new JsonObject().put("rate", rate).put("seconds", 10.0).put("published", published)
        .put("expected", published).put("received", published - lost).put("lost", lost)
        .put("offered_per_s", Math.round(rate)).put("delivered_per_s", Math.round(rate))
        .put("latency_ms", new JsonObject().put("count", published - lost).put("p50", 0.5).put("p99", p99)
            .put("p999", p99).put("max", max))
        .put("cpu", new JsonObject().put("server_cores", 0.5).put("server_cpus", 1).put("generator_cores", 0.5)
            .put("generator_cpus", 1).put("other_cores", 0.0).put("contended", false).put("bound", "-"))
        .put("server_rss_bytes", 200_000_000L).put("server_allocated_bytes", allocated)
        .put("disconnects", new JsonObject());
  }

  @Test
  void clusterNeedsEveryNodesCounterToEqualItsOwnChannelsPublicationsAndNotAll() {
    assertThat(Targets.cluster(clusterRun(30_000, new long[][] {{10_002, 10_002}, {10_002, 10_002}, {9_996, 9_996}}))
        .status()).isEqualTo(Targets.Status.MET);
    Targets.Verdict off = Targets.cluster(clusterRun(30_000, new long[][] {{10_002, 10_002}, {10_001, 10_002},
        {9_996, 9_996}}));
    assertThat(off.status()).isEqualTo(Targets.Status.MISSED);
    assertThat(off.detail()).contains("node 1 10,001 ≠ 10,002").contains("of 30,000 published");
    // a node that gets every publication is what interest-based delivery must avoid
    assertThat(Targets.cluster(clusterRun(30_000, new long[][] {{30_000, 30_000}, {0, 0}})).status())
        .isEqualTo(Targets.Status.MISSED);
    assertThat(Targets.cluster(new JsonObject().put("label", "x").put("scenarios", new JsonObject())).status())
        .isEqualTo(Targets.Status.NOT_MEASURED);
  }

  /** A run with one cluster-channels step; {@code nodes[i]} = {received, expected}. */
  private static JsonObject clusterRun(long published, long[][] nodes) {
    JsonArray n = new JsonArray();
    for (int i = 0; i < nodes.length; i++) {
      n.add(new JsonObject().put("node", i).put("publications_received", nodes[i][0])
          .put("publications_expected", nodes[i][1]));
    }
    JsonObject step = new JsonObject().put("rate", 1000.0).put("published", published).put("nodes", n);
    return new JsonObject().put("label", "cluster").put("scenarios", new JsonObject()
        .put("cluster-channels", new JsonObject().put("steps", new JsonArray().add(step))));
  }
}
