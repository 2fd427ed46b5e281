package io.fluxer.relay.http;

import io.fluxer.relay.testing.HttpTestClient;
import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.HttpTestClient.Response;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Who may call what under /api/v1: viewer reads, admin changes; 401 without credentials, 403 without the role. */
class OpsApiAuthTest extends ApiTestBase {
  private static final List<String> READS = List.of("/api/v1/stats", "/api/v1/nodes", "/api/v1/channels",
      "/api/v1/channels/chat%3Aroom", "/api/v1/namespaces", "/api/v1/namespaces/chat");

  @Test
  @DisplayName("Every read answers 401 with a JSON error without credentials or with a wrong key")
  void readsNeedCredentials() {
    for (String path : READS) {
      Response none = http().get(path, HttpTestClient.NONE);
      assertThat(none.status()).as(path).isEqualTo(401);
      assertThat(none.headers().get("Content-Type")).as(path).isEqualTo("application/json");
      assertThat(none.json().getJsonObject("error").getInteger("code")).as(path).isEqualTo(401);
      assertThat(http().get(path, HttpTestClient.apiKey("not-a-key-0123456789")).status()).as(path).isEqualTo(401);
      assertThat(http().get(path, HttpTestClient.bearer("not.a.jwt")).status()).as(path).isEqualTo(401);
    }
  }

  @Test
  @DisplayName("Every read is open to viewer, ops and admin keys and to a JWT with role viewer")
  void readsForViewers() {
    for (String path : READS) {
      for (Map<String, String> creds : List.of(VIEWER, OPS, ADMIN, bearer("vera", "viewer"))) {
        Response r = http().get(path, creds);
        assertThat(r.status()).as("%s with %s: %s", path, creds.keySet(), r).isEqualTo(200);
        assertThat(r.headers().get("Content-Type")).isEqualTo("application/json");
      }
    }
  }

  @Test
  @DisplayName("A JWT without a role (or with an unknown one) is 403 on reads")
  void jwtWithoutRoleIsForbidden() {
    for (String path : READS) {
      Response r = http().get(path, bearer("nobody"));
      assertThat(r.status()).as(path).isEqualTo(403);
      assertThat(r.json().getJsonObject("error").getInteger("code")).isEqualTo(403);
      assertThat(http().get(path, bearer("nobody", "editor")).status()).as(path).isEqualTo(403);
    }
  }

  @Test
  @DisplayName("PUT a namespace: 401 without credentials, 403 for viewer and ops, ok for admin key and admin JWT")
  void putNeedsAdmin() {
    String body = "{\"allow_subscribe_for_client\":true}";
    assertThat(http().put("/api/v1/namespaces/news", HttpTestClient.NONE, body).status()).isEqualTo(401);
    assertThat(http().put("/api/v1/namespaces/news", VIEWER, body).status()).isEqualTo(403);
    assertThat(http().put("/api/v1/namespaces/news", OPS, body).status()).isEqualTo(403);
    assertThat(http().put("/api/v1/namespaces/news", bearer("olga", "ops"), body).status()).isEqualTo(403);
    assertThat(http().get("/api/v1/namespaces/news", VIEWER).status()).as("nothing changed").isEqualTo(404);

    assertThat(http().put("/api/v1/namespaces/news", ADMIN, body).status()).isEqualTo(201);
    assertThat(http().put("/api/v1/namespaces/news", bearer("ada", "admin"), body).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("DELETE a namespace: 401 without credentials, 403 for viewer and ops, 204 for admin")
  void deleteNeedsAdmin() {
    assertThat(http().delete("/api/v1/namespaces/chat", HttpTestClient.NONE).status()).isEqualTo(401);
    assertThat(http().delete("/api/v1/namespaces/chat", VIEWER).status()).isEqualTo(403);
    assertThat(http().delete("/api/v1/namespaces/chat", OPS).status()).isEqualTo(403);
    assertThat(http().get("/api/v1/namespaces/chat", VIEWER).status()).isEqualTo(200);

    assertThat(http().delete("/api/v1/namespaces/chat", bearer("ada", "admin")).status()).isEqualTo(204);
    assertThat(http().get("/api/v1/namespaces/chat", VIEWER).status()).isEqualTo(404);
  }

  @Test
  @DisplayName("An unknown path under /api/v1 is a JSON 404")
  void unknownPath() {
    for (String path : List.of("/api/v1/nothing", "/api/v1/", "/api/v1/stats/more")) {
      Response r = http().get(path, VIEWER);
      assertThat(r.status()).as(path).isEqualTo(404);
      assertThat(r.json().getJsonObject("error").getInteger("code")).isEqualTo(404);
      assertThat(r.errorMessage()).contains(path);
    }
  }
}
