package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.HttpTestClient.Response;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonArray;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A {@code *} in an allowed origin stays inside one host label: it never crosses a dot, the scheme or the port. */
class OriginPatternTest extends RelayTestBase {

  @Test
  @DisplayName("https://app.example.* admits app.example.com, not app.example.com.evil.net")
  void starDoesNotCrossADot() {
    OriginCheck check = new OriginCheck(List.of("https://app.example.*"));
    assertThat(check.allows("https://app.example.com", null)).isTrue();
    assertThat(check.allows("https://APP.example.org", null)).isTrue();
    assertThat(check.allows("https://app.example.com.evil.net", null)).isFalse();
    assertThat(check.allows("https://app.example.com:8443", null)).isFalse();
    assertThat(check.allows("https://app.example.com/x", null)).isFalse();
    assertThat(check.allows("http://app.example.com", null)).isFalse();
  }

  @Test
  @DisplayName("https://*.example.com admits one label only; ports and schemes are compared as parts")
  void labelsSchemesPorts() {
    OriginCheck check = new OriginCheck(List.of("https://*.example.com", "http://localhost:*", "https://x*y.test"));
    assertThat(check.allows("https://a.example.com", null)).isTrue();
    assertThat(check.allows("https://a.b.example.com", null)).isFalse();
    assertThat(check.allows("https://example.com", null)).isFalse();
    assertThat(check.allows("https://evil.com#.example.com", null)).isFalse();
    assertThat(check.allows("https://a.example.com:443", null)).isFalse();
    assertThat(check.allows("http://localhost:3000", null)).isTrue();
    assertThat(check.allows("http://localhost", null)).isFalse();
    assertThat(check.allows("http://localhost.evil.net:3000", null)).isFalse();
    assertThat(check.allows("https://xay.test", null)).isTrue();
    assertThat(check.allows("https://xy.test", null)).isTrue();
    assertThat(check.allows("https://xa.y.test", null)).isFalse();
    assertThat(check.allows("https://" + "x".repeat(5000) + ".example.com", null)).isFalse();
    assertThat(check.allows(null, null)).as("not a browser").isTrue();
    assertThat(new OriginCheck(List.of("*")).allows("https://anything.example", null)).isTrue();
  }

  @Test
  @DisplayName("Many stars against a long label finish at once (no backtracking blow-up)")
  void manyStarsAreLinear() {
    OriginCheck check = new OriginCheck(List.of("https://" + "*a".repeat(30) + "b.example.com"));
    long start = System.nanoTime();
    assertThat(check.allows("https://" + "a".repeat(60) + ".example.com", null)).isFalse();
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(500);
  }

  @Test
  @DisplayName("The WebSocket refuses https://app.example.com.evil.net when https://app.example.* is allowed")
  void webSocket() {
    startRelay(config -> clientSection(config).put("allowed_origins", new JsonArray().add("https://app.example.*")));

    WsTestClient ok = track(WsTestClient.open(vertx, relay().wsUrl(), "https://app.example.com"));
    assertThat(ok.connectWith(relay().token("alice")).getString("client")).isNotBlank();
    Throwable evil = catchThrowable(() ->
        TestRelay.await(WsTestClient.connect(vertx, relay().wsUrl(), "https://app.example.com.evil.net")));
    assertThat(evil).hasRootCauseInstanceOf(UpgradeRejectedException.class);
  }

  @Test
  @DisplayName("CORS uses the same check: a preflight from app.example.com.evil.net gets no Access-Control-Allow-Origin")
  void cors() {
    startRelay(config -> config.getJsonObject("api").put("cors_allowed_origins", new JsonArray().add("https://app.example.*")));

    Response allowed = preflight("https://app.example.com");
    assertThat(allowed.headers().get("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
    Response evil = preflight("https://app.example.com.evil.net");
    assertThat(evil.headers().get("Access-Control-Allow-Origin")).isNull();
    Response evilGet = http().send(HttpMethod.GET, "/api/v1/stats",
        Map.of("Origin", "https://app.example.com.evil.net", "X-API-Key", TestRelay.VIEWER_KEY), null);
    assertThat(evilGet.headers().get("Access-Control-Allow-Origin")).isNull();
    assertThat(evilGet.status()).isEqualTo(403);
    assertThat(http().get("/api/v1/stats", HttpTestClient.apiKey(TestRelay.VIEWER_KEY)).status())
        .as("no Origin: not a browser").isEqualTo(200);
  }

  private Response preflight(String origin) {
    return http().send(HttpMethod.OPTIONS, "/api/v1/namespaces/chat", Map.of(
        "Origin", origin,
        "Access-Control-Request-Method", "PUT",
        "Access-Control-Request-Headers", "Content-Type, X-API-Key"), null);
  }
}
