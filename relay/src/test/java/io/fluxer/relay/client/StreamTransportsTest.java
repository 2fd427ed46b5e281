package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.HttpTestClient.Response;
import io.fluxer.relay.testing.StreamTestClient;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The emulated HTTP transports with a plain HTTP client: SSE and HTTP streaming carry the session's
 * replies and pushes, {@code POST /emulation} carries its commands, and the stream follows the
 * WebSocket's rules (keepalive, disconnects, a dropped stream ending the session).
 */
class StreamTransportsTest extends StreamTransportTestBase {
  private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");
  private final List<StreamTestClient> streams = new ArrayList<>();

  @AfterEach
  void closeStreams() {
    streams.forEach(StreamTestClient::close);
  }

  private StreamTestClient httpStream(String body) {
    StreamTestClient s = StreamTestClient.open(vertx, HttpMethod.POST, relay().httpUrl() + "/connection/http_stream",
        JSON, body, false);
    streams.add(s);
    return s;
  }

  private StreamTestClient sse(String connectCommand) {
    StreamTestClient s = StreamTestClient.open(vertx, HttpMethod.GET, relay().httpUrl() + "/connection/sse?cf_connect="
        + URLEncoder.encode(connectCommand, StandardCharsets.UTF_8), Map.of(), null, true);
    streams.add(s);
    return s;
  }

  private static String connect(String token) {
    return new JsonObject().put("id", 1).put("connect", new JsonObject().put("token", token)).encode();
  }

  private Response emulate(JsonObject connectResult, String commands) {
    return http().send(HttpMethod.POST, "/emulation", HttpTestClient.NONE, new JsonObject()
        .put("session", connectResult.getString("session")).put("node", connectResult.getString("node"))
        .put("data", commands).encode());
  }

  private static JsonObject reply(StreamTestClient s, long id) {
    return s.awaitMessage(m -> m.getLong("id", 0L) == id, SHORT);
  }


  @Test
  @DisplayName("HTTP streaming: the connect reply names the session and node; commands come through /emulation")
  void httpStreamWithEmulation() {
    StreamTestClient s = httpStream(connect(relay().token("alice")));
    assertThat(s.status()).isEqualTo(200);
    JsonObject connected = reply(s, 1).getJsonObject("connect");
    assertThat(UUID.fromString(connected.getString("session"))).isNotNull();
    assertThat(connected.getString("node")).isEqualTo(relay().node().id());
    assertThat(connected.getBoolean("pong")).isTrue();
    assertThat(connected.getString("client")).isNotBlank();

    String channel = chat("stream");
    assertThat(emulate(connected, "{\"id\":2,\"subscribe\":{\"channel\":\"" + channel + "\"}}").status())
        .isEqualTo(204);
    assertThat(reply(s, 2).getJsonObject("subscribe").getBoolean("recoverable")).isTrue();

    api("publish", new JsonObject().put("channel", channel).put("data", new JsonObject().put("n", 1)));
    JsonObject pub = s.awaitMessage(m -> m.containsKey("push") && m.getJsonObject("push").containsKey("pub"), SHORT);
    assertThat(pub.getJsonObject("push").getString("channel")).isEqualTo(channel);
    assertThat(pub.getJsonObject("push").getJsonObject("pub").getJsonObject("data").getInteger("n")).isEqualTo(1);

    // Several commands in one request, joined by newlines, as the SDK batches them.
    assertThat(emulate(connected, "{\"id\":3,\"presence\":{\"channel\":\"" + channel + "\"}}\n"
        + "{\"id\":4,\"history\":{\"channel\":\"" + channel + "\",\"limit\":10}}").status()).isEqualTo(204);
    assertThat(reply(s, 3).getJsonObject("presence").getJsonObject("presence").fieldNames())
        .containsExactly(connected.getString("client"));
    assertThat(reply(s, 4).getJsonObject("history").getJsonArray("publications")).hasSize(1);

    // A token refresh through /emulation.
    String fresh = relay().token("alice", java.time.Duration.ofMinutes(30));
    assertThat(emulate(connected, new JsonObject().put("id", 5).put("refresh", new JsonObject().put("token", fresh))
        .encode()).status()).isEqualTo(204);
    JsonObject refreshed = reply(s, 5).getJsonObject("refresh");
    assertThat(refreshed.getBoolean("expires")).isTrue();
    assertThat(refreshed.getLong("ttl")).isBetween(1700L, 1800L);
  }

  @Test
  @DisplayName("SSE: cf_connect in the query, the event-stream headers, \\r\\n first, then one data event per message")
  void sseStream() {
    StreamTestClient s = sse(connect(relay().token("alice")));
    assertThat(s.status()).isEqualTo(200);
    assertThat(s.headers().get("Content-Type")).isEqualTo("text/event-stream; charset=utf-8");
    assertThat(s.headers().get("Cache-Control")).isEqualTo("private, no-cache, no-store, must-revalidate, max-age=0");
    assertThat(s.headers().get("X-Accel-Buffering")).isEqualTo("no");
    JsonObject connected = reply(s, 1).getJsonObject("connect");
    assertThat(s.raw()).startsWith("\r\ndata: {\"id\":1,\"connect\":");
    assertThat(emulate(connected, "{\"id\":2,\"publish\":{\"channel\":\"" + chat("x") + "\",\"data\":{}}}").status())
        .isEqualTo(204);
    assertThat(reply(s, 2).containsKey("publish")).isTrue();
  }

  @Test
  @DisplayName("Connect endpoints refuse bad requests with a status before reading anything else")
  void connectEndpointRefusals() throws Exception {
    HttpTestClient h = http();
    assertThat(h.get("/connection/sse", HttpTestClient.NONE).status()).isEqualTo(400);
    assertThat(h.get("/connection/http_stream", HttpTestClient.NONE).status()).isEqualTo(405);
    assertThat(h.send(HttpMethod.PUT, "/connection/sse", HttpTestClient.NONE, "{}").status()).isEqualTo(405);
    Response preflight = h.send(HttpMethod.OPTIONS, "/connection/http_stream", HttpTestClient.NONE, null);
    assertThat(preflight.status()).isEqualTo(204);
    assertThat(preflight.headers().get("Access-Control-Max-Age")).isEqualTo("300");
    String big = "{\"id\":1,\"connect\":{\"data\":\"" + "x".repeat(70_000) + "\"}}";
    assertThat(h.send(HttpMethod.POST, "/connection/http_stream", HttpTestClient.NONE, big).status()).isEqualTo(413);
    assertThat(h.send(HttpMethod.POST, "/connection/sse", HttpTestClient.NONE, big).status()).isEqualTo(413);
    assertThat(h.send(HttpMethod.POST, "/connection/http_stream", Map.of("Origin", "https://evil.example"),
        connect(relay().token("a"))).status()).isEqualTo(403);
    assertThat(http10("POST /connection/http_stream HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}"))
        .as("streams need HTTP/1.1 chunked encoding").startsWith("HTTP/1.0 505");
  }

  /** Sends a raw request; the status line of the answer. */
  private String http10(String request) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", relay().port())) {
      socket.setSoTimeout(5000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      byte[] head = socket.getInputStream().readNBytes(12);
      return new String(head, StandardCharsets.US_ASCII);
    }
  }

  @Test
  @DisplayName("/emulation: 204, 404 for an unknown session or node, 400 for a bad body, 413 past 64 KiB, Centrifugo's preflight")
  void emulationStatuses() {
    StreamTestClient s = httpStream(connect(relay().token("alice")));
    JsonObject connected = reply(s, 1).getJsonObject("connect");
    HttpTestClient h = http();
    Response preflight = h.send(HttpMethod.OPTIONS, "/emulation", Map.of("Origin", "http://127.0.0.1:" + relay().port(),
        "Access-Control-Request-Method", "POST"), null);
    assertThat(preflight.status()).isEqualTo(204);
    assertThat(preflight.headers().get("Access-Control-Max-Age")).isEqualTo("300");
    assertThat(preflight.headers().get("Access-Control-Allow-Methods")).isEqualTo("POST, OPTIONS");
    assertThat(preflight.headers().get("Access-Control-Allow-Origin")).isEqualTo("http://127.0.0.1:" + relay().port());
    assertThat(h.get("/emulation", HttpTestClient.NONE).status()).isEqualTo(405);

    assertThat(emulate(connected, "{}").status()).isEqualTo(204);
    assertThat(emulate(connected.copy().put("session", UUID.randomUUID().toString()), "{}").status()).isEqualTo(404);
    assertThat(emulate(connected.copy().put("node", UUID.randomUUID().toString()), "{}").status()).isEqualTo(404);
    assertThat(emulate(connected.copy().put("node", "fluxer.relay.api"), "{}").status()).isEqualTo(404);
    assertThat(h.send(HttpMethod.POST, "/emulation", HttpTestClient.NONE, "not json").status()).isEqualTo(400);
    assertThat(h.send(HttpMethod.POST, "/emulation", HttpTestClient.NONE, "[]").status()).isEqualTo(400);
    assertThat(h.send(HttpMethod.POST, "/emulation", HttpTestClient.NONE, new JsonObject()
        .put("session", connected.getString("session")).put("node", connected.getString("node"))
        .put("data", new JsonObject()).encode()).status()).isEqualTo(400);
    assertThat(emulate(connected, "{\"id\":9,\"publish\":{\"channel\":\"x\",\"data\":\"" + "y".repeat(70_000) + "\"}}")
        .status()).isEqualTo(413);
    assertThat(s.ended()).as("the session outlives refused requests").isFalse();
  }

  @Test
  @DisplayName("A server-side disconnect is a disconnect push followed by the end of the stream")
  void serverDisconnect() {
    StreamTestClient s = httpStream(connect(relay().token("alice")));
    reply(s, 1);
    api("disconnect", new JsonObject().put("user", "alice"));
    JsonObject push = s.awaitMessage(m -> m.containsKey("push"), SHORT).getJsonObject("push");
    assertThat(push.getJsonObject("disconnect").getInteger("code")).isEqualTo(3503);
    s.awaitEnd(SHORT);
  }

  @Test
  @DisplayName("A stream the client drops ends the session: presence left, its session unknown to /emulation")
  void droppedStreamEndsTheSession() {
    String channel = chat("drop");
    StreamTestClient s = httpStream(connect(relay().token("alice")));
    JsonObject connected = reply(s, 1).getJsonObject("connect");
    emulate(connected, "{\"id\":2,\"subscribe\":{\"channel\":\"" + channel + "\"}}");
    reply(s, 2);
    JsonObject presence = new JsonObject().put("channel", channel);
    assertThat(api("presence", presence).getJsonObject("result").getJsonObject("presence").size()).isEqualTo(1);

    s.close();
    HttpTestClient.eventually(() -> api("presence", presence).getJsonObject("result").getJsonObject("presence").size(),
        n -> n == 0, SHORT);
    assertThat(emulate(connected, "{}").status()).isEqualTo(404);
    assertThat(relay().node().emulation().size()).isZero();
  }

  @Test
  @DisplayName("Pings go out on the stream; a client that sends no pong through /emulation is closed with 3012")
  void keepalive() {
    startRelay(config -> clientSection(config).put("ping_interval", "300ms").put("pong_timeout", "200ms"));
    StreamTestClient s = httpStream(connect(relay().token("alice")));
    reply(s, 1);
    s.awaitMessage(JsonObject::isEmpty, SHORT);
    JsonObject push = s.awaitMessage(m -> m.containsKey("push"), SHORT).getJsonObject("push");
    assertThat(push.getJsonObject("disconnect").getInteger("code")).isEqualTo(3012);
    s.awaitEnd(SHORT);
  }

  @Test
  @DisplayName("A stream reader that stops reading is closed as slow (3008) once its backlog passes write_queue_max_size")
  void slowReaderIsClosed() throws Exception {
    startRelay(config -> clientSection(config).put("write_queue_max_size", 65536));
    String channel = chat("slow");
    String command = connect(relay().token("slow"));
    assertStalledReaderClosedAsSlow("application/json", command.getBytes(StandardCharsets.UTF_8), channel);
  }

  private int connections() {
    return TestRelay.await(relay().node().loops().snapshots()).stream().mapToInt(h -> h.connections()).sum();
  }
}
