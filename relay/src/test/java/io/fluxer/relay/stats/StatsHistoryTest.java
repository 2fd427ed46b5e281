package io.fluxer.relay.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxer.relay.stats.StatsHistory.Window;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What the charts get from {@link StatsHistory}: the windows, the 10 s points of the hour, the cluster sums. */
class StatsHistoryTest {
  /** 2026-12-07T00:00:00Z: a multiple of 10 s, so buckets start on it. */
  private static final long T0 = 1_796_601_600_000L;

  private static NodeStats stats(String id, long atMillis, int connections, double messagesIn) {
    Totals totals = new Totals(connections, connections, 2 * connections, connections, 0, 0, 0, 0, 0, 0, Map.of());
    return new NodeStats(id, id, "test", "127.0.0.1:1", true, T0 - 60_000, atMillis, totals,
        new Rates(messagesIn, 2 * messagesIn, 0, 0, 0, 0), 1, 1);
  }

  private static List<Long> longs(JsonObject json, String key) {
    List<Long> out = new ArrayList<>();
    json.getJsonArray(key).forEach(v -> out.add(((Number) v).longValue()));
    return out;
  }

  private static List<Double> doubles(JsonObject json, String key) {
    List<Double> out = new ArrayList<>();
    json.getJsonArray(key).forEach(v -> out.add(((Number) v).doubleValue()));
    return out;
  }

  @Test
  @DisplayName("5m holds every sample of the last five minutes, oldest first; older ones are gone")
  void fiveMinutesKeepsEverySample() {
    StatsHistory history = new StatsHistory(List::of, Duration.ofSeconds(1));
    for (int s = 0; s < 400; s++) {
      history.accept(stats("a", T0 + s * 1000L, s, s));
    }
    long now = T0 + 399_000;
    JsonObject json = history.toJson(Window.FIVE_MINUTES, now);
    List<Long> t = longs(json, "t");
    assertThat(t).hasSize(301).first().isEqualTo(now - 300_000);
    assertThat(t).isSorted().last().isEqualTo(now);
    assertThat(longs(json, "connections").get(300)).isEqualTo(399);
    assertThat(longs(json, "subscriptions").get(300)).isEqualTo(798);
    assertThat(json.getLong("step_ms")).isEqualTo(1000);
    assertThat(json.getString("window")).isEqualTo("5m");
    assertThat(json.getLong("window_seconds")).isEqualTo(300);

    assertThat(longs(history.toJson(Window.FIVE_MINUTES, now + 600_000), "t")).as("nothing left in the window").isEmpty();
  }

  @Test
  @DisplayName("1h has one point per 10 s of wall clock: the last counts, the rates averaged over its samples")
  void hourAveragesTenSecondBuckets() {
    StatsHistory history = new StatsHistory(List::of, Duration.ofSeconds(1));
    for (int s = 0; s < 25; s++) {
      history.accept(stats("a", T0 + s * 1000L, s, s < 10 ? 10 : 30));
    }
    JsonObject json = history.toJson(Window.HOUR, T0 + 25_000);
    assertThat(longs(json, "t")).containsExactly(T0, T0 + 10_000, T0 + 20_000);
    assertThat(longs(json, "connections")).containsExactly(9L, 19L, 24L);
    assertThat(doubles(json, "messages_in_per_second")).containsExactly(10.0, 30.0, 30.0);
    assertThat(doubles(json, "messages_out_per_second")).containsExactly(20.0, 60.0, 60.0);
    assertThat(json.getLong("step_ms")).isEqualTo(10_000);
  }

  @Test
  @DisplayName("1h keeps its last hour of points, however long the node has run")
  void hourIsBounded() {
    StatsHistory history = new StatsHistory(List::of, Duration.ofSeconds(1));
    long end = T0 + 2 * 3600_000L;
    for (long at = T0; at <= end; at += 1000) {
      history.accept(stats("a", at, 1, 1));
    }
    List<Long> t = longs(history.toJson(Window.HOUR, end), "t");
    assertThat(t).hasSize(361).first().isEqualTo(end - 3600_000);
  }

  @Test
  @DisplayName("Each point sums this node with the other nodes' last heartbeats")
  void sumsTheCluster() {
    List<NodeStats> others = new ArrayList<>();
    StatsHistory history = new StatsHistory(() -> List.copyOf(others), Duration.ofMillis(500));
    history.accept(stats("a", T0, 3, 1.5));
    others.add(stats("b", T0 - 200, 4, 2));
    history.accept(stats("a", T0 + 500, 3, 1.5));

    JsonObject json = history.toJson(Window.FIVE_MINUTES, T0 + 500);
    assertThat(longs(json, "nodes")).containsExactly(1L, 2L);
    assertThat(longs(json, "connections")).containsExactly(3L, 7L);
    assertThat(doubles(json, "messages_in_per_second")).containsExactly(1.5, 3.5);
    assertThat(json.getLong("step_ms")).isEqualTo(500);
  }

  @Test
  @DisplayName("Windows are named 5m and 1h; anything else is refused without echoing it")
  void windows() {
    assertThat(Window.of("5m")).isEqualTo(Window.FIVE_MINUTES);
    assertThat(Window.of("1H")).isEqualTo(Window.HOUR);
    assertThatThrownBy(() -> Window.of("<script>")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("window must be 5m or 1h");
    assertThat(new StatsHistory(List::of, Duration.ofSeconds(1)).toJson(Window.HOUR, T0).getJsonArray("t"))
        .isEqualTo(new JsonArray());
  }
}
