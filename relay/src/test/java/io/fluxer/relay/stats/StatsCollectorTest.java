package io.fluxer.relay.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The collector on a live node, with a clock the test moves. */
@ExtendWith(VertxExtension.class)
class StatsCollectorTest {

  @Test
  @DisplayName("Rates are the counter deltas since the previous sample divided by the elapsed time")
  void ratesBetweenSamples(Vertx vertx) {
    try (TestRelay relay = TestRelay.start(vertx, c -> c.getJsonObject("server").put("stats_interval", "0s"));
         WsTestClient alice = WsTestClient.open(vertx, relay.wsUrl())) {
      AtomicLong clock = new AtomicLong(1_000_000_000L);
      StatsCollector collector = new StatsCollector(vertx, Duration.ZERO, relay.node()::info,
          relay.node()::ready, relay.node().loops(), relay.node().metrics(), clock::get);
      alice.connectWith(relay.token("alice"));
      String channel = "chat:collector";
      alice.subscribe(channel);

      NodeStats first = TestRelay.await(collector.sample());
      assertThat(first.perSecond()).isEqualTo(Rates.ZERO);
      assertThat(first.totals().connections()).isEqualTo(1);

      for (int i = 0; i < 4; i++) {
        alice.publish(channel, new JsonObject().put("n", i));
      }
      alice.awaitPublications(channel, 4, Duration.ofSeconds(5));
      clock.addAndGet(2_000_000_000L);
      NodeStats second = TestRelay.await(collector.current());

      assertThat(second.totals().messagesIn() - first.totals().messagesIn()).isEqualTo(4);
      assertThat(second.perSecond().messagesIn()).isEqualTo(2.0);
      assertThat(second.perSecond().messagesOut()).as("4 replies and 4 publications").isEqualTo(4.0);
      assertThat(second.perSecond().bytesIn())
          .isEqualTo((second.totals().bytesIn() - first.totals().bytesIn()) / 2.0);
      assertThat(second.id()).isEqualTo(relay.node().id());
      assertThat(second.ready()).isTrue();
    }
  }
}
