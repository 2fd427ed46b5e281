package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Inbound messages larger than {@code client.max_message_size} (4096 bytes here) end only their own connection. */
class MessageSizeTest extends RelayTestBase {
  private static final int MAX = 4096;

  @BeforeEach
  void startNode() {
    startRelay(config -> clientSection(config).put("max_message_size", MAX));
  }

  @Test
  @DisplayName("A text message over the limit closes with 1009 and other clients are unaffected")
  void oversizedMessageCloses() {
    String channel = chat("size");
    WsTestClient bystander = connected("bob");
    bystander.subscribe(channel);
    WsTestClient big = connected("alice");

    big.sendRaw(publishFrame(big, channel, MAX + 100));

    WsTestClient.Close close = big.awaitClose(SHORT);
    assertThat(close.code()).isEqualTo((short) 1009);
    assertThat(close.reason()).isEqualTo("message too big");
    bystander.publish(channel, new JsonObject().put("still", "here"));
    assertThat(bystander.awaitPublications(channel, 1, SHORT).get(0).getJsonObject("data").getString("still"))
        .isEqualTo("here");
    assertThat(bystander.publications(channel)).as("the oversized publish was not published").hasSize(1);
  }

  @Test
  @DisplayName("A message just under the limit is accepted")
  void messageJustUnderLimitWorks() {
    String channel = chat("size");
    WsTestClient c = connected("alice");
    c.subscribe(channel);
    String frame = publishFrame(c, channel, MAX - 16);
    long id = new JsonObject(frame).getLong("id");

    c.sendRaw(frame);

    assertThat(c.awaitReply(id).containsKey("error")).isFalse();
    assertThat(c.awaitPublications(channel, 1, SHORT)).hasSize(1);
    assertThat(c.isClosed()).isFalse();
  }

  @Test
  @DisplayName("A fragmented message whose fragments together pass the limit closes with 1009")
  void oversizedFragmentedMessageCloses() {
    WsTestClient c = connected("alice");
    String frame = publishFrame(c, chat("size"), MAX + 1000);
    int half = frame.length() / 2;

    c.sendFrame(WebSocketFrame.textFrame(frame.substring(0, half), false));
    c.sendFrame(WebSocketFrame.continuationFrame(Buffer.buffer(frame.substring(half)), true));

    WsTestClient.Close close = c.awaitClose(SHORT);
    assertThat(close.code()).isEqualTo((short) 1009);
    assertThat(close.reason()).isEqualTo("message too big");
  }

  /** A publish command whose encoded UTF-8 size is exactly {@code size} bytes (all ASCII). */
  private static String publishFrame(WsTestClient c, String channel, int size) {
    JsonObject cmd = c.command("publish", new JsonObject().put("channel", channel)
        .put("data", new JsonObject().put("pad", "")));
    int overhead = cmd.encode().getBytes(StandardCharsets.UTF_8).length;
    cmd.getJsonObject("publish").getJsonObject("data").put("pad", "y".repeat(size - overhead));
    String text = cmd.encode();
    assertThat(text.getBytes(StandardCharsets.UTF_8)).hasSize(size);
    return text;
  }
}
