package io.fluxer.relay.http;

import io.fluxer.relay.testing.HttpTestClient;
import static io.fluxer.relay.testing.HttpTestClient.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.HttpTestClient.Response;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** /health, /ready through a draining shutdown, and CORS on the HTTP APIs. */
class HealthReadyCorsTest extends ApiTestBase {

  @Test
  @DisplayName("/health and /ready answer 200 on a started node, without credentials")
  void healthAndReady() {
    Response health = http().get("/health", HttpTestClient.NONE);
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json()).isEqualTo(new JsonObject().put("status", "ok"));
    Response ready = http().get("/ready", HttpTestClient.NONE);
    assertThat(ready.status()).isEqualTo(200);
    assertThat(ready.json().getString("status")).isEqualTo("ready");
  }

  @Test
  @DisplayName("/ready answers 503 while the node drains on shutdown; stats report ready false")
  void readyTurns503WhileDraining() {
    startRelay(config -> config.getJsonObject("server").put("shutdown_drain", "2s"));
    assertThat(http().get("/ready", HttpTestClient.NONE).status()).isEqualTo(200);

    Future<Void> stopped = relay().node().stop();
    forgetRelay(); // stopped here, not by the base class
    Response draining = eventually(() -> http().get("/ready", HttpTestClient.NONE), r -> r.status() == 503, SHORT);
    assertThat(draining.json().getString("status")).isEqualTo("not ready");
    assertThat(http().get("/health", HttpTestClient.NONE).status()).isEqualTo(200);
    assertThat(nodeStats().getBoolean("ready")).isFalse();
    TestRelay.await(stopped);
  }

  @Test
  @DisplayName("A CORS preflight from an allowed origin gets Access-Control-Allow-Origin; from another origin it does not")
  void cors() {
    startRelay(config -> config.getJsonObject("api")
        .put("cors_allowed_origins", new JsonArray().add("https://app.example.com")));

    Response allowed = preflight("https://app.example.com");
    assertThat(allowed.headers().get("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
    assertThat(allowed.headers().get("Access-Control-Allow-Methods")).contains("PUT");

    Response other = preflight("https://evil.example.org");
    assertThat(other.headers().get("Access-Control-Allow-Origin")).isNull();

    Response get = http().send(HttpMethod.GET, "/api/v1/stats",
        Map.of("Origin", "https://app.example.com", "X-API-Key", TestRelay.VIEWER_KEY), null);
    assertThat(get.status()).isEqualTo(200);
    assertThat(get.headers().get("Access-Control-Allow-Origin")).isEqualTo("https://app.example.com");
  }

  private Response preflight(String origin) {
    return http().send(HttpMethod.OPTIONS, "/api/v1/namespaces/chat", Map.of(
        "Origin", origin,
        "Access-Control-Request-Method", "PUT",
        "Access-Control-Request-Headers", "Content-Type, X-API-Key"), null);
  }
}
