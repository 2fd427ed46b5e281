package io.fluxer.relay.store;

import static io.fluxer.relay.testing.HttpTestClient.eventually;
import static io.fluxer.relay.testing.TestRelay.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.PgTestServer;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * API keys created at run time on nodes whose store is PostgreSQL (a fresh database per test): a key
 * made on one node works on another within a second, a revoked one stops, only its hash is stored,
 * and a node started later (or restarted) has the keys.
 */
class PgApiKeysNodeTest extends RelayTestBase {
  private static final Map<String, String> ADMIN = HttpTestClient.apiKey(TestRelay.ADMIN_KEY);
  private static final Duration ONE_SECOND = Duration.ofSeconds(1);

  private String url;
  private TestRelay b;
  private HttpTestClient httpB;

  @BeforeEach
  void freshDatabase() {
    url = PgTestServer.freshDatabase(vertx);
  }

  @AfterEach
  void stop() {
    if (httpB != null) {
      httpB.close();
    }
    if (b != null) {
      b.close();
    }
    PgTestServer.dropDatabase(vertx, url);
  }

  private Consumer<JsonObject> withPostgres() {
    return config -> config.put("postgres", new JsonObject().put("url", url).put("reload_interval", "0"));
  }

  private void startB() {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    b = TestRelay.start(vertx, withPostgres().andThen(config -> config.getJsonObject("server").put("port", port)));
    httpB = new HttpTestClient(vertx, b.httpUrl());
  }

  @Test
  @DisplayName("A key created on node A works on node B within 1 s; revoked on B, it stops on A within 1 s")
  void keysReachEveryNode() {
    startRelay(withPostgres());
    startB();
    String key = http().send(HttpMethod.POST, "/api/v1/keys", ADMIN, "{\"name\":\"ci\",\"role\":\"viewer\"}")
        .json().getString("key");
    Map<String, String> asKey = HttpTestClient.apiKey(key);
    eventually(() -> httpB.get("/api/v1/stats", asKey).status(), s -> s == 200, ONE_SECOND);

    Pool db = PgTestServer.pool(vertx, url);
    try {
      Row row = await(db.query("SELECT sha256, role, created_by FROM api_keys").execute()).iterator().next();
      assertThat(row.getString(0)).hasSize(64).isNotEqualTo(key);
      assertThat(row.getString(1)).isEqualTo("viewer");
      assertThat(row.getString(2)).isEqualTo("admin");
    } finally {
      await(db.close());
    }

    assertThat(httpB.delete("/api/v1/keys/ci", ADMIN).status()).isEqualTo(204);
    eventually(() -> http().get("/api/v1/stats", asKey).status(), s -> s == 401, ONE_SECOND);
    assertThat(http().send(HttpMethod.POST, "/api/v1/keys", ADMIN, "{\"name\":\"ci\",\"role\":\"ops\"}").status())
        .as("the name is free again").isEqualTo(201);
  }

  @Test
  @DisplayName("A node started later has the keys created before it; the same name on two nodes is created once")
  void laterNodesLoadTheKeys() {
    startRelay(withPostgres());
    String key = http().send(HttpMethod.POST, "/api/v1/keys", ADMIN, "{\"name\":\"early\",\"role\":\"ops\"}")
        .json().getString("key");
    startB();
    assertThat(httpB.get("/api/v1/stats", HttpTestClient.apiKey(key)).status()).isEqualTo(200);
    assertThat(httpB.send(HttpMethod.POST, "/api/v1/keys", ADMIN, "{\"name\":\"early\",\"role\":\"admin\"}").status())
        .isEqualTo(409);
  }
}
