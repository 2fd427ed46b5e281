package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.protocol.Publication;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Publications that reach a node out of offset order, as those of two publishing nodes can (each
 * sends what it stored over the event bus): a subscriber with a stream position gets them in order
 * once the missing one arrives, and is closed with 3010 only when it does not arrive in time. The
 * deliveries are put on the event bus by the test, as another node would.
 */
class OutOfOrderDeliveryTest extends RelayTestBase {

  @Test
  @DisplayName("A publication that arrives before the one preceding it is held and sent after it")
  void reordersWithinTheWait() {
    String channel = chat("reorder");
    WsTestClient c = connected("alice");
    String epoch = c.subscribe(channel).getString("epoch");

    deliver(channel, 2, epoch);
    deliver(channel, 3, epoch);
    deliver(channel, 1, epoch);
    deliver(channel, 2, epoch); // a repeat is dropped

    assertThat(c.awaitPublications(channel, 3, SHORT)).extracting(p -> p.getLong("offset"))
        .containsExactly(1L, 2L, 3L);
    deliver(channel, 4, epoch);
    assertThat(c.awaitPublications(channel, 4, SHORT)).extracting(p -> p.getJsonObject("data").getLong("n"))
        .containsExactly(1L, 2L, 3L, 4L);
    assertThat(c.isClosed()).isFalse();
  }

  @Test
  @DisplayName("A publication still missing after the wait closes the subscriber with 3010 (insufficient state)")
  void missingPublicationCloses() {
    String channel = chat("gap");
    WsTestClient c = connected("alice");
    String epoch = c.subscribe(channel).getString("epoch");

    long start = System.nanoTime();
    deliver(channel, 2, epoch);

    WsTestClient.Close close = c.awaitClose(SHORT);
    long waitedMs = Duration.ofNanos(System.nanoTime() - start).toMillis();
    assertThat(close.code()).isEqualTo((short) 3010);
    assertThat(waitedMs).isGreaterThanOrEqualTo(StreamOrder.REORDER_WAIT_MILLIS - 50);
    assertThat(c.publications(channel)).isEmpty();
  }

  @Test
  @DisplayName("A publication of another epoch closes the subscriber with 3010 at once")
  void newEpochCloses() {
    String channel = chat("epoch");
    WsTestClient c = connected("alice");
    c.subscribe(channel);

    deliver(channel, 1, "another-epoch");

    assertThat(c.awaitClose(Duration.ofMillis(StreamOrder.REORDER_WAIT_MILLIS / 2)).code()).isEqualTo((short) 3010);
  }

  private void deliver(String channel, long offset, String epoch) {
    Publication pub = new Publication(offset, new JsonObject().put("n", offset).encode(), null, Map.of());
    relay().node().fanout().deliver(Delivery.publication(channel, pub, epoch, 0));
  }
}
