package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.engine.PublishOptions;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A client that stops reading must be dropped with 3008 once its backlog passes
 * {@code client.write_queue_max_size}, without holding up or losing anything for the clients that
 * keep reading, including those on the same event loop and later in the channel's subscriber set.
 */
class SlowConsumerTest extends RelayTestBase {
  private static final int PAYLOAD = 4096;
  private static final int BATCH = 8;
  /** 40 MB of publications at most: far more than the socket buffers between server and client. */
  private static final int MAX_PUBLICATIONS = 10_000;

  @Test
  @DisplayName("A paused client is closed with 3008 and the clients that keep reading get every publication")
  void slowClientIsDroppedFastOnesGetEverything() {
    startRelay(config -> clientSection(config).put("write_queue_max_size", 65536));
    String channel = chat("slow");
    // The slow client subscribes first, so it precedes the others in its event loop's subscriber
    // set; with connections spread round-robin over the two loops, some fast client shares its loop.
    WsTestClient slow = open();
    String slowClient = slow.connectWith(relay().token("slow")).getString("client");
    slow.subscribe(channel);
    List<WsTestClient> fast = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      WsTestClient f = connected("fast" + i);
      f.subscribe(channel);
      fast.add(f);
    }
    slow.pause();

    // Publish in batches small enough for a reading client's queue, each batch once the fast
    // clients have it all, until the node reports the slow client's leave (or the cap is hit).
    int published = 0;
    String pad = "x".repeat(PAYLOAD);
    while (published < MAX_PUBLICATIONS && !left(fast.get(0), channel, slowClient)) {
      for (int i = 0; i < BATCH; i++, published++) {
        String data = new JsonObject().put("n", published).put("pad", pad).encode();
        TestRelay.await(relay().node().context().broker().publish(channel, data, PublishOptions.noHistory()));
      }
      for (WsTestClient f : fast) {
        f.awaitPublications(channel, published, SHORT);
      }
    }
    assertThat(left(fast.get(0), channel, slowClient))
        .as("slow client dropped within %d publications", MAX_PUBLICATIONS).isTrue();

    slow.resume();
    WsTestClient.Close close = slow.awaitClose(Duration.ofSeconds(10));
    assertThat(close.code()).isEqualTo((short) 3008);
    List<Integer> all = IntStream.range(0, published).boxed().toList();
    for (WsTestClient f : fast) {
      assertThat(f.publications(channel)).extracting(p -> p.getJsonObject("data").getInteger("n"))
          .containsExactlyElementsOf(all);
      assertThat(f.isClosed()).isFalse();
    }
  }

  private static boolean left(WsTestClient observer, String channel, String client) {
    return observer.pushCount(channel, "leave") > 0 && observer.pushes(channel, "leave").stream()
        .anyMatch(l -> client.equals(l.getJsonObject("info").getString("client")));
  }
}
