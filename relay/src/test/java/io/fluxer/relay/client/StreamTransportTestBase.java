package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** What the tests of the HTTP streaming transports share, whatever the encoding. */
abstract class StreamTransportTestBase extends RelayTestBase {

  /** Calls the server API as admin. */
  protected JsonObject api(String method, JsonObject params) {
    return http().send(HttpMethod.POST, "/api/" + method, HttpTestClient.apiKey(TestRelay.ADMIN_KEY), params.encode())
        .json();
  }

  /**
   * Opens an HTTP stream for user {@code slow} with {@code connectBody} as {@code contentType}, never
   * reads it, subscribes it to {@code channel} through the server API and publishes 4 KB
   * publications there until the relay gives up on it: it must be closed as a slow client once its
   * backlog passes {@code write_queue_max_size}, which the caller set small.
   */
  protected void assertStalledReaderClosedAsSlow(String contentType, byte[] connectBody, String channel)
      throws IOException {
    try (Socket socket = new Socket()) {
      socket.setReceiveBufferSize(4096);
      socket.connect(new InetSocketAddress("127.0.0.1", relay().port()));
      socket.getOutputStream().write(("POST /connection/http_stream HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Content-Type: " + contentType + "\r\nContent-Length: " + connectBody.length + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().write(connectBody);
      socket.getOutputStream().flush();
      // The session subscribes through the server API (the client itself reads nothing).
      HttpTestClient.eventually(() -> relay().sessionCount(), n -> n == 1, SHORT);
      api("subscribe", new JsonObject().put("user", "slow").put("channel", channel));
      HttpTestClient.eventually(() -> TestRelay.await(relay().node().loops().snapshots()).stream()
          .mapToInt(h -> h.subscriptions()).sum(), n -> n == 1, SHORT);
      String pad = "x".repeat(4096);
      long slow = 0;
      for (int i = 0; i < 10_000 && slow == 0; i++) {
        api("publish", new JsonObject().put("channel", channel).put("data", new JsonObject().put("n", i).put("pad", pad)));
        slow = TestRelay.await(relay().node().loops().snapshots()).stream().mapToLong(h -> h.slowDisconnects()).sum();
      }
      assertThat(slow).as("slow stream reader closed").isEqualTo(1);
      assertThat(relay().sessionCount()).isZero();
    }
  }
}
