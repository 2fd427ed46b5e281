package io.fluxer.relay.store;

import io.fluxer.relay.testing.PgTestServer;
import static io.fluxer.relay.testing.HttpTestClient.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.HttpTestClient.Response;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL going away under a running node: namespace changes answer 503 and change nothing, reads
 * keep serving the node's copy, and writes work again once PostgreSQL is back. Runs against a private
 * PostgreSQL that the test stops and starts, never the shared one.
 */
class PgOutageTest extends RelayTestBase {
  private static final Map<String, String> ADMIN = HttpTestClient.apiKey(TestRelay.ADMIN_KEY);
  private static final Map<String, String> VIEWER = HttpTestClient.apiKey(TestRelay.VIEWER_KEY);

  private static PgTestServer server;

  @BeforeAll
  static void startServer() {
    server = PgTestServer.start();
  }

  @AfterAll
  static void stopServer() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  @DisplayName("While PostgreSQL is down, PUT and DELETE answer 503 and change nothing; once it is back they work")
  void downThenBack() {
    startRelay(config -> config.put("postgres", new JsonObject().put("url", server.url()).put("reload_interval", "0")));
    assertThat(http().put("/api/v1/namespaces/news", ADMIN, "{\"presence\":true}").status()).isEqualTo(201);
    JsonObject newsBefore = http().get("/api/v1/namespaces/news", VIEWER).json();

    server.stop();

    Response create = http().put("/api/v1/namespaces/fresh", ADMIN, "{\"allow_subscribe_for_client\":true}");
    assertThat(create.status()).as("%s", create).isEqualTo(503);
    assertThat(create.json().getJsonObject("error").getInteger("code")).isEqualTo(503);
    assertThat(create.errorMessage()).contains("PostgreSQL").contains("nothing was changed")
        .as("the driver's text (addresses, ports) stays in the log").doesNotContain("127.0.0.1")
        .doesNotContain("failed:");
    assertThat(http().get("/api/v1/namespaces/fresh", VIEWER).status()).isEqualTo(404);

    assertThat(http().put("/api/v1/namespaces/news", ADMIN, "{}").status()).isEqualTo(503);
    assertThat(http().get("/api/v1/namespaces/news", VIEWER).json()).isEqualTo(newsBefore);

    assertThat(http().delete("/api/v1/namespaces/news", ADMIN).status()).isEqualTo(503);
    assertThat(http().get("/api/v1/namespaces/news", VIEWER).json()).isEqualTo(newsBefore);

    assertThat(http().put("/api/v1/namespaces/news", ADMIN, "{\"bogus\":1}").status())
        .as("a bad body is still 400: validation comes first").isEqualTo(400);

    server.startAgain();

    eventually(() -> http().put("/api/v1/namespaces/fresh", ADMIN, "{\"allow_subscribe_for_client\":true}").status(),
        status -> status == 201, SHORT);
    assertThat(http().delete("/api/v1/namespaces/news", ADMIN).status()).isEqualTo(204);
    assertThat(http().get("/api/v1/namespaces/news", VIEWER).status()).isEqualTo(404);
  }
}
