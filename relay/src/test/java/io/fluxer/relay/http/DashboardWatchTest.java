package io.fluxer.relay.http;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.HttpTestClient.Response;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's live view of a channel: an ops or admin dashboard session may subscribe to any
 * channel over the protocol, even one its namespace closes to clients; client tokens may not,
 * whatever roles they claim, and neither may a viewer's session.
 */
class DashboardWatchTest extends ApiTestBase {
  private static final String PASSWORD = "watch-all-the-channels";
  private static final String HASH = BCrypt.withDefaults().hashToString(4, PASSWORD.toCharArray());
  private static final int PERMISSION_DENIED = 103;

  private String channel;

  @BeforeEach
  void start() {
    startRelay(config -> config.put("dashboard", new JsonObject().put("admin_user", "root")
        .put("admin_password_hash", HASH)));
    // a namespace closed to clients: subscribing needs a subscription token
    assertThat(http().put("/api/v1/namespaces/vault", ADMIN, "{}").status()).isEqualTo(201);
    channel = "vault:" + unique("secrets");
  }

  private String session(JsonObject body) {
    Response r = http().send(HttpMethod.POST, "/dashboard/api/login", Map.of("Content-Type", "application/json"),
        body.encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.json().getString("token");
  }

  private WsTestClient connectedAs(String token) {
    WsTestClient ws = open();
    ws.connectWith(token);
    return ws;
  }

  private int subscribeError(WsTestClient ws) {
    return ws.errorCode("subscribe", new JsonObject().put("channel", channel));
  }

  @Test
  @DisplayName("An admin's and an ops user's dashboard sessions subscribe to a closed channel and get its publications")
  void opsSessionsWatchAnyChannel() {
    WsTestClient admin = connectedAs(session(new JsonObject().put("user", "root").put("password", PASSWORD)));
    WsTestClient ops = connectedAs(session(new JsonObject().put("token", relay().opsToken("olga", "ops"))));
    admin.subscribe(channel);
    ops.subscribe(channel);

    Response published = http().send(HttpMethod.POST, "/api/publish", OPS,
        new JsonObject().put("channel", channel).put("data", new JsonObject().put("n", 1)).encode());
    assertThat(published.json().containsKey("result")).as(published.toString()).isTrue();
    assertThat(admin.awaitPublications(channel, 1, SHORT).get(0).getJsonObject("data").getInteger("n")).isEqualTo(1);
    assertThat(ops.awaitPublications(channel, 1, SHORT)).hasSize(1);
  }

  @Test
  @DisplayName("Client tokens claiming admin, connection tokens bought with an API key and viewer sessions get 103")
  void othersMayNot() {
    WsTestClient client = connectedWith(claims("mallory", "admin"));
    assertThat(subscribeError(client)).as("a client token claiming the admin role").isEqualTo(PERMISSION_DENIED);

    Response bought = http().send(HttpMethod.POST, "/api/v1/connection-token", ADMIN, "");
    assertThat(bought.status()).as(bought.toString()).isEqualTo(200);
    assertThat(subscribeError(connectedAs(bought.json().getString("token"))))
        .as("a connection token from /api/v1/connection-token").isEqualTo(PERMISSION_DENIED);

    String viewer = session(new JsonObject().put("token", relay().opsToken("vic", "viewer")));
    assertThat(subscribeError(connectedAs(viewer))).as("a viewer's dashboard session").isEqualTo(PERMISSION_DENIED);
    assertThat(http().get("/api/v1/stats", HttpTestClient.bearer(viewer)).status())
        .as("the viewer session itself works").isEqualTo(200);
  }
}
