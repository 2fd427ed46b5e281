package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Server pings, the pong timeout, and connections that never send connect. */
class KeepAliveTest extends RelayTestBase {

  @Test
  @DisplayName("A client that answers pings stays connected over several pings")
  void answeringClientStays() {
    startPinging();
    WsTestClient c = open();
    JsonObject reply = c.connectWith(relay().token("alice"));
    assertThat(reply.getInteger("ping")).isEqualTo(1);
    assertThat(reply.getBoolean("pong")).isTrue();

    awaitPings(c, 3);

    assertThat(c.result("presence_stats", new JsonObject().put("channel", chat("alive")))).isNotNull();
    assertThat(c.isClosed()).isFalse();
  }

  @Test
  @DisplayName("A client that never answers pings is closed with 3012")
  void silentClientIsClosed() {
    startPinging();
    WsTestClient c = open().autoPong(false);
    c.connectWith(relay().token("alice"));

    WsTestClient.Close close = c.awaitClose(Duration.ofSeconds(5));

    assertThat(close.code()).isEqualTo((short) 3012);
    assertThat(c.messages()).as("closed only after a ping went unanswered").anyMatch(JsonObject::isEmpty);
  }

  @Test
  @DisplayName("A connection that never sends connect is closed as stale with 3502")
  void staleConnectionIsClosed() {
    startRelay(config -> clientSection(config).put("stale_delay", "500ms"));
    WsTestClient c = open();

    assertThat(c.awaitClose(Duration.ofSeconds(5)).code()).isEqualTo((short) 3502);
  }

  @Test
  @DisplayName("A connection that connected in time is not closed as stale")
  void connectedConnectionIsNotStale() {
    startRelay(config -> clientSection(config).put("stale_delay", "500ms").put("ping_interval", "1s")
        .put("pong_timeout", "500ms"));
    WsTestClient c = open();
    c.connectWith(relay().token("alice"));

    // The first ping comes a second after connect, twice the stale delay.
    awaitPings(c, 1);

    assertThat(c.isClosed()).isFalse();
  }

  @Test
  @DisplayName("A WebSocket ping frame is answered with a pong of the same payload, and a close frame with the same status")
  void webSocketPingAndClose() throws Exception {
    startRelay(config -> { });
    io.vertx.core.http.WebSocketClient client = vertx.createWebSocketClient();
    try {
      io.vertx.core.http.WebSocket ws = client.connect(new io.vertx.core.http.WebSocketConnectOptions()
          .setAbsoluteURI(relay().wsUrl())).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      CompletableFuture<String> pong = new CompletableFuture<>();
      CompletableFuture<Short> closed = new CompletableFuture<>();
      ws.pongHandler(data -> pong.complete(data.toString()));
      ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));

      ws.writePing(io.vertx.core.buffer.Buffer.buffer("are you there"));
      assertThat(pong.get(10, TimeUnit.SECONDS)).isEqualTo("are you there");

      ws.close((short) 4000, "bye");
      assertThat(closed.get(10, TimeUnit.SECONDS)).as("the status the server answered with").isEqualTo((short) 4000);
    } finally {
      client.close();
    }
  }

  private void startPinging() {
    startRelay(config -> clientSection(config).put("ping_interval", "1s").put("pong_timeout", "500ms"));
  }

  private static void awaitPings(WsTestClient c, int count) {
    c.awaitMessages(JsonObject::isEmpty, count, Duration.ofSeconds(count + 3));
  }
}
