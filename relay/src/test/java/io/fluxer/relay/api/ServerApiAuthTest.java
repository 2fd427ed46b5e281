package io.fluxer.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Who may call what: API keys and bearer JWTs with roles; 401 and 403 from the gateway. */
class ServerApiAuthTest extends ServerApiTestBase {

  @Test
  @DisplayName("a call without credentials or with an unknown key answers 401 and changes nothing")
  void noCredentials() {
    String channel = chat("auth");
    Buffer body = Buffer.buffer(publishParams(channel, 1).encode());

    assertThat(post("/api/publish", body).status()).isEqualTo(401);
    assertThat(post("/api/publish", body, "X-API-Key", "wrong").status()).isEqualTo(401);
    assertThat(post("/api/info", Buffer.buffer("{}")).status()).isEqualTo(401);
    assertThat(post("/api/nope", Buffer.buffer("{}")).status()).isEqualTo(401);

    assertThat(history(channel).getLong("offset")).isZero();
  }

  @Test
  @DisplayName("a viewer may read (presence, history, channels, info) but not publish (403)")
  void viewerReadsOnly() {
    String channel = chat("viewer");
    result("publish", publishParams(channel, 1));

    for (String method : new String[] {"presence", "presence_stats", "history", "channels", "info"}) {
      Response r = callAs(TestRelay.VIEWER_KEY, method, new JsonObject().put("channel", channel));
      assertThat(r.json().containsKey("result")).as("%s: %s", method, r.body()).isTrue();
    }
    for (String method : new String[] {"publish", "broadcast", "subscribe", "unsubscribe", "disconnect", "refresh",
        "history_remove"}) {
      Response r = post("/api/" + method, Buffer.buffer(publishParams(channel, 2).encode()),
          "X-API-Key", TestRelay.VIEWER_KEY);
      assertThat(r.status()).as(method).isEqualTo(403);
    }
    assertThat(history(channel).getLong("offset")).isEqualTo(1L);
  }

  @Test
  @DisplayName("ops and admin keys may publish, with X-API-Key or Authorization: apikey")
  void opsAndAdminPublish() {
    String channel = chat("ops");
    assertThat(callAs(TestRelay.OPS_KEY, "publish", publishParams(channel, 1)).errorCode()).isZero();
    assertThat(callAs(TestRelay.ADMIN_KEY, "publish", publishParams(channel, 2)).errorCode()).isZero();
    Response r = post("/api/publish", Buffer.buffer(publishParams(channel, 3).encode()),
        "Authorization", "apikey " + TestRelay.OPS_KEY);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getJsonObject("result").getLong("offset")).isEqualTo(3L);
  }

  @Test
  @DisplayName("an ops token with roles [ops] may publish; one with viewer may read; one without a role gets 403")
  void bearerTokens() {
    String channel = chat("jwt");
    String ops = relay().opsToken("deployer", "ops");
    String viewer = relay().opsToken("watcher", "viewer");
    String plain = relay().opsToken("someone");
    Buffer publish = Buffer.buffer(publishParams(channel, 1).encode());

    Response published = post("/api/publish", publish, "Authorization", "Bearer " + ops);
    assertThat(published.status()).isEqualTo(200);
    assertThat(published.json().getJsonObject("result").getLong("offset")).isEqualTo(1L);

    assertThat(post("/api/publish", publish, "Authorization", "Bearer " + viewer).status()).isEqualTo(403);
    Buffer historyParams = Buffer.buffer(new JsonObject().put("channel", channel).put("limit", -1).encode());
    Response read = post("/api/history", historyParams, "Authorization", "Bearer " + viewer);
    assertThat(read.status()).isEqualTo(200);
    assertThat(read.json().getJsonObject("result").getJsonArray("publications")).hasSize(1);

    assertThat(post("/api/publish", publish, "Authorization", "Bearer " + plain).status()).isEqualTo(403);
    assertThat(post("/api/info", Buffer.buffer("{}"), "Authorization", "Bearer " + plain).status()).isEqualTo(403);
    assertThat(post("/api/info", Buffer.buffer("{}"), "Authorization", "Bearer not-a-jwt").status()).isEqualTo(401);
    assertThat(history(channel).getLong("offset")).isEqualTo(1L);
  }

  @Test
  @DisplayName("a viewer's batch runs its reads and answers 103 for each command that needs ops")
  void viewerBatch() {
    String channel = chat("batch");
    JsonObject batch = new JsonObject().put("commands", array(
        new JsonObject().put("method", "publish").put("params", publishParams(channel, 1)),
        new JsonObject().put("method", "history").put("params", new JsonObject().put("channel", channel)),
        new JsonObject().put("method", "history_remove").put("params", new JsonObject().put("channel", channel))));

    JsonObject reply = callAs(TestRelay.VIEWER_KEY, "batch", batch).json();

    JsonArray replies = reply.getJsonArray("replies");
    assertThat(replies).hasSize(3);
    assertThat(replies.getJsonObject(0).getJsonObject("error").getInteger("code")).isEqualTo(103);
    assertThat(replies.getJsonObject(1).getJsonObject("result").getLong("offset")).isZero();
    assertThat(replies.getJsonObject(2).getJsonObject("error").getInteger("code")).isEqualTo(103);
    assertThat(history(channel).getLong("offset")).isZero();
  }
}
