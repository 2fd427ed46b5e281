package io.fluxer.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code subscribe}, {@code unsubscribe}, {@code disconnect} and {@code refresh} acting on live connections. */
class ServerApiConnectionTest extends ServerApiTestBase {

  @Test
  @DisplayName("subscribe subscribes every connection of the user: each gets a subscribe push, then publications")
  void subscribeAllConnections() {
    String channel = chat("sub");
    WsTestClient one = connected("alice");
    WsTestClient two = connected("alice");
    WsTestClient other = connected("bob");

    assertThat(result("subscribe", new JsonObject().put("user", "alice").put("channel", channel)))
        .isEqualTo(new JsonObject());

    JsonObject push = awaitPush(one, channel, "subscribe");
    assertThat(push.getBoolean("recoverable")).as("chat forces recovery").isTrue();
    awaitPush(two, channel, "subscribe");
    assertThat(channelCounts(channel)).containsEntry(channel, 2);

    result("publish", publishParams(channel, 7));
    assertThat(one.awaitPublications(channel, 1, SHORT).get(0).getInteger("data")).isEqualTo(7);
    assertThat(two.awaitPublications(channel, 1, SHORT).get(0).getInteger("data")).isEqualTo(7);
    assertThat(other.pushCount(channel, "subscribe")).isZero();
  }

  @Test
  @DisplayName("subscribe with client acts on that connection only")
  void subscribeOneClient() {
    String channel = chat("one");
    Connected one = connectedWithId("alice");
    WsTestClient two = connected("alice");

    result("subscribe", new JsonObject().put("user", "alice").put("channel", channel).put("client", one.id()));

    awaitPush(one.ws(), channel, "subscribe");
    assertThat(channelCounts(channel)).isEqualTo(Map.of(channel, 1));
    assertThat(two.pushCount(channel, "subscribe")).isZero();
  }

  @Test
  @DisplayName("subscribe to an unknown channel answers 102, without user or channel 107; nothing is subscribed")
  void subscribeErrors() {
    connected("alice");
    assertThat(error("subscribe", new JsonObject().put("user", "alice").put("channel", "nope:x"))
        .getInteger("code")).isEqualTo(102);
    assertThat(error("subscribe", new JsonObject().put("channel", chat("x"))).getInteger("code")).isEqualTo(107);
    assertThat(error("subscribe", new JsonObject().put("user", "alice")).getInteger("code")).isEqualTo(107);
    assertThat(error("subscribe", new JsonObject().put("user", 5).put("channel", chat("x"))).getString("message"))
        .contains("user");
    assertThat(channelCounts("")).isEmpty();
  }

  @Test
  @DisplayName("unsubscribe ends the subscription with an unsubscribe push, code 2000")
  void unsubscribe() {
    String channel = chat("unsub");
    WsTestClient alice = connected("alice");
    alice.subscribe(channel);

    assertThat(result("unsubscribe", new JsonObject().put("user", "alice").put("channel", channel)))
        .isEqualTo(new JsonObject());

    assertThat(awaitPush(alice, channel, "unsubscribe").getInteger("code")).isEqualTo(2000);
    assertThat(channelCounts(channel)).isEmpty();
    assertThat(error("unsubscribe", new JsonObject().put("channel", channel)).getInteger("code")).isEqualTo(107);
  }

  @Test
  @DisplayName("disconnect closes the user's connections with 3503 by default")
  void disconnectDefault() {
    WsTestClient one = connected("alice");
    WsTestClient two = connected("alice");
    WsTestClient bob = connected("bob");

    assertThat(result("disconnect", new JsonObject().put("user", "alice"))).isEqualTo(new JsonObject());

    WsTestClient.Close close = one.awaitClose(SHORT);
    assertThat(close.code()).isEqualTo((short) 3503);
    assertThat(close.reason()).isEqualTo("force disconnect");
    assertThat(two.awaitClose(SHORT).code()).isEqualTo((short) 3503);
    assertThat(bob.isClosed()).isFalse();
    assertThat(result("info", new JsonObject()).getJsonArray("nodes").getJsonObject(0).getInteger("num_clients"))
        .isEqualTo(1);
  }

  @Test
  @DisplayName("disconnect uses the given code and reason, and spares the whitelisted client")
  void disconnectWithCode() {
    Connected keep = connectedWithId("alice");
    WsTestClient gone = connected("alice");

    result("disconnect", new JsonObject().put("user", "alice").put("whitelist", array(keep.id()))
        .put("disconnect", new JsonObject().put("code", 4000).put("reason", "bye")));

    WsTestClient.Close close = gone.awaitClose(SHORT);
    assertThat(close.code()).isEqualTo((short) 4000);
    assertThat(close.reason()).isEqualTo("bye");
    keep.ws().subscribe(chat("still-open"));
    assertThat(keep.ws().isClosed()).isFalse();
  }

  @Test
  @DisplayName("disconnect with a code outside 3000..4999 answers 107 and closes nothing")
  void disconnectBadCode() {
    WsTestClient alice = connected("alice");

    JsonObject error = error("disconnect", new JsonObject().put("user", "alice")
        .put("disconnect", new JsonObject().put("code", 1000)));
    assertThat(error.getInteger("code")).isEqualTo(107);
    assertThat(error.getString("message")).contains("disconnect.code");
    assertThat(error("disconnect", new JsonObject().put("user", "alice")
        .put("disconnect", new JsonObject().put("code", 5000))).getInteger("code")).isEqualTo(107);
    assertThat(error("disconnect", new JsonObject().put("user", "alice").put("disconnect", "now"))
        .getInteger("code")).isEqualTo(107);

    alice.subscribe(chat("still-open"));
    assertThat(alice.isClosed()).isFalse();
  }

  @Test
  @DisplayName("refresh with expire_at sends a refresh push with the new ttl; expired closes with 3005")
  void refresh() {
    WsTestClient alice = connected("alice");
    long expireAt = System.currentTimeMillis() / 1000 + 600;

    assertThat(result("refresh", new JsonObject().put("user", "alice").put("expire_at", expireAt)))
        .isEqualTo(new JsonObject());

    JsonObject push = awaitPush(alice, "", "refresh");
    assertThat(push.getBoolean("expires")).isTrue();
    assertThat(push.getLong("ttl")).isBetween(590L, 600L);

    result("refresh", new JsonObject().put("user", "alice").put("expired", true));
    assertThat(alice.awaitClose(SHORT).code()).isEqualTo((short) 3005);
  }

  @Test
  @DisplayName("refresh with fields of the wrong type answers 107 and leaves the connection alone")
  void refreshBadInput() {
    WsTestClient alice = connected("alice");
    assertThat(error("refresh", new JsonObject().put("user", "alice").put("expired", "yes")).getString("message"))
        .contains("expired");
    assertThat(error("refresh", new JsonObject().put("user", "alice").put("expire_at", "soon")).getString("message"))
        .contains("expire_at");
    assertThat(error("refresh", new JsonObject().put("expired", true)).getString("message")).contains("user");

    alice.subscribe(chat("still-open"));
    assertThat(alice.isClosed()).isFalse();
    assertThat(alice.pushCount("", "refresh")).isZero();
  }
}
