package io.fluxer.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.NodeScript;
import io.fluxer.relay.testing.SdkTestBase;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Runs the official {@code centrifuge} JavaScript SDK under Node against a real relay node, so
 * that what the SDK's users rely on is checked with the SDK itself, not with a hand-written
 * client: connecting with a JWT, subscribing, live publications, recovery of the publications
 * missed while disconnected, and refreshing an expired connection token.
 *
 * <p>The scenarios live in {@code src/test/js/sdk-recovery.mjs}, run by {@link NodeScript}
 * (which finds it through {@code FLUXER_TEST_NODE_DIR}, installs the SDK with {@code npm ci} when
 * missing, and fails rather than skips without Node).
 */
class SdkCompatibilityTest extends SdkTestBase {
  private static final String SCRIPT = "sdk-recovery.mjs";
  private static final Duration NODE_TIMEOUT = Duration.ofSeconds(30);

  @Test
  void sdkRecoversPublicationsMissedWhileDisconnected() throws Exception {
    JsonObject summary = runScript(Map.of(
        "FLUXER_MODE", "recovery",
        "FLUXER_TOKEN_A", relay().token("alice"),
        "FLUXER_TOKEN_B", relay().token("bob")));

    assertThat(summary.getBoolean("ok")).isTrue();
    assertThat(summary.getJsonArray("received").getList())
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(summary.getBoolean("recovered")).isTrue();
    assertThat(summary.getBoolean("wasRecovering")).isTrue();
    assertThat(summary.getInteger("deliveredInReply")).isEqualTo(5);
  }

  @Test
  void sdkRefreshesAnExpiredConnectionToken() throws Exception {
    long now = Instant.now().getEpochSecond();
    String expired = relay().token(new JsonObject().put("sub", "alice").put("exp", now - 3600));

    JsonObject summary = runScript(Map.of(
        "FLUXER_MODE", "expired",
        "FLUXER_TOKEN_A", expired,
        "FLUXER_TOKEN_FRESH", relay().token("alice")));

    assertThat(summary.getBoolean("ok")).isTrue();
    assertThat(summary.getBoolean("connected")).isTrue();
    assertThat(summary.getString("client")).isNotBlank();
    assertThat(summary.getJsonArray("errors").getList()).contains(109);
    assertThat(summary.getInteger("getTokenCalls")).isGreaterThanOrEqualTo(1);
  }

  /** Runs the script with {@code env} (plus URL and a fresh channel); returns its summary line. */
  private JsonObject runScript(Map<String, String> env) throws Exception {
    Map<String, String> all = new HashMap<>(env);
    all.put("FLUXER_WS_URL", relay().wsUrl());
    all.put("FLUXER_CHANNEL", "chat:sdk-" + UUID.randomUUID().toString().substring(0, 8));
    return NodeScript.run(SCRIPT, all, NODE_TIMEOUT).summary();
  }
}
