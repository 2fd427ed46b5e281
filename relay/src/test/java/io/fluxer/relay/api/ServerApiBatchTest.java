package io.fluxer.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code batch}: replies in command order, successes and errors mixed, sequential or parallel. */
class ServerApiBatchTest extends ServerApiTestBase {

  @Test
  @DisplayName("batch answers each command in order, results and errors mixed, and runs them in order")
  void mixedReplies() {
    String channel = chat("batch");
    JsonObject batch = new JsonObject().put("commands", array(
        command("publish", publishParams(channel, 1)),
        command("publish", publishParams("nope:x", 1)),
        command("no_such_method", new JsonObject()),
        command("publish", new JsonObject().put("channel", 5).put("data", 1)),
        command("publish", publishParams(channel, 2)),
        command("history", new JsonObject().put("channel", channel).put("limit", -1)),
        command("batch", new JsonObject().put("commands", new JsonArray()))));

    JsonObject reply = call("batch", batch).json();

    assertThat(reply.fieldNames()).containsExactly("replies");
    JsonArray replies = reply.getJsonArray("replies");
    assertThat(replies).hasSize(7);
    assertThat(replies.getJsonObject(0).getJsonObject("result").getLong("offset")).isEqualTo(1L);
    assertThat(errorCode(replies, 1)).isEqualTo(102);
    assertThat(errorCode(replies, 2)).isEqualTo(104);
    assertThat(errorCode(replies, 3)).isEqualTo(107);
    assertThat(replies.getJsonObject(4).getJsonObject("result").getLong("offset")).isEqualTo(2L);
    JsonObject history = replies.getJsonObject(5).getJsonObject("result");
    assertThat(history.getJsonArray("publications")).hasSize(2);
    assertThat(errorCode(replies, 6)).isEqualTo(107);
  }

  @Test
  @DisplayName("batch accepts Centrifugo 5's {\"<method>\":{...}} commands and answers under the method's name")
  void keyedCommands() {
    String channel = chat("keyed");
    JsonObject batch = new JsonObject().put("commands", array(
        new JsonObject().put("publish", publishParams(channel, 1)),
        new JsonObject().put("presence_stats", new JsonObject().put("channel", channel)),
        new JsonObject().put("publish", publishParams("nope:x", 1))));

    JsonArray replies = call("batch", batch).json().getJsonArray("replies");

    assertThat(replies.getJsonObject(0).getJsonObject("publish").getLong("offset")).isEqualTo(1L);
    assertThat(replies.getJsonObject(1).getJsonObject("presence_stats").getInteger("num_clients")).isZero();
    assertThat(errorCode(replies, 2)).isEqualTo(102);
  }

  @Test
  @DisplayName("a parallel batch answers every command in order")
  void parallel() {
    String channel = chat("parallel");
    JsonArray commands = new JsonArray();
    for (int i = 0; i < 20; i++) {
      commands.add(command("publish", publishParams(channel, i)));
    }

    JsonArray replies = call("batch", new JsonObject().put("commands", commands).put("parallel", true))
        .json().getJsonArray("replies");

    assertThat(replies).hasSize(20);
    Set<Long> offsets = new HashSet<>();
    for (int i = 0; i < 20; i++) {
      offsets.add(replies.getJsonObject(i).getJsonObject("result").getLong("offset"));
    }
    assertThat(offsets).hasSize(20).allSatisfy(o -> assertThat(o).isBetween(1L, 20L));
  }

  @Test
  @DisplayName("a batch whose structure is bad answers 107 as a whole and runs nothing")
  void badStructure() {
    String channel = chat("bad");
    JsonObject publish = command("publish", publishParams(channel, 1));
    JsonObject[] bad = {
        new JsonObject().put("commands", "publish"),
        new JsonObject().put("commands", array(publish, 5)),
        new JsonObject().put("commands", array(publish, new JsonObject().put("method", 5))),
        new JsonObject().put("commands", array(publish, new JsonObject().put("method", "info").put("params", "x"))),
        new JsonObject().put("commands", array(publish, new JsonObject())),
        new JsonObject().put("commands", array(publish)).put("parallel", "yes")};
    for (JsonObject body : bad) {
      JsonObject error = error("batch", body);
      assertThat(error.getInteger("code")).as(body.encode()).isEqualTo(107);
    }
    assertThat(history(channel).getLong("offset")).isZero();
    assertThat(call("batch", new JsonObject()).json().getJsonArray("replies")).isEmpty();
  }

  private static JsonObject command(String method, JsonObject params) {
    return new JsonObject().put("method", method).put("params", params);
  }

  private static int errorCode(JsonArray replies, int index) {
    JsonObject error = replies.getJsonObject(index).getJsonObject("error");
    assertThat(error).as("reply %d: %s", index, replies.getJsonObject(index).encode()).isNotNull();
    return error.getInteger("code");
  }
}
