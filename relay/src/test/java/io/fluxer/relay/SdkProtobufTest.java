package io.fluxer.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.NodeScript;
import io.fluxer.relay.testing.SdkTestBase;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Runs the official {@code centrifuge} SDK's Protobuf build ({@code centrifuge/build/protobuf}) under
 * Node against a real relay, next to a client of its JSON build: connect, subscribe, publish,
 * presence, history, recovery after a reconnect, a server-side disconnect, malformed Protobuf
 * closing one connection only, and refreshing an expired token. The scenarios live in
 * {@code src/test/js/sdk-protobuf.mjs}, run by {@link NodeScript}.
 */
class SdkProtobufTest extends SdkTestBase {
  private static final String SCRIPT = "sdk-protobuf.mjs";
  private static final Duration NODE_TIMEOUT = Duration.ofSeconds(40);

  @Test
  void protobufSdkNextToJsonSdk() throws Exception {
    JsonObject summary = runScript(Map.of(
        "FLUXER_MODE", "flow",
        "FLUXER_API_URL", relay().httpUrl() + "/api",
        "FLUXER_API_KEY", TestRelay.ADMIN_KEY,
        "FLUXER_TOKEN_A", relay().token("alice"),
        "FLUXER_TOKEN_B", relay().token("bob"),
        "FLUXER_TOKEN_J", relay().token("jay")));

    assertThat(summary.getBoolean("ok")).isTrue();
    assertThat(summary.getJsonObject("protocols").getMap())
        .containsEntry("A", "centrifuge-protobuf").containsEntry("B", "centrifuge-protobuf").containsEntry("J", "");
    assertThat(summary.getJsonArray("a").getList()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    assertThat(summary.getJsonArray("j").getList()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8);
    assertThat(summary.getBoolean("recovered")).isTrue();
    assertThat(summary.getBoolean("wasRecovering")).isTrue();
    assertThat(summary.getJsonArray("presenceUsers").getList()).containsExactly("alice", "jay");
    assertThat(summary.getJsonArray("history").getList()).containsExactly(1, 2, 3);
    assertThat(summary.getInteger("malformedClose")).isEqualTo(3501);
    assertThat(summary.getInteger("serverDisconnect")).isEqualTo(3503);
  }

  @Test
  void protobufSdkRefreshesAnExpiredConnectionToken() throws Exception {
    long now = Instant.now().getEpochSecond();
    JsonObject summary = runScript(Map.of(
        "FLUXER_MODE", "expired",
        "FLUXER_TOKEN_A", relay().token(new JsonObject().put("sub", "alice").put("exp", now - 3600)),
        "FLUXER_TOKEN_FRESH", relay().token("alice")));

    assertThat(summary.getBoolean("ok")).isTrue();
    assertThat(summary.getString("client")).isNotBlank();
    assertThat(summary.getJsonArray("errors").getList()).contains(109);
    assertThat(summary.getInteger("getTokenCalls")).isGreaterThanOrEqualTo(1);
  }

  /** Runs the script with {@code env} (plus URL and a fresh channel); returns its summary line. */
  private JsonObject runScript(Map<String, String> env) throws Exception {
    Map<String, String> all = new HashMap<>(env);
    all.put("FLUXER_WS_URL", relay().wsUrl());
    all.put("FLUXER_CHANNEL", "chat:sdk-pb-" + UUID.randomUUID().toString().substring(0, 8));
    return NodeScript.run(SCRIPT, all, NODE_TIMEOUT).summary();
  }
}
