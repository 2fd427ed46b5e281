package io.fluxer.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.NodeScript;
import io.fluxer.relay.testing.SdkTestBase;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The official {@code centrifuge} SDK (npm, its JSON build and its Protobuf build
 * {@code centrifuge/build/protobuf}) over every transport it offers that the relay serves in that
 * encoding, with {@code transports} forcing one, under Node and in Chromium: JSON over WebSocket,
 * SSE and HTTP streaming, Protobuf over WebSocket and HTTP streaming (SSE is JSON only). Each cell
 * connects, subscribes, publishes, reads presence and history, recovers missed publications after a
 * reconnect ({@code recovered: true}), is disconnected by the server API (3503), and refreshes an
 * expired token (error 109, then {@code getToken}): {@code src/test/js/sdk-matrix.mjs} running
 * {@code sdk-scenario.mjs}. One relay serves the whole matrix; each cell has its own channel and users.
 */
class SdkMatrixTest extends SdkTestBase {
  private static final Duration NODE_TIMEOUT = Duration.ofSeconds(60);

  @ParameterizedTest(name = "{0} over {1}, {2}")
  @CsvSource({
      "json, websocket, node",
      "json, websocket, chromium",
      "json, sse, node",
      "json, sse, chromium",
      "json, http_stream, node",
      "json, http_stream, chromium",
      "protobuf, websocket, node",
      "protobuf, websocket, chromium",
      "protobuf, http_stream, node",
      "protobuf, http_stream, chromium",
  })
  @DisplayName("The SDK's whole scenario in one cell of encoding × transport × runtime")
  void cell(String encoding, String transport, String runtime) throws Exception {
    JsonObject summary = run(encoding, transport, runtime);
    assertThat(summary.getBoolean("ok")).isTrue();
    assertThat(summary.getString("transport")).isEqualTo(transport);
    assertThat(summary.getString("encoding")).isEqualTo(encoding);
    assertThat(summary.getString("runtime")).isEqualTo(runtime);
    assertThat(summary.getJsonArray("received").getList()).containsExactly(1, 2, 3, 4, 5, 6);
    assertThat(summary.getBoolean("recovered")).isTrue();
    assertThat(summary.getBoolean("presence")).isTrue();
    assertThat(summary.getInteger("history")).isEqualTo(3);
    assertThat(summary.getInteger("disconnectCode")).isEqualTo(3503);
    assertThat(summary.getInteger("getTokenCalls")).isGreaterThanOrEqualTo(1);
  }

  @Test
  @DisplayName("README's plain EventSource on uni_sse, in Chromium")
  void uniSseEventSourceInChromium() throws Exception {
    String channel = unique("chat:sdk-uni");
    JsonObject summary = NodeScript.run("sdk-matrix.mjs", Map.of(
        "FLUXER_HTTP_URL", relay().httpUrl(),
        "FLUXER_TRANSPORT", "uni_sse",
        "FLUXER_RUNTIME", "chromium",
        "FLUXER_TOKEN_A", "unused",
        "FLUXER_TOKEN_B", "unused",
        "FLUXER_CHANNEL", channel,
        "FLUXER_TOKEN_CHANNELS", relay().token(new JsonObject().put("sub", unique("dave"))
            .put("exp", Instant.now().getEpochSecond() + 3600).put("channels", new JsonArray().add(channel))),
        "FLUXER_API_KEY", TestRelay.ADMIN_KEY), NODE_TIMEOUT).summary();
    assertThat(summary.getBoolean("ok")).isTrue();
    assertThat(summary.getJsonArray("subs").getList()).containsExactly(channel);
    assertThat(summary.getString("channel")).isEqualTo(channel);
    assertThat(summary.getJsonObject("data").getString("text")).isEqualTo("hello");
  }

  private JsonObject run(String encoding, String transport, String runtime) throws Exception {
    long now = Instant.now().getEpochSecond();
    String alice = unique("alice");
    String carol = unique("carol");
    return NodeScript.run("sdk-matrix.mjs", Map.ofEntries(
        Map.entry("FLUXER_HTTP_URL", relay().httpUrl()),
        Map.entry("FLUXER_ENCODING", encoding),
        Map.entry("FLUXER_TRANSPORT", transport),
        Map.entry("FLUXER_RUNTIME", runtime),
        Map.entry("FLUXER_USER_A", alice),
        Map.entry("FLUXER_TOKEN_A", relay().token(alice)),
        Map.entry("FLUXER_TOKEN_B", relay().token(unique("bob"))),
        Map.entry("FLUXER_TOKEN_EXPIRED", relay().token(new JsonObject().put("sub", carol).put("exp", now - 3600))),
        Map.entry("FLUXER_TOKEN_FRESH", relay().token(carol)),
        Map.entry("FLUXER_CHANNEL", unique("chat:sdk")),
        Map.entry("FLUXER_API_KEY", TestRelay.ADMIN_KEY)), NODE_TIMEOUT).summary();
  }
}
