package io.fluxer.control.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.control.store.ControlStore;
import io.fluxer.control.store.ControlStore.Revision;
import io.fluxer.control.store.EnvCipher;
import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.HttpTestClient.Response;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /api/v1/stacks/{name}/revisions/{revision}} end to end: HTTP through the relay's
 * gateway, over the event bus to {@link ControlApi}, from a real PostgreSQL. The stack file comes
 * back as it was deployed; the revision's environment and files never do.
 */
class StackRevisionApiTest extends ControlApiTestBase {
  private static final String FILE_1 = """
      services:
        web:
          image: registry:5000/shop:${TAG:-1}
          environment:
            DB_PASSWORD: ${DB_PASSWORD}
          configs: [settings]
      configs:
        settings:
          file: ./settings.ini
      """;
  private static final String FILE_2 = FILE_1.replace("shop:${TAG:-1}", "shop:2");



  private Revision deploy(String stack, String file, String actor) {
    return await(store.addRevision(stack, file, Map.of("DB_PASSWORD", "s3cret-env-value", "TAG", "7"),
        Map.of("./settings.ini", "api_key=s3cret-file-value\n"), Map.of(), actor));
  }

  @Test
  void eachRevisionsStackFileAsDeployedWithoutItsSecrets() {
    Revision first = deploy("shop", FILE_1, "alice");
    Revision second = deploy("shop", FILE_2, "bob");

    Response one = http.get("/api/v1/stacks/shop/revisions/1", VIEWER);
    assertThat(one.status()).isEqualTo(200);
    assertThat(one.json()).isEqualTo(new JsonObject().put("stack", "shop").put("revision", 1)
        .put("created_by", "alice").put("created_at", first.createdAt().toString()).put("stack_file", FILE_1));
    Response two = http.get("/api/v1/stacks/shop/revisions/2", VIEWER);
    assertThat(two.status()).isEqualTo(200);
    assertThat(two.json().fieldNames()).containsExactlyInAnyOrder("stack", "revision", "created_by", "created_at",
        "stack_file");
    assertThat(two.json().getString("stack_file")).isEqualTo(FILE_2);
    assertThat(two.json().getString("created_by")).isEqualTo("bob");
    assertThat(two.json().getString("created_at")).isEqualTo(second.createdAt().toString());

    // the file as written, not interpolated: neither the env's values nor the files' contents appear
    for (Response r : new Response[] {one, two}) {
      assertThat(r.body()).contains("${DB_PASSWORD}")
          .doesNotContain("s3cret-env-value").doesNotContain("s3cret-file-value").doesNotContain("\"env\"")
          .doesNotContain("\"files\"").doesNotContain("v1:").doesNotContain("v2:");
    }
  }

  @Test
  void unknownStackOrRevisionIs404() {
    deploy("shop", FILE_1, "alice");

    Response noRevision = http.get("/api/v1/stacks/shop/revisions/3", VIEWER);
    assertThat(noRevision.status()).isEqualTo(404);
    assertThat(noRevision.json()).isEqualTo(new JsonObject().put("error",
        new JsonObject().put("code", 404).put("message", "stack shop has no revision 3")));

    Response noStack = http.get("/api/v1/stacks/nope/revisions/1", VIEWER);
    assertThat(noStack.status()).isEqualTo(404);
    assertThat(noStack.json()).isEqualTo(new JsonObject().put("error",
        new JsonObject().put("code", 404).put("message", "no stack nope")));
  }

  @Test
  void aRevisionThatIsNotAPositiveIntegerIs400() {
    deploy("shop", FILE_1, "alice");

    for (String bad : Arrays.asList("0", "-1", "abc", "1.5", "+1", "1e3", "99999999999", "%20")) {
      Response r = http.get("/api/v1/stacks/shop/revisions/" + bad, VIEWER);
      assertThat(r.status()).as("revision '%s'", bad).isEqualTo(400);
      assertThat(r.json().getJsonObject("error").getInteger("code")).isEqualTo(400);
      assertThat(r.errorMessage()).as("revision '%s'", bad).startsWith("revision must be a positive integer");
    }
  }

  @Test
  void needsTheViewerRole() {
    deploy("shop", FILE_1, "alice");
    String path = "/api/v1/stacks/shop/revisions/1";

    assertThat(http.get(path, HttpTestClient.NONE).status()).isEqualTo(401);
    assertThat(http.get(path, HttpTestClient.bearer(relay.opsToken("carol"))).status()).isEqualTo(403);
    assertThat(http.get(path, HttpTestClient.bearer(relay.token(new JsonObject().put("sub", "carol")
        .put("roles", "viewer").put("exp", Instant.now().getEpochSecond() + 3600)))).status())
        .as("a connection token is no ops credential").isEqualTo(401);
    String viewer = relay.opsToken("carol", "viewer");
    assertThat(http.get(path, HttpTestClient.bearer(viewer)).json().getString("stack_file")).isEqualTo(FILE_1);
  }

  @Test
  void aRevisionSealedWithAnotherKeyStillShowsItsFile() {
    byte[] oldKey = new byte[32];
    Arrays.fill(oldKey, (byte) 7);
    ControlStore before = await(ControlStore.start(vertx, db.pool(), new EnvCipher(oldKey)));
    await(before.addRevision("shop", FILE_1, Map.of("DB_PASSWORD", "s3cret-env-value"), "alice"));

    // served by a store with the test's (all-zero) key, which cannot open that revision's env
    Response r = http.get("/api/v1/stacks/shop/revisions/1", VIEWER);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getString("stack_file")).isEqualTo(FILE_1);
    assertThat(r.body()).doesNotContain("s3cret-env-value");
  }
}
