package io.fluxer.relay.http;

import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Shared plumbing of the HTTP API tests: a fresh {@link Vertx} per test, a real relay started on
 * demand, an {@link HttpTestClient} on it, protocol clients closed after the test, credentials.
 */
@ExtendWith(VertxExtension.class)
abstract class ApiTestBase {
  static final Duration DEADLINE = Duration.ofSeconds(5);
  static final Map<String, String> ADMIN = HttpTestClient.apiKey(TestRelay.ADMIN_KEY);
  static final Map<String, String> OPS = HttpTestClient.apiKey(TestRelay.OPS_KEY);
  static final Map<String, String> VIEWER = HttpTestClient.apiKey(TestRelay.VIEWER_KEY);

  protected Vertx vertx;
  private TestRelay relay;
  private HttpTestClient http;
  private final List<WsTestClient> clients = new ArrayList<>();

  @BeforeEach
  void keepVertx(Vertx vertx) {
    this.vertx = vertx;
  }

  @AfterEach
  void closeAll() {
    clients.forEach(WsTestClient::close);
    clients.clear();
    if (http != null) {
      http.close();
      http = null;
    }
    if (relay != null) {
      relay.close();
      relay = null;
    }
  }

  protected TestRelay startRelay(Consumer<JsonObject> customize) {
    if (relay != null) {
      throw new IllegalStateException("relay already started");
    }
    relay = TestRelay.start(vertx, customize);
    return relay;
  }

  protected TestRelay relay() {
    return relay != null ? relay : startRelay(config -> { });
  }

  /** Forgets the relay without stopping it (a test stopped it itself). */
  protected void forgetRelay() {
    relay = null;
  }

  protected HttpTestClient http() {
    if (http == null) {
      http = new HttpTestClient(vertx, relay().httpUrl());
    }
    return http;
  }

  /** A protocol connection that completed connect as {@code user}. */
  protected WsTestClient connected(String user) {
    WsTestClient c = WsTestClient.open(vertx, relay().wsUrl());
    clients.add(c);
    c.connectWith(relay().token(user));
    return c;
  }

  /** A protocol connection that completed connect with a token of these claims. */
  protected WsTestClient connectedWith(JsonObject claims) {
    WsTestClient c = WsTestClient.open(vertx, relay().wsUrl());
    clients.add(c);
    c.connectWith(relay().token(claims));
    return c;
  }

  /** Bearer credentials: a connection JWT for {@code user} with these roles. */
  protected Map<String, String> bearer(String user, String... roles) {
    return HttpTestClient.bearer(relay().token(claims(user, roles)));
  }

  static JsonObject claims(String user, String... roles) {
    JsonObject claims = new JsonObject().put("sub", user).put("exp", Instant.now().getEpochSecond() + 3600);
    if (roles.length > 0) {
      claims.put("roles", new JsonArray(List.of((Object[]) roles)));
    }
    return claims;
  }

  protected static String unique(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** GET /api/v1/stats as a viewer, asserting 200; the {@code node} object. */
  protected JsonObject nodeStats() {
    HttpTestClient.Response r = http().get("/api/v1/stats", VIEWER);
    if (r.status() != 200) {
      throw new AssertionError("stats failed: " + r);
    }
    return r.json().getJsonObject("node");
  }

  protected static void addNamespace(JsonObject config, JsonObject namespace) {
    config.getJsonObject("channel").getJsonArray("namespaces").add(namespace);
  }
}
