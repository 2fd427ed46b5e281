package io.fluxer.relay.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.HttpTestClient.Response;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /api/v1/connection-token}: an API key or ops token buys a short-lived connection token
 * that reads what the caller's role may read over the WebSocket protocol, and nothing over HTTP.
 */
class ConnectionTokenTest extends ApiTestBase {
  private static final String PATH = "/api/v1/connection-token";

  private Response post(java.util.Map<String, String> headers) {
    return http().send(HttpMethod.POST, PATH, headers, null);
  }

  /** A relay with a namespace only {@code ops} (and higher) may subscribe to. */
  private void startWithOpsNamespace() {
    startRelay(config -> config.getJsonObject("channel").getJsonArray("namespaces")
        .add(new JsonObject().put("name", "runbook").put("allow_subscribe_for_role", "ops")));
  }

  private WsTestClient withToken(String token) {
    WsTestClient c = open();
    c.connectWith(token);
    return c;
  }

  @Test
  @DisplayName("A viewer key's token subscribes to deploy:* but not to a namespace for ops; an ops key's token to both")
  void readsWhatTheRoleMayRead() {
    startWithOpsNamespace();
    Response viewer = post(VIEWER);
    assertThat(viewer.status()).as(viewer.body()).isEqualTo(200);
    assertThat(viewer.headers().get("Cache-Control")).isEqualTo("no-store");
    assertThat(viewer.json().getString("user")).isEqualTo("apikey:viewer");
    assertThat(viewer.json().getString("role")).isEqualTo("viewer");
    assertThat(viewer.json().getLong("expires_in")).isBetween(290L, 300L);

    WsTestClient v = withToken(viewer.json().getString("token"));
    assertThat(v.errorCode("subscribe", new JsonObject().put("channel", "deploy:shop"))).isZero();
    assertThat(v.errorCode("subscribe", new JsonObject().put("channel", "runbook:today"))).isEqualTo(103);

    WsTestClient o = withToken(post(OPS).json().getString("token"));
    assertThat(o.errorCode("subscribe", new JsonObject().put("channel", "deploy:shop"))).isZero();
    assertThat(o.errorCode("subscribe", new JsonObject().put("channel", "runbook:today"))).isZero();
  }

  @Test
  @DisplayName("The token is no ops credential: /api/v1 answers 401 to it, and it carries no channels and its own user")
  void notAnOpsToken() {
    String token = post(ADMIN).json().getString("token");
    assertThat(http().get("/api/v1/stats", HttpTestClient.bearer(token)).status()).isEqualTo(401);
    assertThat(post(HttpTestClient.bearer(token)).status()).as("cannot buy itself another").isEqualTo(401);
    JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]),
        StandardCharsets.UTF_8));
    assertThat(claims.getString("sub")).isEqualTo("apikey:admin");
    assertThat(claims.getJsonArray("roles")).isEqualTo(new JsonArray().add("admin"));
    assertThat(claims.containsKey("channels")).isFalse();
    assertThat(claims.containsKey("aud")).as("no token.audience configured, never the ops audience").isFalse();
  }

  @Test
  @DisplayName("An ops token's holder gets a token named ops:<user>, living no longer than the ops token")
  void withAnOpsToken() {
    Response r = post(bearer("olga", "ops"));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().getString("user")).isEqualTo("ops:olga");
    assertThat(r.json().getString("role")).isEqualTo("ops");
    assertThat(withToken(r.json().getString("token")).errorCode("subscribe",
        new JsonObject().put("channel", "deploy:shop"))).isZero();
    assertThat(post(bearer("nobody")).status()).as("an ops token without a role").isEqualTo(403);
  }

  @Test
  @DisplayName("No or bad credentials answer 401 whatever the body; a body over 1 KiB after authentication 413")
  void credentialsBeforeBody() {
    String big = "{\"x\":\"" + "a".repeat(2048) + "\"}";
    Response anonymous = http().send(HttpMethod.POST, PATH, HttpTestClient.NONE, big);
    assertThat(anonymous.status()).isEqualTo(401);
    assertThat(anonymous.body()).doesNotContain("token\"");
    assertThat(post(HttpTestClient.apiKey("wrong-key")).status()).isEqualTo(401);
    assertThat(http().send(HttpMethod.POST, PATH, VIEWER, big).status()).isEqualTo(413);
    assertThat(http().send(HttpMethod.POST, PATH, VIEWER, "{}").status()).isEqualTo(200);
  }
}
