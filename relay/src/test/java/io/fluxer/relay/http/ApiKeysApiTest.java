package io.fluxer.relay.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.HttpTestClient.Response;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** /api/v1/keys on a node without PostgreSQL: API keys created and revoked at run time, in memory. */
class ApiKeysApiTest extends ApiTestBase {
  private Response create(Map<String, String> creds, String body) {
    return http().send(HttpMethod.POST, "/api/v1/keys", creds, body);
  }

  private List<String> names() {
    JsonArray keys = http().get("/api/v1/keys", ADMIN).json().getJsonArray("keys");
    return keys.stream().map(k -> ((JsonObject) k).getString("name")).toList();
  }

  @Test
  @DisplayName("An admin creates a key, sees it once, it works with its role at once, and stops working when revoked")
  void createUseRevoke() {
    Response created = create(ADMIN, "{\"name\":\"ci-deployer\",\"role\":\"ops\"}");
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    JsonObject body = created.json();
    String key = body.getString("key");
    assertThat(key).startsWith("fxk_").hasSizeGreaterThan(40);
    assertThat(body.getString("role")).isEqualTo("ops");
    assertThat(body.getString("created_by")).isEqualTo("admin");
    assertThat(body.getString("source")).isEqualTo("managed");

    Map<String, String> asKey = HttpTestClient.apiKey(key);
    assertThat(http().get("/api/v1/stats", asKey).status()).isEqualTo(200);
    assertThat(http().put("/api/v1/namespaces/news", asKey, "{}").status()).as("ops is not admin").isEqualTo(403);

    JsonArray listed = http().get("/api/v1/keys", ADMIN).json().getJsonArray("keys");
    assertThat(listed.encode()).as("never the key or its hash").doesNotContain(key).doesNotContain("sha256");
    assertThat(names()).contains("admin", "ops", "viewer", "ci-deployer");

    assertThat(http().delete("/api/v1/keys/ci-deployer", ADMIN).status()).isEqualTo(204);
    assertThat(http().get("/api/v1/stats", asKey).status()).isEqualTo(401);
    assertThat(names()).doesNotContain("ci-deployer");
    assertThat(http().delete("/api/v1/keys/ci-deployer", ADMIN).status()).isEqualTo(404);
  }

  @Test
  @DisplayName("Only admins: 401 without credentials, 403 for ops and viewer, and nothing is created")
  void adminsOnly() {
    assertThat(http().get("/api/v1/keys", HttpTestClient.NONE).status()).isEqualTo(401);
    assertThat(http().get("/api/v1/keys", OPS).status()).isEqualTo(403);
    assertThat(create(OPS, "{\"name\":\"x\",\"role\":\"admin\"}").status()).isEqualTo(403);
    assertThat(create(bearer("vera", "viewer"), "{\"name\":\"x\",\"role\":\"admin\"}").status()).isEqualTo(403);
    assertThat(http().delete("/api/v1/keys/admin", VIEWER).status()).isEqualTo(403);
    assertThat(names()).doesNotContain("x");
    assertThat(create(bearer("ada", "admin"), "{\"name\":\"by-jwt\",\"role\":\"viewer\"}").json()
        .getString("created_by")).isEqualTo("ada");
  }

  @Test
  @DisplayName("Bad names, roles or bodies are 400, a taken name 409, a configured key cannot be revoked (409)")
  void badInput() {
    for (String body : List.of("", "[]", "{not json", "{\"role\":\"ops\"}", "{\"name\":\"a b\",\"role\":\"ops\"}",
        "{\"name\":\"" + "x".repeat(65) + "\",\"role\":\"ops\"}", "{\"name\":\"ok\",\"role\":\"root\"}",
        "{\"name\":\"ok\"}", "{\"name\":7,\"role\":\"ops\"}")) {
      assertThat(create(ADMIN, body).status()).as(body).isEqualTo(400);
    }
    assertThat(create(ADMIN, "{\"name\":\"ops\",\"role\":\"ops\"}").status()).as("configured name").isEqualTo(409);
    assertThat(create(ADMIN, "{\"name\":\"dup\",\"role\":\"ops\"}").status()).isEqualTo(201);
    assertThat(create(ADMIN, "{\"name\":\"dup\",\"role\":\"admin\"}").status()).isEqualTo(409);
    Response configured = http().delete("/api/v1/keys/viewer", ADMIN);
    assertThat(configured.status()).isEqualTo(409);
    assertThat(configured.errorMessage()).contains("api.keys");
    assertThat(http().get("/api/v1/stats", VIEWER).status()).as("still works").isEqualTo(200);
    assertThat(names()).containsOnlyOnce("dup").doesNotContain("ok");
  }
}
