package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Outbound frames carry the three lengths a WebSocket header can encode (7-bit, 16-bit and 64-bit,
 * RFC 6455 5.2), and fragmented inbound messages within the limit are accepted.
 */
class FrameSizesTest extends RelayTestBase {
  private static final int MAX = 200_000;

  @BeforeEach
  void startNode() {
    startRelay(config -> clientSection(config).put("max_message_size", MAX));
  }

  @Test
  @DisplayName("Publications around every frame-header length boundary arrive intact")
  void everyHeaderLength() {
    String channel = chat("sizes");
    WsTestClient subscriber = connected("bob");
    subscriber.subscribe(channel);
    WsTestClient publisher = connected("alice");
    // Padding sizes that put the pushed frame just under and over 125 and 65,535 bytes, and far above.
    List<Integer> pads = List.of(1, 40, 60, 100, 65_400, 65_600, 150_000);
    for (int pad : pads) {
      publisher.publish(channel, new JsonObject().put("pad", "z".repeat(pad)));
      // One at a time, so that each push leaves as a frame of its own.
      subscriber.awaitPublications(channel, pads.indexOf(pad) + 1, SHORT);
    }

    List<JsonObject> received = subscriber.publications(channel);
    assertThat(received).extracting(p -> p.getJsonObject("data").getString("pad").length())
        .containsExactlyElementsOf(pads);
    assertThat(received).allSatisfy(p -> assertThat(p.getJsonObject("data").getString("pad")).matches("z*"));
    assertThat(subscriber.isClosed()).isFalse();
  }

  @Test
  @DisplayName("A message in three fragments within the limit is one command")
  void fragmentedMessage() {
    WsTestClient c = connected("alice");
    String channel = chat("frag");
    c.subscribe(channel);
    String frame = c.command("publish", new JsonObject().put("channel", channel)
        .put("data", new JsonObject().put("pad", "f".repeat(10_000)))).encode();
    int third = frame.length() / 3;

    c.sendFrame(WebSocketFrame.textFrame(frame.substring(0, third), false));
    c.sendFrame(WebSocketFrame.continuationFrame(Buffer.buffer(frame.substring(third, 2 * third)), false));
    c.sendFrame(WebSocketFrame.continuationFrame(Buffer.buffer(frame.substring(2 * third)), true));

    assertThat(c.awaitPublications(channel, 1, SHORT).get(0).getJsonObject("data").getString("pad"))
        .hasSize(10_000);
    assertThat(c.isClosed()).isFalse();
  }
}
