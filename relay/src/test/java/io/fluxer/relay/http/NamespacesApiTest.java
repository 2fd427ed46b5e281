package io.fluxer.relay.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.common.Addresses;
import io.fluxer.relay.testing.HttpTestClient.Response;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Reading and changing namespaces at run time through /api/v1/namespaces. */
class NamespacesApiTest extends ApiTestBase {

  @Test
  @DisplayName("GET /namespaces lists the configured namespaces and the reserved ones, sorted, and the options without namespace")
  void list() {
    JsonObject body = http().get("/api/v1/namespaces", VIEWER).json();
    assertThat(body.getJsonArray("namespaces").stream().map(o -> ((JsonObject) o).getString("name")))
        .containsExactly("chat", "deploy", "logs", "swarm", "sys");
    assertThat(body.getJsonArray("namespaces").getJsonObject(4)).isEqualTo(new JsonObject()
        .put("name", "sys").put("allow_subscribe_for_role", "viewer"));
    assertThat(body.getJsonArray("namespaces").getJsonObject(2)).as("live log lines: no history").isEqualTo(
        new JsonObject().put("name", "logs").put("allow_subscribe_for_role", "viewer"));
    assertThat(body.getJsonArray("namespaces").getJsonObject(1).getInteger("history_size"))
        .as("deployment states can be recovered").isEqualTo(100);
    assertThat(body.getJsonObject("without_namespace")).isEqualTo(new JsonObject());
  }

  @Test
  @DisplayName("GET /namespaces/{name} answers the options as config JSON, 404 when absent")
  void getOne() {
    JsonObject chat = http().get("/api/v1/namespaces/chat", VIEWER).json();
    assertThat(chat.getString("name")).isEqualTo("chat");
    assertThat(chat.getInteger("history_size")).isEqualTo(100);
    assertThat(chat.getString("history_ttl")).isEqualTo("300000ms");
    assertThat(chat.getBoolean("presence")).isTrue();

    Response missing = http().get("/api/v1/namespaces/missing", VIEWER);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.errorMessage()).contains("missing");
  }

  @Test
  @DisplayName("PUT creates (201) then replaces (200) a namespace; GET reads back what was stored")
  void putCreatesAndReplaces() {
    Response created = http().put("/api/v1/namespaces/news", ADMIN,
        "{\"history_size\":10,\"history_ttl\":\"1m\",\"allow_subscribe_for_client\":true}");
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.json()).isEqualTo(new JsonObject().put("name", "news").put("history_size", 10)
        .put("history_ttl", "60000ms").put("allow_subscribe_for_client", true));

    Response replaced = http().put("/api/v1/namespaces/news", ADMIN, "{\"name\":\"news\",\"presence\":true}");
    assertThat(replaced.status()).isEqualTo(200);
    assertThat(http().get("/api/v1/namespaces/news", VIEWER).json())
        .isEqualTo(new JsonObject().put("name", "news").put("presence", true));
  }

  @Test
  @DisplayName("A PUT with a bad value is 400 naming the key, and nothing changes")
  void putValidates() {
    JsonObject chatBefore = http().get("/api/v1/namespaces/chat", VIEWER).json();

    assertBadRequest("chat", "{\"history_size\":-1,\"history_ttl\":\"1m\"}", "history_size");
    assertBadRequest("chat", "{\"history_size\":10}", "history_ttl");
    assertBadRequest("chat", "{\"presence\":\"maybe\"}", "presence");
    assertBadRequest("chat", "{\"bogus\":1}", "bogus");
    assertBadRequest("chat", "{\"channel_regex\":\"[\"}", "channel_regex");
    assertBadRequest("chat", "{\"allow_subscribe_for_role\":\"boss\"}", "allow_subscribe_for_role");
    assertBadRequest("chat", "{\"force_recovery\":true}", "force_recovery");
    assertBadRequest("chat", "not json", "JSON object");
    assertBadRequest("chat", "[1,2]", "JSON object");
    assertBadRequest("chat", "", "JSON object");
    assertBadRequest("chat", "{\"name\":\"other\"}", "other");
    assertBadRequest("bad%20name", "{}", "name");
    JsonObject error = http().put("/api/v1/namespaces/chat", ADMIN, "{\"presence\":1}").json().getJsonObject("error");
    assertThat(error.getString("key")).endsWith("presence");

    assertThat(http().get("/api/v1/namespaces/chat", VIEWER).json()).isEqualTo(chatBefore);
    assertThat(http().get("/api/v1/namespaces", VIEWER).json().getJsonArray("namespaces")).hasSize(5);
  }

  @Test
  @DisplayName("DELETE removes a namespace (204), then 404; the reserved ones cannot be removed (409)")
  void delete() {
    assertThat(http().delete("/api/v1/namespaces/chat", ADMIN).status()).isEqualTo(204);
    assertThat(http().get("/api/v1/namespaces/chat", VIEWER).status()).isEqualTo(404);
    Response again = http().delete("/api/v1/namespaces/chat", ADMIN);
    assertThat(again.status()).isEqualTo(404);
    assertThat(again.json().getJsonObject("error").getInteger("code")).isEqualTo(404);

    for (String reserved : new String[] {"sys", "deploy", "logs", "swarm"}) {
      Response r = http().delete("/api/v1/namespaces/" + reserved, ADMIN);
      assertThat(r.status()).as(reserved).isEqualTo(409);
      assertThat(r.errorMessage()).contains("reserved");
    }
  }

  @Test
  @DisplayName("The reserved namespaces admit viewers only: a user without a role cannot subscribe to logs:web")
  void reservedNamespacesNeedViewer() {
    WsTestClient noRole = connected("eve");
    assertThat(noRole.errorCode("subscribe", new JsonObject().put("channel", "logs:web"))).isEqualTo(103);
    WsTestClient viewer = track(WsTestClient.open(vertx, relay().wsUrl()));
    viewer.connectWith(relay().token(new JsonObject().put("sub", "vic").put("roles", new JsonArray()
        .add("viewer")).put("exp", nowSeconds() + 60)));
    assertThat(viewer.call("subscribe", new JsonObject().put("channel", "deploy:shop")).containsKey("error")).isFalse();
    // the control plane decides whose logs may be read: a stand-in that allows web
    var access = vertx.eventBus().<JsonObject>consumer(Addresses.CONTROL_LOGS_ACCESS,
        m -> m.reply(new JsonObject().put("allowed", "web".equals(m.body().getString("service")))));
    TestRelay.await(access.completion());
    try {
      assertThat(viewer.call("subscribe", new JsonObject().put("channel", "logs:web")).containsKey("error")).isFalse();
    } finally {
      access.unregister();
    }
  }

  @Test
  @DisplayName("Changes apply to new subscriptions of live sessions: 102 before PUT, ok after, 102 after DELETE")
  void changesApplyToLiveSessions() {
    WsTestClient alice = connected("alice");
    String sub = "subscribe";
    assertThat(alice.errorCode(sub, new JsonObject().put("channel", "live:" + unique("a")))).isEqualTo(102);

    assertThat(http().put("/api/v1/namespaces/live", ADMIN, "{\"allow_subscribe_for_client\":true}").status())
        .isEqualTo(201);
    String kept = "live:" + unique("b");
    assertThat(alice.errorCode(sub, new JsonObject().put("channel", kept))).isZero();

    assertThat(http().put("/api/v1/namespaces/live", ADMIN, "{}").status()).isEqualTo(200);
    assertThat(alice.errorCode(sub, new JsonObject().put("channel", "live:" + unique("c")))).isEqualTo(103);

    assertThat(http().delete("/api/v1/namespaces/live", ADMIN).status()).isEqualTo(204);
    assertThat(alice.errorCode(sub, new JsonObject().put("channel", "live:" + unique("d")))).isEqualTo(102);
    assertThat(alice.isClosed()).isFalse();
  }

  private void assertBadRequest(String name, String body, String mentioned) {
    Response r = http().put("/api/v1/namespaces/" + name, ADMIN, body);
    assertThat(r.status()).as("PUT %s %s: %s", name, body, r).isEqualTo(400);
    assertThat(r.json().getJsonObject("error").getInteger("code")).isEqualTo(400);
    assertThat(r.errorMessage()).as("PUT %s", body).contains(mentioned);
  }
}
