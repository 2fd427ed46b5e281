package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.StreamTestClient;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The unidirectional transports with plain clients, as a {@code curl} or an {@code EventSource}
 * uses them: a connect request in, plain pushes out (Centrifugo's {@code Push} objects, first
 * {@code {"connect": …}}), subscriptions from the token's {@code channels} claim and the server API.
 */
class UniTransportsTest extends RelayTestBase {
  private final List<StreamTestClient> streams = new ArrayList<>();

  @AfterEach
  void closeStreams() {
    streams.forEach(StreamTestClient::close);
  }

  private String token(String user, String... channels) {
    return relay().token(new JsonObject().put("sub", user).put("exp", Instant.now().getEpochSecond() + 3600)
        .put("channels", new JsonArray(List.of((Object[]) channels))));
  }

  private JsonObject api(String method, JsonObject params) {
    return http().send(HttpMethod.POST, "/api/" + method, HttpTestClient.apiKey(TestRelay.ADMIN_KEY), params.encode())
        .json();
  }

  private void publish(String channel, int n) {
    api("publish", new JsonObject().put("channel", channel).put("data", new JsonObject().put("n", n)));
  }

  private static boolean isPub(JsonObject m, String channel, int n) {
    return channel.equals(m.getString("channel")) && m.containsKey("pub")
        && m.getJsonObject("pub").getJsonObject("data").getInteger("n") == n;
  }

  private StreamTestClient uniHttpStream(String request) {
    StreamTestClient s = StreamTestClient.open(vertx, HttpMethod.POST, relay().httpUrl() + "/connection/uni_http_stream",
        Map.of("Content-Type", "application/json"), request, false);
    streams.add(s);
    return s;
  }

  @Test
  @DisplayName("uni_http_stream: a connect push, publications of the token's channels, a server-API subscribe as a push, then a disconnect")
  void uniHttpStream() {
    String fromToken = chat("uni-token");
    String fromApi = chat("uni-api");
    StreamTestClient s = uniHttpStream(new JsonObject().put("token", token("alice", fromToken)).encode());
    assertThat(s.status()).isEqualTo(200);
    JsonObject connect = s.awaitMessage(m -> m.containsKey("connect"), SHORT);
    assertThat(connect.containsKey("id")).isFalse();
    JsonObject result = connect.getJsonObject("connect");
    assertThat(result.getString("client")).isNotBlank();
    assertThat(result.getString("session")).isNotBlank();
    assertThat(result.containsKey("pong")).as("no pongs on a unidirectional transport").isFalse();
    assertThat(result.getJsonObject("subs").fieldNames()).containsExactly(fromToken);

    publish(fromToken, 1);
    s.awaitMessage(m -> isPub(m, fromToken, 1), SHORT);

    api("subscribe", new JsonObject().put("user", "alice").put("channel", fromApi));
    JsonObject subscribed = s.awaitMessage(m -> fromApi.equals(m.getString("channel")) && m.containsKey("subscribe"),
        SHORT);
    assertThat(subscribed.getJsonObject("subscribe").getBoolean("recoverable")).isTrue();
    publish(fromApi, 2);
    s.awaitMessage(m -> isPub(m, fromApi, 2), SHORT);
    assertThat(s.messages()).noneMatch(m -> m.containsKey("push"));

    api("disconnect", new JsonObject().put("user", "alice"));
    assertThat(s.awaitMessage(m -> m.containsKey("disconnect"), SHORT).getJsonObject("disconnect").getInteger("code"))
        .isEqualTo(3503);
    s.awaitEnd(SHORT);
  }

  @Test
  @DisplayName("uni_sse: GET with cf_connect, as an EventSource opens it; a bad request is 400; an expired token a 3005 push")
  void uniSse() {
    String channel = chat("uni-sse");
    StreamTestClient s = StreamTestClient.open(vertx, HttpMethod.GET, relay().httpUrl() + "/connection/uni_sse?cf_connect="
        + URLEncoder.encode(new JsonObject().put("token", token("bob", channel)).encode(), StandardCharsets.UTF_8),
        Map.of(), null, true);
    streams.add(s);
    assertThat(s.headers().get("Content-Type")).isEqualTo("text/event-stream; charset=utf-8");
    s.awaitMessage(m -> m.containsKey("connect"), SHORT);
    publish(channel, 7);
    s.awaitMessage(m -> isPub(m, channel, 7), SHORT);

    assertThat(http().get("/connection/uni_sse?cf_connect=nope", HttpTestClient.NONE).status()).isEqualTo(400);
    assertThat(http().get("/connection/uni_sse?cf_connect=%7B%22token%22%3A5%7D", HttpTestClient.NONE).status())
        .isEqualTo(400);
    assertThat(http().send(HttpMethod.DELETE, "/connection/uni_sse", HttpTestClient.NONE, null).status()).isEqualTo(405);

    String expired = relay().token(new JsonObject().put("sub", "bob").put("exp", Instant.now().getEpochSecond() - 60));
    StreamTestClient late = StreamTestClient.open(vertx, HttpMethod.POST, relay().httpUrl() + "/connection/uni_sse",
        Map.of("Content-Type", "application/json"), new JsonObject().put("token", expired).encode(), true);
    streams.add(late);
    assertThat(late.awaitMessage(m -> m.containsKey("disconnect"), SHORT).getJsonObject("disconnect")
        .getInteger("code")).isEqualTo(3005);
    late.awaitEnd(SHORT);
  }

  @Test
  @DisplayName("uni_websocket: the first message connects; one push per frame; later messages are ignored")
  void uniWebSocket() {
    String channel = chat("uni-ws");
    WsTestClient ws = track(WsTestClient.open(vertx, "ws://127.0.0.1:" + relay().port() + "/connection/uni_websocket"));
    ws.sendRaw(new JsonObject().put("token", token("carol", channel)).encode());
    JsonObject connect = ws.awaitMessage(m -> m.containsKey("connect"), SHORT).getJsonObject("connect");
    assertThat(connect.getJsonObject("subs").fieldNames()).containsExactly(channel);
    publish(channel, 1);
    publish(channel, 2);
    ws.awaitMessage(m -> isPub(m, channel, 2), SHORT);
    ws.sendRaw("{\"id\":5,\"presence\":{\"channel\":\"" + channel + "\"}}");
    publish(channel, 3);
    ws.awaitMessage(m -> isPub(m, channel, 3), SHORT);
    assertThat(ws.isClosed()).isFalse();
    assertThat(ws.messages()).noneMatch(m -> m.containsKey("id"));
    assertThat(ws.messagesPerFrame()).containsOnly(1);

    api("disconnect", new JsonObject().put("user", "carol"));
    assertThat(ws.awaitClose(SHORT).code()).isEqualTo((short) 3503);
    assertThat(ws.messages()).anyMatch(m -> m.containsKey("disconnect"));

    WsTestClient bad = track(WsTestClient.open(vertx, "ws://127.0.0.1:" + relay().port() + "/connection/uni_websocket"));
    bad.sendRaw("[1]");
    assertThat(bad.awaitClose(SHORT).code()).isEqualTo((short) 3501);
  }

  @Test
  @DisplayName("Pings on a unidirectional stream need no answer")
  void uniKeepalive() {
    startRelay(config -> clientSection(config).put("ping_interval", "200ms").put("pong_timeout", "100ms"));
    StreamTestClient s = uniHttpStream("{\"token\":\"" + relay().token("dave") + "\"}");
    s.awaitMessage(m -> m.containsKey("connect"), SHORT);
    for (int i = 1; i <= 3; i++) {
      int pings = i;
      HttpTestClient.eventually(() -> s.messages().stream().filter(JsonObject::isEmpty).count(), n -> n >= pings, SHORT);
    }
    assertThat(s.ended()).isFalse();
    assertThat(s.messages()).noneMatch(m -> m.containsKey("disconnect"));
  }

  @Test
  @DisplayName("uni_http_stream takes the request as curl -d sends it (a form content type) too")
  void uniHttpStreamFromCurl() {
    String channel = chat("curl");
    StreamTestClient s = StreamTestClient.open(vertx, HttpMethod.POST, relay().httpUrl() + "/connection/uni_http_stream",
        Map.of("Content-Type", "application/x-www-form-urlencoded"),
        new JsonObject().put("token", token("frank", channel)).encode(), false);
    streams.add(s);
    assertThat(s.awaitMessage(m -> m.containsKey("connect"), SHORT).getJsonObject("connect")
        .getJsonObject("subs").fieldNames()).containsExactly(channel);
  }
}
