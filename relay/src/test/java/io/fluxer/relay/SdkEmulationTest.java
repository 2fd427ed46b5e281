package io.fluxer.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.NodeScript;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The official {@code centrifuge} SDK over the emulated HTTP transports, with {@code transports}
 * forcing one: {@code http_stream} under Node, {@code sse} in Chromium (the browser's own
 * {@code EventSource} and {@code fetch}). Connect, subscribe, publish, presence, history, recovery
 * after a reconnect, a server-side disconnect and a refreshed token, all through {@code /emulation}
 * ({@code src/test/js/sdk-emulation.mjs}).
 */
class SdkEmulationTest {
  private static final Duration NODE_TIMEOUT = Duration.ofSeconds(60);

  private final String channel = "chat:sdk-" + UUID.randomUUID().toString().substring(0, 8);
  private Vertx vertx;
  private TestRelay relay;

  @BeforeEach
  void startRelay() {
    vertx = Vertx.vertx();
    relay = TestRelay.start(vertx, config -> { });
  }

  @AfterEach
  void stopRelay() {
    try {
      if (relay != null) {
        relay.close();
      }
    } finally {
      TestRelay.await(vertx.close());
    }
  }

  @Test
  @DisplayName("The SDK under Node over http_stream")
  void httpStreamUnderNode() throws Exception {
    check(run("http_stream"), "http_stream");
  }

  @Test
  @DisplayName("The SDK in Chromium over sse")
  void sseInChromium() throws Exception {
    check(run("sse"), "sse");
  }

  @Test
  @DisplayName("README's plain EventSource on uni_sse, in Chromium")
  void uniSseEventSourceInChromium() throws Exception {
    JsonObject summary = run("uni_sse");
    assertThat(summary.getBoolean("ok")).isTrue();
    assertThat(summary.getJsonArray("subs").getList()).containsExactly(channel);
    assertThat(summary.getString("channel")).isEqualTo(channel);
    assertThat(summary.getJsonObject("data").getString("text")).isEqualTo("hello");
  }

  private static void check(JsonObject summary, String transport) {
    assertThat(summary.getBoolean("ok")).isTrue();
    assertThat(summary.getString("transport")).isEqualTo(transport);
    assertThat(summary.getJsonArray("received").getList()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(summary.getBoolean("recovered")).isTrue();
    assertThat(summary.getBoolean("presence")).isTrue();
    assertThat(summary.getInteger("history")).isEqualTo(3);
    assertThat(summary.getInteger("disconnectCode")).isEqualTo(3503);
    assertThat(summary.getInteger("getTokenCalls")).isGreaterThanOrEqualTo(1);
  }

  private JsonObject run(String transport) throws Exception {
    long now = Instant.now().getEpochSecond();
    return NodeScript.run("sdk-emulation.mjs", Map.of(
        "FLUXER_HTTP_URL", relay.httpUrl(),
        "FLUXER_TRANSPORT", transport,
        "FLUXER_TOKEN_A", relay.token("alice"),
        "FLUXER_TOKEN_B", relay.token("bob"),
        "FLUXER_TOKEN_EXPIRED", relay.token(new JsonObject().put("sub", "carol").put("exp", now - 3600)),
        "FLUXER_TOKEN_FRESH", relay.token("carol"),
        "FLUXER_CHANNEL", channel,
        "FLUXER_TOKEN_CHANNELS", relay.token(new JsonObject().put("sub", "dave").put("exp", now + 3600)
            .put("channels", new JsonArray().add(channel))),
        "FLUXER_API_KEY", TestRelay.ADMIN_KEY), NODE_TIMEOUT).summary();
  }
}
