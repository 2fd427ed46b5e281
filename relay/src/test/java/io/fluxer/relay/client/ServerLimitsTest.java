package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The {@code server} section's connection limits: timeouts, per-address connection rate, internal port. */
class ServerLimitsTest extends RelayTestBase {

  @Test
  @DisplayName("An address over server.connection_rate gets 503 on the upgrade; connected clients are unaffected")
  void connectionRate() {
    startRelay(config -> config.getJsonObject("server").put("connection_rate", 1).put("connection_burst", 3));
    WsTestClient first = connected("alice");
    connected("bob");
    connected("carol");

    Throwable refused = catchThrowable(() -> TestRelay.await(WsTestClient.connect(vertx, relay().wsUrl(), null)));

    assertThat(refused).hasRootCauseInstanceOf(UpgradeRejectedException.class);
    Throwable root = refused;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    assertThat(((UpgradeRejectedException) root).getStatus()).isEqualTo(503);
    assertThat(first.errorCode("subscribe", new JsonObject().put("channel", chat("still")))).isZero();
  }

  @Test
  @DisplayName("Behind a trusted proxy the connection rate counts each forwarded client, not the proxy")
  void connectionRateBehindATrustedProxy() {
    startRelay(config -> config.getJsonObject("server").put("connection_rate", 1).put("connection_burst", 1)
        .put("trusted_proxies", new io.vertx.core.json.JsonArray().add("127.0.0.0/8")));
    TestRelay.await(WsTestClient.connect(vertx, relay().wsUrl(), null, Map.of("X-Forwarded-For", "203.0.113.1")));
    // a second client through the same proxy: its own bucket (it shared the proxy's before)
    TestRelay.await(WsTestClient.connect(vertx, relay().wsUrl(), null, Map.of("X-Forwarded-For", "203.0.113.2")));

    Throwable refused = catchThrowable(() -> TestRelay.await(WsTestClient.connect(vertx, relay().wsUrl(), null,
        Map.of("X-Forwarded-For", "203.0.113.1"))));

    assertThat(refused).hasRootCauseInstanceOf(UpgradeRejectedException.class);
  }

  @Test
  @DisplayName("A request head that stalls half-sent is closed after server.header_timeout; whole requests and WebSockets stay")
  void halfSentRequestIsClosed() throws Exception {
    startRelay(config -> config.getJsonObject("server").put("header_timeout", "500ms"));
    WsTestClient ws = connected("alice");
    try (Socket socket = new Socket("127.0.0.1", relay().port())) {
      socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: loc".getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      long start = System.nanoTime();

      assertThat(closedWithin(socket, Duration.ofSeconds(3))).as("the stalled connection is closed").isTrue();
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }
    try (Socket socket = new Socket("127.0.0.1", relay().port())) {
      assertThat(get(socket)).startsWith("HTTP/1.1 200");
      waitPast(Duration.ofMillis(800));
      assertThat(get(socket)).as("a keep-alive connection that sent a whole request is not cut").startsWith("HTTP/1.1 200");
    }
    assertThat(ws.errorCode("subscribe", new JsonObject().put("channel", chat("open")))).isZero();
    assertThat(ws.isClosed()).isFalse();
  }

  @Test
  @DisplayName("A connection that sends nothing is closed after server.idle_timeout")
  void idleConnectionIsClosed() throws Exception {
    startRelay(config -> config.getJsonObject("server").put("header_timeout", "0s").put("idle_timeout", "500ms"));
    try (Socket socket = new Socket("127.0.0.1", relay().port())) {
      assertThat(closedWithin(socket, Duration.ofSeconds(3))).isTrue();
    }
  }

  @Test
  @DisplayName("With server.internal_port, /metrics is served there only; /health and /ready on both ports")
  void internalPort() throws IOException {
    int internal;
    try (ServerSocket s = new ServerSocket(0)) {
      internal = s.getLocalPort();
    }
    startRelay(config -> config.getJsonObject("server").put("internal_port", internal));
    try (HttpTestClient internalHttp = new HttpTestClient(vertx, "http://127.0.0.1:" + internal)) {
      assertThat(http().get("/metrics", HttpTestClient.NONE).status()).isEqualTo(404);
      assertThat(internalHttp.get("/metrics", HttpTestClient.NONE).status()).isEqualTo(200);
      assertThat(internalHttp.get("/ready", HttpTestClient.NONE).status()).isEqualTo(200);
      assertThat(http().get("/ready", HttpTestClient.NONE).status()).isEqualTo(200);
      assertThat(internalHttp.get("/api", HttpTestClient.NONE).status()).isEqualTo(404);
    }
  }

  @Test
  @DisplayName("A node whose port is taken fails to start, naming it, and leaves nothing behind: its internal port is free again")
  void portTakenLeavesNothingBehind() throws IOException {
    int internal;
    try (ServerSocket s = new ServerSocket(0)) {
      internal = s.getLocalPort();
    }
    java.util.Set<String> deployedBefore = java.util.Set.copyOf(vertx.deploymentIDs());
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
      JsonObject config = TestRelay.defaultConfig();
      config.getJsonObject("server").put("port", taken.getLocalPort()).put("internal_port", internal);
      Throwable failed = catchThrowable(() -> TestRelay.start(vertx, io.fluxer.relay.config.RelayConfig.fromJson(config)));
      assertThat(failed).as("the start fails").isNotNull();
      assertThat(failed.getMessage()).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort() + " (server.port)");
    }
    assertThat(vertx.deploymentIDs()).as("no verticle of the failed node left deployed").isEqualTo(deployedBefore);
    try (ServerSocket again = new ServerSocket(internal, 50, java.net.InetAddress.getLoopbackAddress())) {
      assertThat(again.getLocalPort()).as("the internal port is free again").isEqualTo(internal);
    }
  }

  @Test
  @DisplayName("Two nodes asking for port 0 in one Vert.x each get a port of their own, shared by their instances")
  void randomPortPerNode() {
    try (TestRelay other = TestRelay.start(vertx, config -> { });
         HttpTestClient otherHttp = new HttpTestClient(vertx, other.httpUrl())) {
      // one shared port would send each connection to either node
      assertThat(other.port()).isNotEqualTo(relay().port());
      assertThat(otherHttp.get("/api/v1/stats", HttpTestClient.apiKey(TestRelay.VIEWER_KEY)).json()
          .getJsonObject("node").getString("id")).isEqualTo(other.node().id());
      assertThat(http().get("/api/v1/stats", HttpTestClient.apiKey(TestRelay.VIEWER_KEY)).json()
          .getJsonObject("node").getString("id")).isEqualTo(relay().node().id());
    }
  }

  /** Whether the server closes the socket within {@code timeout} (reads until end of stream). */
  private static boolean closedWithin(Socket socket, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    InputStream in = socket.getInputStream();
    byte[] buf = new byte[1024];
    while (System.nanoTime() < deadline) {
      socket.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
      try {
        if (in.read(buf) < 0) {
          return true;
        }
      } catch (SocketTimeoutException e) {
        return false;
      } catch (IOException e) {
        return true; // reset by the server
      }
    }
    return false;
  }

  /** Sends {@code GET /health} on a kept-alive socket and returns the response head and body. */
  private static String get(Socket socket) throws IOException {
    OutputStream out = socket.getOutputStream();
    out.write("GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
    socket.setSoTimeout(5000);
    InputStream in = socket.getInputStream();
    StringBuilder response = new StringBuilder();
    byte[] buf = new byte[4096];
    while (!response.toString().contains("\"ok\"")) {
      int n = in.read(buf);
      if (n < 0) {
        break;
      }
      response.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
    }
    return response.toString();
  }

  /** Lets {@code d} pass: the case where nothing must happen. */
  private static void waitPast(Duration d) throws InterruptedException {
    Thread.sleep(d.toMillis());
  }
}
