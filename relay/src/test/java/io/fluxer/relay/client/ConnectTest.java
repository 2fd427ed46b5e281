package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.auth.JwtSigner;
import io.fluxer.relay.node.RelayNode;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The connect handshake, token checks and how malformed input ends a session, against a real node. */
class ConnectTest extends RelayTestBase {

  @Test
  @DisplayName("A valid token connects: the reply carries the client id, ping interval, pong and node")
  void validTokenConnects() {
    WsTestClient c = open();

    JsonObject reply = c.connectWith(relay().token("alice"));

    assertThat(reply.getString("client")).isNotBlank();
    assertThat(reply.getString("version")).isEqualTo(RelayNode.VERSION);
    assertThat(reply.getInteger("ping")).isPositive();
    assertThat(reply.getBoolean("pong")).isTrue();
    assertThat(reply.getString("node")).isEqualTo("test");
    assertThat(reply.containsKey("expires")).as("a one-hour token still expires").isTrue();
    assertThat(c.isClosed()).isFalse();
  }

  @Test
  @DisplayName("An expired token gets error 109 and the socket stays open for a retry with a fresh token")
  void expiredTokenGetsErrorAndSocketStaysOpen() {
    WsTestClient c = open();
    String expired = relay().token(new JsonObject().put("sub", "alice").put("exp", nowSeconds() - 60));

    int code = c.errorCode("connect", new JsonObject().put("token", expired));

    assertThat(code).isEqualTo(109);
    JsonObject retry = c.connectWith(relay().token("alice"));
    assertThat(retry.getString("client")).isNotBlank();
    assertThat(c.isClosed()).isFalse();
  }

  @ParameterizedTest(name = "{0} token")
  @ValueSource(strings = {"forged", "alg-none", "garbage"})
  @DisplayName("A token that does not verify closes the connection with 3500")
  void invalidTokenCloses(String kind) {
    JsonObject claims = new JsonObject().put("sub", "alice").put("exp", nowSeconds() + 3600);
    String token = switch (kind) {
      case "forged" -> JwtSigner.hmac("HS256", "another-secret-0123456789-abcdefgh".getBytes(StandardCharsets.UTF_8))
          .sign(claims);
      case "alg-none" -> base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + base64Url(claims.encode()) + ".";
      default -> "not-a-jwt";
    };
    WsTestClient c = open();

    c.send("connect", new JsonObject().put("token", token));

    assertThat(c.awaitClose(SHORT).code()).isEqualTo((short) 3500);
    assertThat(c.messages()).as("no connect reply").isEmpty();
  }

  @Test
  @DisplayName("Connecting without a token while anonymous access is off closes with 3500")
  void noTokenWithoutAnonymousCloses() {
    WsTestClient c = open();

    c.send("connect", new JsonObject());

    assertThat(c.awaitClose(SHORT).code()).isEqualTo((short) 3500);
  }

  @Test
  @DisplayName("With anonymous access on, connecting without a token succeeds as the empty user")
  void anonymousConnects() {
    startRelay(config -> {
      config.getJsonObject("client").put("allow_anonymous", true);
      chatNamespace(config).put("allow_subscribe_for_anonymous", true);
    });
    WsTestClient c = open();
    String channel = chat("anon");

    JsonObject reply = c.connectWith(null);
    c.subscribe(channel);
    c.publish(channel, new JsonObject().put("n", 1));

    assertThat(reply.getString("client")).isNotBlank();
    JsonObject info = c.awaitPublications(channel, 1, SHORT).get(0).getJsonObject("info");
    assertThat(info.getString("client")).isEqualTo(reply.getString("client"));
    assertThat(info.containsKey("user")).as("empty user is left out: %s", info).isFalse();
  }

  @Test
  @DisplayName("A command before connect closes with 3501")
  void commandBeforeConnectCloses() {
    WsTestClient c = open();

    c.send("subscribe", new JsonObject().put("channel", chat("early")));

    assertThat(c.awaitClose(SHORT).code()).isEqualTo((short) 3501);
  }

  @Test
  @DisplayName("A second connect on the same connection closes with 3501")
  void connectTwiceCloses() {
    WsTestClient c = connected("alice");

    c.send("connect", new JsonObject().put("token", relay().token("alice")));

    assertThat(c.awaitClose(SHORT).code()).isEqualTo((short) 3501);
  }

  @Test
  @DisplayName("A frame that is not JSON closes with 3501, and the server keeps accepting clients")
  void malformedJsonCloses() {
    WsTestClient bad = connected("alice");

    bad.sendRaw("{\"id\":1,\"subscribe\":");

    assertThat(bad.awaitClose(SHORT).code()).isEqualTo((short) 3501);
    WsTestClient next = open();
    assertThat(next.connectWith(relay().token("bob")).getString("client")).isNotBlank();
  }

  @Test
  @DisplayName("A binary frame closes with 3501")
  void binaryFrameCloses() {
    WsTestClient c = connected("alice");

    c.sendFrame(WebSocketFrame.binaryFrame(Buffer.buffer("{\"id\":2,\"presence\":{}}"), true));

    assertThat(c.awaitClose(SHORT).code()).isEqualTo((short) 3501);
  }

  @Test
  @DisplayName("A command with a field of the wrong type gets error 107 and the session goes on")
  void wrongFieldTypeIsBadRequest() {
    WsTestClient c = connected("alice");
    long id = c.send("subscribe", new JsonObject().put("channel", 5));

    JsonObject reply = c.awaitReply(id);

    assertThat(reply.getJsonObject("error").getInteger("code")).isEqualTo(107);
    assertThat(c.subscribe(chat("after-bad")).getBoolean("recoverable")).isTrue();
    assertThat(c.isClosed()).isFalse();
  }

  @Test
  @DisplayName("rpc is answered with error 104 (method not found)")
  void rpcIsNotFound() {
    WsTestClient c = connected("alice");

    int code = c.errorCode("rpc", new JsonObject().put("method", "anything").put("data", new JsonObject()));

    assertThat(code).isEqualTo(104);
    assertThat(c.isClosed()).isFalse();
  }

  @Test
  @DisplayName("send gets no reply and the session goes on")
  void sendGetsNoReply() {
    WsTestClient c = connected("alice");
    int before = c.messages().size();

    c.sendRaw("{\"send\":{\"data\":{\"hello\":true}}}");
    JsonObject stats = c.result("presence_stats", new JsonObject().put("channel", chat("after-send")));

    assertThat(stats).isNotNull();
    List<JsonObject> after = c.messages().subList(before, c.messages().size());
    assertThat(after).as("only the presence_stats reply arrived").hasSize(1);
    assertThat(after.get(0).containsKey("presence_stats")).isTrue();
  }

  @Test
  @DisplayName("A token's channels claim subscribes on connect: subs lists it and publications arrive unasked")
  void serverSideSubscriptions() {
    String channel = chat("srv-x");
    WsTestClient c = open();
    String token = relay().token(new JsonObject().put("sub", "alice").put("exp", nowSeconds() + 3600)
        .put("channels", new JsonArray().add(channel)));

    JsonObject reply = c.connectWith(token);
    connected("bob").publish(channel, new JsonObject().put("text", "hi"));

    assertThat(reply.getJsonObject("subs").fieldNames()).containsExactly(channel);
    assertThat(reply.getJsonObject("subs").getJsonObject(channel).getBoolean("recoverable")).isTrue();
    List<JsonObject> pubs = c.awaitPublications(channel, 1, SHORT);
    assertThat(pubs.get(0).getJsonObject("data")).isEqualTo(new JsonObject().put("text", "hi"));
  }

  private static String base64Url(String json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
