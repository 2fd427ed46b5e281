package io.fluxer.relay.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.common.Addresses;
import io.fluxer.relay.auth.ApiKeyChanges;
import io.fluxer.relay.auth.ApiKeys;
import io.fluxer.common.cluster.ControlSeal;
import io.fluxer.relay.config.ApiKey;
import io.fluxer.relay.config.Role;
import io.fluxer.common.store.StoreException;
import io.fluxer.relay.testing.HttpTestClient.Response;
import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What answers must not carry or let be kept: internal exception texts never reach a client, and
 * answers with a new API key or a webhook secret are marked {@code Cache-Control: no-store}.
 */
class ResponseLeaksTest extends ApiTestBase {
  private static final String INTERNAL = "connection to 10.0.0.5:5432 refused for user fluxer_owner";

  @Test
  @DisplayName("A new API key is answered with Cache-Control: no-store")
  void newKeyNotStored() {
    Response created = http().send(HttpMethod.POST, "/api/v1/keys", ADMIN, "{\"name\":\"ci\",\"role\":\"viewer\"}");
    assertThat(created.status()).as(created.toString()).isEqualTo(201);
    assertThat(created.headers().get("Cache-Control")).isEqualTo("no-store");
  }

  @Test
  @DisplayName("Every control-plane answer (a rotated webhook secret included) has no-store; a failure's text stays internal")
  void controlAnswers() {
    relay();
    MessageConsumer<JsonObject> rotate = vertx.eventBus().consumer(Addresses.control("stack.hook.rotate"),
        m -> m.reply(new JsonObject().put("status", 200).put("body", new JsonObject().put("secret", "whsec_x"))));
    MessageConsumer<JsonObject> broken = vertx.eventBus().consumer(Addresses.control("stack.list"),
        m -> m.fail(500, INTERNAL));
    TestRelay.await(rotate.completion());
    TestRelay.await(broken.completion());
    try {
      Response secret = http().send(HttpMethod.POST, "/api/v1/stacks/shop/hook", OPS, "{}");
      assertThat(secret.status()).as(secret.toString()).isEqualTo(200);
      assertThat(secret.headers().get("Cache-Control")).isEqualTo("no-store");

      Response failed = http().get("/api/v1/stacks", VIEWER);
      assertThat(failed.status()).isEqualTo(502);
      assertThat(failed.body()).doesNotContain("10.0.0.5").doesNotContain("fluxer_owner");
      assertThat(failed.headers().get("Cache-Control")).isEqualTo("no-store");

      Response denied = http().send(HttpMethod.POST, "/api/v1/stacks/shop/hook", VIEWER, "{}");
      assertThat(denied.status()).isEqualTo(403);
      assertThat(denied.headers().get("Cache-Control")).isEqualTo("no-store");
    } finally {
      TestRelay.await(rotate.unregister());
      TestRelay.await(broken.unregister());
    }
  }

  @Test
  @DisplayName("A key store failing with an internal message answers a fixed 503 text (and 500 for anything else)")
  void storeFailureTextStaysInternal() {
    ApiKeys keys = new ApiKeys(List.of(ApiKey.ofPlainKey("root", "root-key", Role.ADMIN)));
    boolean[] store = {true};
    ApiKeyChanges failing = new ApiKeyChanges() {
      @Override
      public Future<Boolean> add(ApiKeys.Managed key) {
        return Future.failedFuture(store[0] ? new StoreException(INTERNAL, null) : new IllegalStateException(INTERNAL));
      }

      @Override
      public Future<Boolean> revoke(String name) {
        return Future.failedFuture(new StoreException(INTERNAL, null));
      }
    };
    Router router = Router.router(vertx);
    new ApiKeysHandler(new ApiAuth(keys, null), keys, () -> failing,
        new AdminAudit(vertx, ControlSeal.withKey("k"), "test")).mount(router);
    HttpServer server = TestRelay.await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1"));
    try (HttpTestClient client = new HttpTestClient(vertx, "http://127.0.0.1:" + server.actualPort())) {
      Map<String, String> root = HttpTestClient.apiKey("root-key");
      Response created = client.send(HttpMethod.POST, "/api/v1/keys", root, "{\"name\":\"ci\",\"role\":\"viewer\"}");
      assertThat(created.status()).isEqualTo(503);
      assertThat(created.body()).doesNotContain("10.0.0.5").doesNotContain("fluxer_owner");
      Response revoked = client.delete("/api/v1/keys/ci", root);
      assertThat(revoked.status()).isEqualTo(503);
      assertThat(revoked.body()).doesNotContain("10.0.0.5");
      store[0] = false;
      Response other = client.send(HttpMethod.POST, "/api/v1/keys", root, "{\"name\":\"ci\",\"role\":\"viewer\"}");
      assertThat(other.status()).isEqualTo(500);
      assertThat(other.body()).doesNotContain("10.0.0.5");
    } finally {
      TestRelay.await(server.close());
    }
  }
}
