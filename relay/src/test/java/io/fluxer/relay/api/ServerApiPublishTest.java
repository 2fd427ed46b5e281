package io.fluxer.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code publish} and {@code broadcast}: delivery, history, tags, idempotency and bad input. */
class ServerApiPublishTest extends ServerApiTestBase {

  @Test
  @DisplayName("publish reaches a WebSocket subscriber with its tags; the returned offset and epoch match history")
  void publishReachesSubscriber() {
    String channel = chat("pub");
    WsTestClient sub = connected("alice");
    JsonObject subscribed = sub.subscribe(channel);

    JsonObject result = result("publish", publishParams(channel, new JsonObject().put("text", "hi"))
        .put("tags", new JsonObject().put("kind", "greeting")));

    assertThat(result.getLong("offset")).isEqualTo(1L);
    assertThat(result.getString("epoch")).isEqualTo(subscribed.getString("epoch")).isNotEmpty();
    JsonObject pub = sub.awaitPublications(channel, 1, SHORT).get(0);
    assertThat(pub.getJsonObject("data")).isEqualTo(new JsonObject().put("text", "hi"));
    assertThat(pub.getJsonObject("tags")).isEqualTo(new JsonObject().put("kind", "greeting"));
    assertThat(pub.getLong("offset")).isEqualTo(1L);
    assertThat(pub.containsKey("info")).as("the server publishes without client info").isFalse();

    JsonObject history = history(channel);
    assertThat(history.getLong("offset")).isEqualTo(1L);
    assertThat(history.getString("epoch")).isEqualTo(result.getString("epoch"));
    JsonObject stored = history.getJsonArray("publications").getJsonObject(0);
    assertThat(stored.getLong("offset")).isEqualTo(1L);
    assertThat(stored.getJsonObject("data")).isEqualTo(new JsonObject().put("text", "hi"));
    assertThat(stored.getJsonObject("tags")).isEqualTo(new JsonObject().put("kind", "greeting"));
  }

  @Test
  @DisplayName("publish keeps data of any JSON type as sent: arrays, strings, numbers")
  void publishAnyJsonData() {
    String channel = chat("types");
    result("publish", publishParams(channel, new JsonArray().add(1).add("two")));
    result("publish", publishParams(channel, "text"));
    result("publish", publishParams(channel, 42));

    JsonArray pubs = history(channel).getJsonArray("publications");
    assertThat(pubs.getJsonObject(0).getJsonArray("data")).isEqualTo(new JsonArray().add(1).add("two"));
    assertThat(pubs.getJsonObject(1).getString("data")).isEqualTo("text");
    assertThat(pubs.getJsonObject(2).getInteger("data")).isEqualTo(42);
  }

  @Test
  @DisplayName("publish with the same idempotency_key publishes once and answers the first position again")
  void idempotencyKeyDedupes() {
    String channel = chat("idem");
    WsTestClient sub = connected("alice");
    sub.subscribe(channel);

    JsonObject params = publishParams(channel, new JsonObject().put("n", 1)).put("idempotency_key", "k-1");
    JsonObject first = result("publish", params);
    JsonObject second = result("publish", params);
    result("publish", publishParams(channel, new JsonObject().put("n", 2)));

    assertThat(second).isEqualTo(first);
    List<JsonObject> pubs = sub.awaitPublications(channel, 2, SHORT);
    assertThat(pubs).extracting(p -> p.getJsonObject("data").getInteger("n")).containsExactly(1, 2);
    assertThat(history(channel).getLong("offset")).isEqualTo(2L);
  }

  @Test
  @DisplayName("skip_history delivers without storing and returns no position")
  void skipHistory() {
    String channel = chat("skip");
    WsTestClient sub = connected("alice");
    sub.subscribe(channel);
    result("publish", publishParams(channel, 1));

    JsonObject result = result("publish", publishParams(channel, 2).put("skip_history", true)
        .put("tags", new JsonObject().put("t", "v")));

    assertThat(result).isEqualTo(new JsonObject());
    List<JsonObject> pubs = sub.awaitPublications(channel, 2, SHORT);
    assertThat(pubs.get(1).getInteger("data")).isEqualTo(2);
    assertThat(pubs.get(1).getJsonObject("tags")).isEqualTo(new JsonObject().put("t", "v"));
    JsonObject history = history(channel);
    assertThat(history.getLong("offset")).isEqualTo(1L);
    assertThat(history.getJsonArray("publications")).hasSize(1);
  }

  @Test
  @DisplayName("publish ignores client permissions and uses the namespace's history; no history means no position")
  void namespaceOptions() {
    startRelay(config -> {
      addNamespace(config, new JsonObject().put("name", "locked").put("history_size", 2).put("history_ttl", "1m"));
      addNamespace(config, new JsonObject().put("name", "live"));
    });

    for (int i = 1; i <= 3; i++) {
      assertThat(result("publish", publishParams("locked:a", i)).getLong("offset")).isEqualTo((long) i);
    }
    JsonArray kept = history("locked:a").getJsonArray("publications");
    assertThat(kept).extracting(p -> ((JsonObject) p).getInteger("data")).containsExactly(2, 3);
    assertThat(result("publish", publishParams("live:a", 1))).isEqualTo(new JsonObject());
  }

  @Test
  @DisplayName("publish to an unknown namespace or an invalid channel answers 102")
  void unknownChannel() {
    assertThat(error("publish", publishParams("nope:x", 1)).getInteger("code")).isEqualTo(102);
    assertThat(error("publish", publishParams("chat:", 1)).getInteger("code")).isEqualTo(102);
  }

  @Test
  @DisplayName("publish with fields of the wrong type answers 107 naming the field and changes nothing")
  void badFieldsChangeNothing() {
    String channel = chat("bad");
    WsTestClient sub = connected("alice");
    sub.subscribe(channel);
    result("publish", publishParams(channel, 0));

    assertBadRequest("publish", new JsonObject().put("channel", 5).put("data", 1), "channel");
    assertBadRequest("publish", new JsonObject().put("channel", channel), "data");
    assertBadRequest("publish", new JsonObject().put("channel", channel).putNull("data"), "data");
    assertBadRequest("publish", new JsonObject().put("data", 1), "channel");
    assertBadRequest("publish", publishParams(channel, 1).put("tags", new JsonObject().put("n", 5)), "tags.n");
    assertBadRequest("publish", publishParams(channel, 1).put("tags", "x"), "tags");
    assertBadRequest("publish", publishParams(channel, 1).put("skip_history", "yes"), "skip_history");
    assertBadRequest("publish", publishParams(channel, 1).put("idempotency_key", 7), "idempotency_key");

    result("publish", publishParams(channel, 1));
    List<JsonObject> pubs = sub.awaitPublications(channel, 2, SHORT);
    assertThat(pubs).extracting(p -> p.getInteger("data")).containsExactly(0, 1);
    assertThat(history(channel).getLong("offset")).isEqualTo(2L);
  }

  @Test
  @DisplayName("broadcast answers one response per channel in order, an unknown channel's error among results")
  void broadcast() {
    String a = chat("a");
    String c = chat("c");
    WsTestClient sub = connected("alice");
    sub.subscribe(a);
    sub.subscribe(c);

    JsonObject result = result("broadcast", new JsonObject().put("channels", array(a, "nope:b", c))
        .put("data", new JsonObject().put("x", 1)).put("tags", new JsonObject().put("t", "1")));

    JsonArray responses = result.getJsonArray("responses");
    assertThat(responses).hasSize(3);
    assertThat(responses.getJsonObject(0).getJsonObject("result").getLong("offset")).isEqualTo(1L);
    assertThat(responses.getJsonObject(1).getJsonObject("error").getInteger("code")).isEqualTo(102);
    assertThat(responses.getJsonObject(2).getJsonObject("result").getLong("offset")).isEqualTo(1L);
    assertThat(sub.awaitPublications(a, 1, SHORT).get(0).getJsonObject("tags"))
        .isEqualTo(new JsonObject().put("t", "1"));
    assertThat(sub.awaitPublications(c, 1, SHORT).get(0).getJsonObject("data")).isEqualTo(new JsonObject().put("x", 1));
  }

  @Test
  @DisplayName("broadcast with missing or bad channels or data answers 107 and publishes nothing")
  void broadcastBadInput() {
    String a = chat("a");
    assertBadRequest("broadcast", new JsonObject().put("data", 1), "channels");
    assertBadRequest("broadcast", new JsonObject().put("channels", new JsonArray()).put("data", 1), "channels");
    assertBadRequest("broadcast", new JsonObject().put("channels", array(a, 5)).put("data", 1), "channels[1]");
    assertBadRequest("broadcast", new JsonObject().put("channels", array(a, "")).put("data", 1), "channels[1]");
    assertBadRequest("broadcast", new JsonObject().put("channels", array(a)), "data");

    assertThat(history(a).getLong("offset")).isZero();
  }

  private void assertBadRequest(String method, JsonObject params, String field) {
    JsonObject error = error(method, params);
    assertThat(error.getInteger("code")).as(error.encode()).isEqualTo(107);
    assertThat(error.getString("message")).startsWith("bad request: ").contains(field);
  }
}
