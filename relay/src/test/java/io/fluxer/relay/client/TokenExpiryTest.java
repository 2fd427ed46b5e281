package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Connection token lifetime: a token expiring in two seconds is announced in the connect reply,
 * ends the connection with 3005 unless refreshed, and a refresh keeps the connection past the old
 * expiry. The grace period {@code client.expired_close_delay} is 0 so that the close is prompt.
 */
class TokenExpiryTest extends RelayTestBase {
  private static final Duration TTL = Duration.ofSeconds(2);

  @Test
  @DisplayName("Without a refresh, the connection is closed with 3005 once its token expires")
  void expiresWithoutRefresh() {
    startRelay(config -> clientSection(config).put("expired_close_delay", "0s"));
    WsTestClient c = open();

    JsonObject reply = c.connectWith(relay().token("alice", TTL));

    assertThat(reply.getBoolean("expires")).isTrue();
    assertThat(reply.getInteger("ttl")).isBetween(1, 2);
    WsTestClient.Close close = c.awaitClose(Duration.ofSeconds(6));
    assertThat(close.code()).isEqualTo((short) 3005);
  }

  @Test
  @DisplayName("A refresh with a fresh token before expiry keeps the connection open past the old expiry")
  void refreshKeepsConnectionOpen() {
    startRelay(config -> clientSection(config)
        .put("expired_close_delay", "0s")
        .put("ping_interval", "1s")
        .put("pong_timeout", "500ms"));
    WsTestClient c = open();
    long oldExpiryMillis = (nowSeconds() + TTL.toSeconds()) * 1000;
    JsonObject connect = c.connectWith(relay().token(new JsonObject()
        .put("sub", "alice").put("exp", oldExpiryMillis / 1000)));
    assertThat(connect.getBoolean("expires")).isTrue();

    JsonObject refreshed = c.result("refresh", new JsonObject().put("token", relay().token("alice")));

    assertThat(refreshed.getString("client")).isEqualTo(connect.getString("client"));
    assertThat(refreshed.getBoolean("expires")).isTrue();
    assertThat(refreshed.getLong("ttl")).isGreaterThan(3000L);
    // A ping that leaves the server well after the old expiry (plus a timer's slack) shows the
    // connection outlived it; the next command shows the session is still in business.
    c.awaitReceived(r -> r.message().isEmpty() && r.atMillis() > oldExpiryMillis + 500, Duration.ofSeconds(6));
    JsonObject stats = c.result("presence_stats", new JsonObject().put("channel", chat("after-refresh")));
    assertThat(stats).isNotNull();
    assertThat(c.isClosed()).isFalse();
  }

  @Test
  @DisplayName("A refresh with an expired token is answered with 109 and does not extend the connection")
  void refreshWithExpiredToken() {
    startRelay(config -> clientSection(config).put("expired_close_delay", "0s"));
    WsTestClient c = open();
    c.connectWith(relay().token("alice", TTL));
    String expired = relay().token(new JsonObject().put("sub", "alice").put("exp", nowSeconds() - 10));

    int code = c.errorCode("refresh", new JsonObject().put("token", expired));

    assertThat(code).isEqualTo(109);
    assertThat(c.awaitClose(Duration.ofSeconds(6)).code()).isEqualTo((short) 3005);
  }
}
