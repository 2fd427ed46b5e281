package io.fluxer.relay.http;

import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What the HTTP API tests add to {@link RelayTestBase}: API-key credentials of each role, bearer
 * JWTs with roles, connections with arbitrary claims and the node's stats.
 */
abstract class ApiTestBase extends RelayTestBase {
  static final Map<String, String> ADMIN = HttpTestClient.apiKey(TestRelay.ADMIN_KEY);
  static final Map<String, String> OPS = HttpTestClient.apiKey(TestRelay.OPS_KEY);
  static final Map<String, String> VIEWER = HttpTestClient.apiKey(TestRelay.VIEWER_KEY);

  /** A protocol connection that completed connect with a token of these claims. */
  protected WsTestClient connectedWith(JsonObject claims) {
    WsTestClient c = open();
    c.connectWith(relay().token(claims));
    return c;
  }

  /** Bearer credentials: an ops token for {@code user} with these roles. */
  protected Map<String, String> bearer(String user, String... roles) {
    return HttpTestClient.bearer(relay().opsToken(user, roles));
  }

  static JsonObject claims(String user, String... roles) {
    JsonObject claims = new JsonObject().put("sub", user).put("exp", Instant.now().getEpochSecond() + 3600);
    if (roles.length > 0) {
      claims.put("roles", new JsonArray(List.of((Object[]) roles)));
    }
    return claims;
  }

  /** GET /api/v1/stats as a viewer, asserting 200; the {@code node} object. */
  protected JsonObject nodeStats() {
    HttpTestClient.Response r = http().get("/api/v1/stats", VIEWER);
    if (r.status() != 200) {
      throw new AssertionError("stats failed: " + r);
    }
    return r.json().getJsonObject("node");
  }
}
