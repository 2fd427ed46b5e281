package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonArray;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The WebSocket handshake checks the browser's {@code Origin} against {@code client.allowed_origins}. */
class OriginTest extends RelayTestBase {

  @BeforeEach
  void startNode() {
    startRelay(config -> clientSection(config).put("allowed_origins", new JsonArray().add("https://app.example.com")));
  }

  @Test
  @DisplayName("An allowed Origin upgrades and can connect")
  void allowedOrigin() {
    WsTestClient c = open("https://app.example.com");

    assertThat(c.connectWith(relay().token("alice")).getString("client")).isNotBlank();
  }

  @Test
  @DisplayName("Another Origin is refused with HTTP 403 before the upgrade")
  void foreignOriginRefused() {
    Throwable failure = catchThrowable(() ->
        TestRelay.await(WsTestClient.connect(vertx, relay().wsUrl(), "https://evil.example.com")));

    assertThat(failure).hasRootCauseInstanceOf(UpgradeRejectedException.class);
    UpgradeRejectedException rejected = (UpgradeRejectedException) rootCause(failure);
    assertThat(rejected.getStatus()).isEqualTo(403);
  }

  @Test
  @DisplayName("A page of the relay itself (Origin host:port = Host, the dashboard) upgrades without being listed")
  void sameOrigin() {
    String self = "http://127.0.0.1:" + relay().port();
    WsTestClient c = open(self);

    assertThat(c.connectWith(relay().token("alice")).getString("client")).isNotBlank();
    Throwable otherPort = catchThrowable(() ->
        TestRelay.await(WsTestClient.connect(vertx, relay().wsUrl(), "http://127.0.0.1:1")));
    assertThat(otherPort).hasRootCauseInstanceOf(UpgradeRejectedException.class);
  }

  @Test
  @DisplayName("A request without Origin (not a browser) upgrades")
  void noOrigin() {
    WsTestClient c = open();

    assertThat(c.connectWith(relay().token("alice")).getString("client")).isNotBlank();
  }

  private static Throwable rootCause(Throwable t) {
    Throwable cause = t;
    while (cause.getCause() != null && cause.getCause() != cause) {
      cause = cause.getCause();
    }
    return cause;
  }
}
