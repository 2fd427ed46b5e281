package io.fluxer.relay.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.stats.NodeStats;
import io.fluxer.relay.stats.Rates;
import io.fluxer.relay.stats.Totals;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The other nodes, as heard from their heartbeats; silent or departed nodes drop out. */
class NodeDirectoryTest {
  private final Vertx vertx = Vertx.vertx();
  private final AtomicLong clock = new AtomicLong();
  private final NodeDirectory directory =
      new NodeDirectory(vertx.eventBus(), "self", Duration.ofSeconds(3), clock::get);

  @AfterEach
  void close() {
    vertx.close();
  }

  private static NodeStats node(String id, String name, int connections) {
    return new NodeStats(id, name, "0.1.0", "10.0.0.1:8000", true, 1_000, 5_000,
        new Totals(connections, 1, 2, 3, 4, 5, 6, 7, 8, 9, Map.of(3001, 2L)), new Rates(1, 2, 3, 4, 5, 6), 100, 200);
  }

  @Test
  void heartbeatsRoundTripAndSelfIsLeftOut() {
    NodeStats b = node("b", "node-b", 7);
    directory.heard(b.toJson());
    directory.heard(node("self", "me", 1).toJson());
    directory.heard(node("a", "node-a", 3).toJson());

    assertThat(directory.others()).extracting(NodeStats::name).containsExactly("node-a", "node-b");
    assertThat(directory.others().get(1)).isEqualTo(b);
    assertThat(directory.otherIds()).containsExactly("a", "b");
  }

  @Test
  void silentNodesDropOutAfterTheTimeout() {
    directory.heard(node("a", "node-a", 3).toJson());
    clock.addAndGet(Duration.ofSeconds(2).toNanos());
    directory.heard(node("b", "node-b", 3).toJson());
    clock.addAndGet(Duration.ofMillis(1_500).toNanos());

    assertThat(directory.otherIds()).containsExactly("b");
    directory.heard(node("a", "node-a", 3).toJson()); // back again
    assertThat(directory.otherIds()).containsExactly("a", "b");
  }

  @Test
  void aLeavingNodeDropsOutAtOnce() {
    directory.heard(node("a", "node-a", 3).toJson());
    directory.heard(new io.vertx.core.json.JsonObject().put("id", "a").put("gone", true));

    assertThat(directory.others()).isEmpty();
  }
}
