package io.fluxer.control.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxer.control.docker.RegistryAuth;
import io.fluxer.control.store.ControlStore;
import io.fluxer.control.store.EnvCipher;
import io.fluxer.relay.testing.HttpTestClient.Response;
import io.fluxer.relay.testing.LogCapture;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * {@code /api/v1/registries} end to end: HTTP through the relay's gateway (API keys and roles), over
 * the event bus to {@link RegistryOps}, into a real PostgreSQL. The password goes in once and never
 * comes out: not in an answer, an error, an audit row, a log line or the table in clear.
 */
class RegistryApiTest extends ControlApiTestBase {
  private static final String PASSWORD = "s3cret-Registry-Pa55word";


  @Override
  ControlApi register(ControlStore store) {
    return new RegistryOps(store).registerOn(new ControlApi(store));
  }


  private static String credentials(String username, String password) {
    return new JsonObject().put("username", username).put("password", password).encode();
  }

  @Test
  void adminStoresReplacesAndRemovesCredentialsAndNoAnswerShowsThePassword() {
    try (LogCapture logs = new LogCapture()) {
      Response created = http.put("/api/v1/registries/Registry.Example.com:5000", ADMIN, credentials("ci", PASSWORD));
      assertThat(created.status()).as("%s", created).isEqualTo(201);
      assertThat(created.json()).isEqualTo(new JsonObject().put("host", "registry.example.com:5000")
          .put("username", "ci").put("created", true));

      Response replaced = http.put("/api/v1/registries/registry.example.com:5000", ADMIN,
          credentials("deploy", PASSWORD + "-2"));
      assertThat(replaced.status()).as("%s", replaced).isEqualTo(200);
      assertThat(replaced.json().getBoolean("created")).isFalse();
      assertThat(http.put("/api/v1/registries/index.docker.io", ADMIN, credentials("hub", PASSWORD)).status())
          .isEqualTo(201);

      Response list = http.get("/api/v1/registries", OPS);
      assertThat(list.status()).as("%s", list).isEqualTo(200);
      JsonArray registries = list.json().getJsonArray("registries");
      assertThat(registries).hasSize(2);
      JsonObject first = registries.getJsonObject(0);
      assertThat(first.getString("host")).isEqualTo("docker.io");
      JsonObject second = registries.getJsonObject(1);
      assertThat(second.fieldNames()).containsExactlyInAnyOrder("host", "username", "created_at", "created_by",
          "updated_at", "updated_by");
      assertThat(second.getString("host")).isEqualTo("registry.example.com:5000");
      assertThat(second.getString("username")).isEqualTo("deploy");
      assertThat(second.getString("created_by")).isEqualTo("admin");
      assertThat(list.body()).doesNotContain(PASSWORD);

      // what the deployer sends: the newest credentials, opened
      Optional<RegistryAuth> auth = await(store.registryAuth("registry.example.com:5000"));
      assertThat(auth).contains(new RegistryAuth("registry.example.com:5000", "deploy", PASSWORD + "-2"));
      assertThat(await(store.registryAuth("ghcr.io"))).isEmpty();

      Response removed = http.delete("/api/v1/registries/registry.example.com:5000", ADMIN);
      assertThat(removed.status()).as("%s", removed).isEqualTo(200);
      assertThat(http.delete("/api/v1/registries/registry.example.com:5000", ADMIN).status()).isEqualTo(404);
      assertThat(http.get("/api/v1/registries", OPS).json().getJsonArray("registries"))
          .hasSize(1);

      // every change audited, with the host and never the password
      JsonArray audit = await(store.audit(50));
      assertThat(audit.stream().map(o -> ((JsonObject) o).getString("action") + " " + ((JsonObject) o).getString("target")
          + " " + ((JsonObject) o).getString("result")))
          .contains("registry.put Registry.Example.com:5000 ok", "registry.put registry.example.com:5000 ok",
              "registry.remove registry.example.com:5000 ok", "registry.remove registry.example.com:5000 refused");
      assertThat(audit.encode()).doesNotContain(PASSWORD);
      assertThat(String.join("\n", logs.lines())).doesNotContain(PASSWORD);
    }
  }

  @Test
  void onlyAdminChangesOnlyOpsAndAboveList() {
    for (Map<String, String> who : List.of(OPS, VIEWER)) {
      assertThat(http.put("/api/v1/registries/reg.example.com", who, credentials("ci", PASSWORD)).status())
          .isEqualTo(403);
      assertThat(http.delete("/api/v1/registries/reg.example.com", who).status()).isEqualTo(403);
    }
    assertThat(http.put("/api/v1/registries/reg.example.com", Map.of(), credentials("ci", PASSWORD)).status())
        .isEqualTo(401);
    assertThat(http.get("/api/v1/registries", VIEWER).status()).isEqualTo(403);
    assertThat(http.get("/api/v1/registries", Map.of()).status()).isEqualTo(401);
    assertThat(await(store.registries())).isEmpty();
    // refused by the gateway before control-api: no audit row, nothing stored
    assertThat(await(store.audit(50))).isEmpty();
  }

  @Test
  void badHostsAndBodiesAnswer400WithoutEchoingThePassword() {
    String[][] hosts = {{"myregistry", "Docker Hub path"}, {"reg_1.example.com", "not a host name"},
        {"reg.example.com:70000", "port"}, {"reg.example.com:", "port"}};
    for (String[] c : hosts) {
      Response r = http.put("/api/v1/registries/" + c[0], ADMIN, credentials("ci", PASSWORD));
      assertThat(r.status()).as("%s", r).isEqualTo(400);
      assertThat(r.errorMessage()).contains(c[1]);
    }
    String[][] bodies = {
        {new JsonObject().put("username", "ci").encode(), "password is required"},
        {new JsonObject().put("password", PASSWORD).encode(), "username is required"},
        {new JsonObject().put("username", "ci").put("password", 42).encode(), "password is required"},
        {new JsonObject().put("username", "ci").put("password", PASSWORD).put("email", PASSWORD).encode(),
            "unknown field 'email'"},
        {new JsonObject().put("username", "ci").put("password", PASSWORD + "\n").encode(), "control characters"},
        {new JsonObject().put("username", "ci").put("password", PASSWORD.repeat(1000)).encode(), "at most 16384"},
        {"", "a body is required"}};
    for (String[] c : bodies) {
      Response r = http.put("/api/v1/registries/reg.example.com", ADMIN, c[0]);
      assertThat(r.status()).as("%s", r).isEqualTo(400);
      assertThat(r.errorMessage()).contains(c[1]);
      assertThat(r.body()).doesNotContain(PASSWORD);
    }
    assertThat(await(store.registries())).isEmpty();
    assertThat(await(store.audit(50)).encode()).doesNotContain(PASSWORD);
  }

  @Test
  void thePasswordIsSealedBoundToHostAndUserAndOpensOnlyWithTheKey() {
    await(store.putRegistry("reg.example.com", "ci", PASSWORD, "admin"));
    Row row = await(db.pool().preparedQuery("SELECT password FROM control_registries WHERE host = $1")
        .execute(Tuple.of("reg.example.com"))).iterator().next();
    assertThat(row.getString(0)).startsWith("v2:").doesNotContain(PASSWORD);

    // another user name in the row: the password no longer opens
    await(db.pool().query("UPDATE control_registries SET username = 'other'").execute());
    assertThatThrownBy(() -> await(store.registryAuth("reg.example.com")))
        .hasRootCauseInstanceOf(EnvCipher.StoreCryptoException.class)
        .satisfies(e -> assertThat(e.toString()).contains("the password of registry reg.example.com")
            .doesNotContain(PASSWORD));
    await(db.pool().query("UPDATE control_registries SET username = 'ci'").execute());
    assertThat(await(store.registryAuth("reg.example.com")).orElseThrow().password()).isEqualTo(PASSWORD);

    // another key: refused too
    ControlStore otherKey = await(ControlStore.start(vertx, db.pool(), new EnvCipher(new byte[] {
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30,
        31, 32})));
    assertThatThrownBy(() -> await(otherKey.registryAuth("reg.example.com")))
        .hasRootCauseInstanceOf(EnvCipher.StoreCryptoException.class);
  }
}
