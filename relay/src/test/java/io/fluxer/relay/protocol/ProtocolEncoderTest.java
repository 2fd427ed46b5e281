package io.fluxer.relay.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Output of {@link ProtocolEncoder}, parsed back with {@link JsonObject}: the shape of every reply
 * and push, empty fields left out, raw JSON embedded as JSON, strings escaped so that they round-trip,
 * and decoded client data re-encoded byte for byte.
 */
class ProtocolEncoderTest {
  private static final ClientInfo ALICE = new ClientInfo("alice", "client-a", "{\"name\":\"Alice\"}", "[\"mod\"]");

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static JsonObject json(byte[] bytes) {
    assertThat(text(bytes)).doesNotEndWith("\n");
    return new JsonObject(Buffer.buffer(bytes));
  }

  private static SubscribeResult emptySubscribe() {
    return new SubscribeResult(false, 0, false, "", 0, false, List.of(), false, false, null);
  }

  // ---- errors and empty replies

  @Test
  void errorHasCodeAndMessageAndNoTemporaryWhenFalse() {
    JsonObject m = json(ProtocolEncoder.error(5, ProtocolError.BAD_REQUEST));
    assertThat(m).isEqualTo(new JsonObject()
        .put("id", 5)
        .put("error", new JsonObject().put("code", 107).put("message", "bad request")));
    assertThat(m.getJsonObject("error").containsKey("temporary")).isFalse();
  }

  @Test
  void temporaryErrorSaysSo() {
    JsonObject m = json(ProtocolEncoder.error(6, ProtocolError.INTERNAL));
    assertThat(m.getJsonObject("error")).isEqualTo(new JsonObject()
        .put("code", 100).put("message", "internal server error").put("temporary", true));
    assertThat(json(ProtocolEncoder.error(6, ProtocolError.TOO_MANY_REQUESTS)).getJsonObject("error")
        .getBoolean("temporary")).isTrue();
  }

  @Test
  void errorWithoutIdHasNoIdField() {
    JsonObject m = json(ProtocolEncoder.error(0, ProtocolError.UNAUTHORIZED.withMessage("nope")));
    assertThat(m.fieldNames()).containsExactly("error");
    assertThat(m.getJsonObject("error").getString("message")).isEqualTo("nope");
    assertThat(m.getJsonObject("error").getInteger("code")).isEqualTo(101);
  }

  @Test
  void emptyReplyIsMethodWithEmptyObject() {
    assertThat(text(ProtocolEncoder.empty(3, "publish"))).isEqualTo("{\"id\":3,\"publish\":{}}");
    assertThat(json(ProtocolEncoder.empty(4, "unsubscribe")))
        .isEqualTo(new JsonObject().put("id", 4).put("unsubscribe", new JsonObject()));
  }

  @Test
  void pingIsEmptyObject() {
    assertThat(text(ProtocolEncoder.PING)).isEqualTo("{}");
  }

  // ---- connect

  @Test
  void connectReplyWithAllFields() {
    SubscribeResult serverSub = new SubscribeResult(false, 0, true, "ep", 7, true, List.of(), false, false, null);
    ConnectResult r = new ConnectResult("client-1", "1.2.3", true, 3600, "{\"welcome\":[1,2]}",
        Map.of("news", serverSub), 25, true, "sess-1", "node-1");
    JsonObject m = json(ProtocolEncoder.connect(11, r));
    assertThat(m.getLong("id")).isEqualTo(11);
    JsonObject c = m.getJsonObject("connect");
    assertThat(c.getString("client")).isEqualTo("client-1");
    assertThat(c.getString("version")).isEqualTo("1.2.3");
    assertThat(c.getBoolean("expires")).isTrue();
    assertThat(c.getLong("ttl")).isEqualTo(3600);
    assertThat(c.getValue("data")).isEqualTo(new JsonObject().put("welcome", new JsonArray().add(1).add(2)));
    assertThat(c.getJsonObject("subs")).isEqualTo(new JsonObject().put("news",
        new JsonObject().put("recoverable", true).put("epoch", "ep").put("offset", 7).put("positioned", true)));
    assertThat(c.getInteger("ping")).isEqualTo(25);
    assertThat(c.getBoolean("pong")).isTrue();
    assertThat(c.getString("session")).isEqualTo("sess-1");
    assertThat(c.getString("node")).isEqualTo("node-1");
    assertThat(c.fieldNames()).containsExactlyInAnyOrder("client", "version", "expires", "ttl", "data", "subs",
        "ping", "pong", "session", "node");
  }

  @Test
  void minimalConnectReplyOmitsEmptyZeroAndFalseFields() {
    ConnectResult r = new ConnectResult("client-1", "", false, 0, null, Map.of(), 0, false, "", null);
    assertThat(json(ProtocolEncoder.connect(1, r)))
        .isEqualTo(new JsonObject().put("id", 1).put("connect", new JsonObject().put("client", "client-1")));
  }

  @Test
  void serverSideSubscriptionWithNothingSetIsAnEmptyObject() {
    ConnectResult r = new ConnectResult("c", "", false, 0, null, Map.of("feed", emptySubscribe()), 0, false, "", "");
    assertThat(json(ProtocolEncoder.connect(1, r)).getJsonObject("connect").getJsonObject("subs"))
        .isEqualTo(new JsonObject().put("feed", new JsonObject()));
  }

  // ---- subscribe

  @Test
  void subscribeReplyOmitsFalseAndEmptyFields() {
    JsonObject m = json(ProtocolEncoder.subscribe(2, emptySubscribe()));
    assertThat(m).isEqualTo(new JsonObject().put("id", 2).put("subscribe", new JsonObject()));
    JsonObject s = m.getJsonObject("subscribe");
    assertThat(s.containsKey("recoverable")).isFalse();
    assertThat(s.containsKey("publications")).isFalse();
    assertThat(s.containsKey("epoch")).isFalse();
  }

  @Test
  void subscribeReplyWithRecoveredPublications() {
    Publication p1 = new Publication(8, "{\"n\":8}", null, Map.of());
    Publication p2 = new Publication(9, "\"nine\"", ALICE, Map.of("k", "v"));
    SubscribeResult r = new SubscribeResult(true, 120, true, "epoch-x", 9, true, List.of(p1, p2), true, true,
        "[\"sub data\"]");
    JsonObject s = json(ProtocolEncoder.subscribe(3, r)).getJsonObject("subscribe");
    assertThat(s.getBoolean("expires")).isTrue();
    assertThat(s.getLong("ttl")).isEqualTo(120);
    assertThat(s.getBoolean("recoverable")).isTrue();
    assertThat(s.getString("epoch")).isEqualTo("epoch-x");
    assertThat(s.getLong("offset")).isEqualTo(9);
    assertThat(s.getBoolean("positioned")).isTrue();
    assertThat(s.getBoolean("recovered")).isTrue();
    assertThat(s.getBoolean("was_recovering")).isTrue();
    assertThat(s.getValue("data")).isEqualTo(new JsonArray().add("sub data"));
    JsonArray pubs = s.getJsonArray("publications");
    assertThat(pubs).hasSize(2);
    assertThat(pubs.getJsonObject(0))
        .isEqualTo(new JsonObject().put("data", new JsonObject().put("n", 8)).put("offset", 8));
    assertThat(pubs.getJsonObject(1)).isEqualTo(new JsonObject()
        .put("data", "nine")
        .put("info", new JsonObject().put("user", "alice").put("client", "client-a")
            .put("conn_info", new JsonObject().put("name", "Alice")).put("chan_info", new JsonArray().add("mod")))
        .put("offset", 9)
        .put("tags", new JsonObject().put("k", "v")));
  }

  @Test
  void wasRecoveringWithoutRecoveryIsReported() {
    SubscribeResult r = new SubscribeResult(false, 0, true, "e", 5, false, List.of(), false, true, null);
    assertThat(json(ProtocolEncoder.subscribe(3, r)).getJsonObject("subscribe")).isEqualTo(new JsonObject()
        .put("recoverable", true).put("epoch", "e").put("offset", 5).put("was_recovering", true));
  }

  // ---- history, presence, refresh

  @Test
  void historyReply() {
    HistoryResult r = new HistoryResult(new StreamPosition(12, "ep"), List.of(
        new Publication(11, "{\"a\":1}", null, null),
        new Publication(12, "[2]", null, Map.of("t", "x"))));
    JsonObject h = json(ProtocolEncoder.history(4, r)).getJsonObject("history");
    assertThat(h).isEqualTo(new JsonObject()
        .put("publications", new JsonArray()
            .add(new JsonObject().put("data", new JsonObject().put("a", 1)).put("offset", 11))
            .add(new JsonObject().put("data", new JsonArray().add(2)).put("offset", 12)
                .put("tags", new JsonObject().put("t", "x"))))
        .put("epoch", "ep")
        .put("offset", 12));
  }

  @Test
  void emptyHistoryReplyHasOnlyThePosition() {
    HistoryResult r = new HistoryResult(new StreamPosition(0, "ep"), List.of());
    assertThat(json(ProtocolEncoder.history(4, r)))
        .isEqualTo(new JsonObject().put("id", 4).put("history", new JsonObject().put("epoch", "ep")));
  }

  @Test
  void presenceReplyMapsClientIdToInfo() {
    Map<String, ClientInfo> presence = new LinkedHashMap<>();
    presence.put("client-a", ALICE);
    presence.put("client-b", new ClientInfo("", "client-b", null, null));
    JsonObject p = json(ProtocolEncoder.presence(5, presence));
    assertThat(p.getLong("id")).isEqualTo(5);
    assertThat(p.getJsonObject("presence")).isEqualTo(new JsonObject().put("presence", new JsonObject()
        .put("client-a", new JsonObject().put("user", "alice").put("client", "client-a")
            .put("conn_info", new JsonObject().put("name", "Alice")).put("chan_info", new JsonArray().add("mod")))
        .put("client-b", new JsonObject().put("client", "client-b"))));
  }

  @Test
  void emptyPresenceIsAnEmptyMap() {
    assertThat(json(ProtocolEncoder.presence(5, Map.of())).getJsonObject("presence"))
        .isEqualTo(new JsonObject().put("presence", new JsonObject()));
  }

  @Test
  void presenceStatsReply() {
    assertThat(json(ProtocolEncoder.presenceStats(6, new PresenceStats(3, 2)))).isEqualTo(new JsonObject()
        .put("id", 6).put("presence_stats", new JsonObject().put("num_clients", 3).put("num_users", 2)));
    assertThat(json(ProtocolEncoder.presenceStats(6, new PresenceStats(0, 0))).getJsonObject("presence_stats"))
        .isEqualTo(new JsonObject());
  }

  @Test
  void refreshReply() {
    assertThat(json(ProtocolEncoder.refresh(7, "client-1", "1.0", true, 60))).isEqualTo(new JsonObject()
        .put("id", 7).put("refresh", new JsonObject()
            .put("client", "client-1").put("version", "1.0").put("expires", true).put("ttl", 60)));
    assertThat(json(ProtocolEncoder.refresh(7, "client-1", "", false, 0)).getJsonObject("refresh"))
        .isEqualTo(new JsonObject().put("client", "client-1"));
  }

  @Test
  void subRefreshReply() {
    assertThat(json(ProtocolEncoder.subRefresh(8, true, 30))).isEqualTo(new JsonObject()
        .put("id", 8).put("sub_refresh", new JsonObject().put("expires", true).put("ttl", 30)));
    assertThat(json(ProtocolEncoder.subRefresh(8, false, 0)).getJsonObject("sub_refresh")).isEqualTo(new JsonObject());
  }

  // ---- pushes

  @Test
  void publicationPushShape() {
    Publication pub = new Publication(42, "{\"text\":\"hi\",\"n\":[1,2]}", ALICE, Map.of("kind", "chat"));
    JsonObject m = json(ProtocolEncoder.publication("chat:1", pub));
    assertThat(m.fieldNames()).containsExactly("push");
    assertThat(m).isEqualTo(new JsonObject().put("push", new JsonObject()
        .put("channel", "chat:1")
        .put("pub", new JsonObject()
            .put("data", new JsonObject().put("text", "hi").put("n", new JsonArray().add(1).add(2)))
            .put("info", new JsonObject().put("user", "alice").put("client", "client-a")
                .put("conn_info", new JsonObject().put("name", "Alice")).put("chan_info", new JsonArray().add("mod")))
            .put("offset", 42)
            .put("tags", new JsonObject().put("kind", "chat")))));
  }

  @Test
  void publicationDataIsEmbeddedJsonNotAString() {
    String t = text(ProtocolEncoder.publication("c", new Publication(0, "{\"a\":1}", null, null)));
    assertThat(t).isEqualTo("{\"push\":{\"channel\":\"c\",\"pub\":{\"data\":{\"a\":1}}}}");
    JsonObject pub = json(ProtocolEncoder.publication("c", new Publication(0, "\"str\"", null, null)))
        .getJsonObject("push").getJsonObject("pub");
    assertThat(pub.getValue("data")).isEqualTo("str");
    assertThat(pub.containsKey("offset")).isFalse();
    assertThat(pub.containsKey("info")).isFalse();
    assertThat(pub.containsKey("tags")).isFalse();
  }

  @Test
  void joinAndLeavePushShape() {
    JsonObject info = new JsonObject().put("user", "alice").put("client", "client-a")
        .put("conn_info", new JsonObject().put("name", "Alice")).put("chan_info", new JsonArray().add("mod"));
    assertThat(json(ProtocolEncoder.join("room", ALICE))).isEqualTo(new JsonObject().put("push",
        new JsonObject().put("channel", "room").put("join", new JsonObject().put("info", info))));
    assertThat(json(ProtocolEncoder.leave("room", ALICE))).isEqualTo(new JsonObject().put("push",
        new JsonObject().put("channel", "room").put("leave", new JsonObject().put("info", info))));
  }

  @Test
  void anonymousJoinWithoutInfoOmitsEmptyFields() {
    assertThat(json(ProtocolEncoder.join("room", new ClientInfo("", "c-1", null, null)))
        .getJsonObject("push").getJsonObject("join"))
        .isEqualTo(new JsonObject().put("info", new JsonObject().put("client", "c-1")));
  }

  @Test
  void unsubscribePushHasCodeAndReason() {
    assertThat(json(ProtocolEncoder.unsubscribe("news", Unsubscribe.EXPIRED))).isEqualTo(new JsonObject()
        .put("push", new JsonObject().put("channel", "news")
            .put("unsubscribe", new JsonObject().put("code", 2501).put("reason", "subscription expired"))));
  }

  @Test
  void serverSideSubscribePush() {
    SubscribeResult r = new SubscribeResult(true, 99, true, "e", 3, true, List.of(), false, false, "{\"x\":1}");
    assertThat(json(ProtocolEncoder.subscribePush("feed", r))).isEqualTo(new JsonObject()
        .put("push", new JsonObject().put("channel", "feed").put("subscribe", new JsonObject()
            .put("recoverable", true).put("epoch", "e").put("offset", 3).put("positioned", true)
            .put("data", new JsonObject().put("x", 1)))));
  }

  @Test
  void messagePushHasNoChannel() {
    assertThat(json(ProtocolEncoder.message("[1,\"a\"]"))).isEqualTo(new JsonObject()
        .put("push", new JsonObject().put("message", new JsonObject().put("data", new JsonArray().add(1).add("a")))));
  }

  // ---- escaping

  @ParameterizedTest
  @ValueSource(strings = {
      "plain",
      "say \"hi\"",
      "line1\nline2\r\n",
      "tab\there",
      "back\\slash and /slash",
      "control \u0000 \u0001 \u001f \u007f",
      "caf\u00e9 \u65E5\u672C\u8A9E \uD83D\uDE00",
      "</script><!--",
      "\u2028\u2029",
  })
  void stringsRoundTripExactly(String s) {
    Publication pub = new Publication(1, "null", new ClientInfo(s, s, null, null), Map.of(s, s));
    JsonObject push = json(ProtocolEncoder.publication(s, pub)).getJsonObject("push");
    assertThat(push.getString("channel")).isEqualTo(s);
    JsonObject p = push.getJsonObject("pub");
    assertThat(p.getJsonObject("info").getString("user")).isEqualTo(s);
    assertThat(p.getJsonObject("tags").getString(s)).isEqualTo(s);
    assertThat(json(ProtocolEncoder.unsubscribe("c", new Unsubscribe(2000, s)))
        .getJsonObject("push").getJsonObject("unsubscribe").getString("reason")).isEqualTo(s);
    assertThat(json(ProtocolEncoder.error(1, new ProtocolError(107, s, false)))
        .getJsonObject("error").getString("message")).isEqualTo(s);
  }

  @Test
  void controlCharactersAreEscapedAndNonAsciiIsUtf8() {
    byte[] out = ProtocolEncoder.error(1, new ProtocolError(107, "a\u0001b\nc\u00e9", false));
    String t = text(out);
    assertThat(t).doesNotContain("\u0001", "\n");
    assertThat(t).contains("\\u0001", "\\n");
    assertThat(t).contains("\u00e9");
    assertThat(new String(out, StandardCharsets.UTF_8).getBytes(StandardCharsets.UTF_8)).isEqualTo(out);
  }

  // ---- decode → encode

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"a\":1}",
      "{ \"spaced\" : [ 1 , 2 ],\n  \"nested\" : { \"q\" : \"say \\\"hi\\\"\" } }",
      "[\"esc\\n\\t\\u00e9\\/\",\"\u00e9\uD83D\uDE00\",{}]",
      "\"just a string with \\\"quotes\\\"\"",
      "\"lone \\ud800 surrogate\"",
      "{\"lone\":\"\\udc00\"}",
      "12.50",
      "true",
  })
  void dataDecodedFromPublishEncodesBackToTheIdenticalText(String data) throws Exception {
    List<Command> commands = CommandDecoder.decode("{\"id\":1,\"publish\":{\"channel\":\"c\",\"data\":" + data + "}}");
    String raw = ((Request.Publish) commands.get(0).request()).data();
    byte[][] out = new byte[1][];
    assertThatCode(() -> out[0] = ProtocolEncoder.publication("c", new Publication(5, raw, null, null)))
        .doesNotThrowAnyException();
    assertThat(text(out[0])).isEqualTo("{\"push\":{\"channel\":\"c\",\"pub\":{\"data\":" + data + ",\"offset\":5}}}");
    // and it is still valid JSON
    assertThat(json(out[0]).getJsonObject("push").getJsonObject("pub").getLong("offset")).isEqualTo(5);
  }
}
