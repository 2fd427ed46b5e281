package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.LogCapture;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Who may subscribe, publish, read history and presence where, and the errors that say no. Besides
 * {@code chat}, the node has {@code closed} (no client subscriptions, tokens or user-limited
 * channels only), {@code plain} (open subscriptions, nothing else, no user-limited channels),
 * {@code lower} (names must be lower-case letters) and {@code nested} (a regex that backtracks
 * exponentially in java.util.regex); a connection may hold 3 subscriptions.
 */
class SubscribeRulesTest extends RelayTestBase {
  private static final int CHANNEL_LIMIT = 3;

  @BeforeEach
  void startNode() {
    startRelay(config -> {
      clientSection(config).put("channel_limit", CHANNEL_LIMIT);
      addNamespace(config, new JsonObject().put("name", "closed").put("allow_user_limited_channels", true));
      addNamespace(config, new JsonObject().put("name", "plain").put("allow_subscribe_for_client", true));
      addNamespace(config, new JsonObject().put("name", "lower").put("allow_subscribe_for_client", true)
          .put("channel_regex", "[a-z]+").put("allow_user_limited_channels", true));
      addNamespace(config, new JsonObject().put("name", "nested").put("allow_subscribe_for_client", true)
          .put("channel_regex", "(a+)+b"));
    });
  }

  @Test
  @DisplayName("A channel in an unknown namespace is error 102")
  void unknownNamespace() {
    assertThat(subscribeError(connected("alice"), "nowhere:" + unique("x"))).isEqualTo(102);
  }

  @Test
  @DisplayName("An empty channel is error 107")
  void emptyChannel() {
    assertThat(subscribeError(connected("alice"), "")).isEqualTo(107);
  }

  @Test
  @DisplayName("A namespace without allow_subscribe_for_client answers 103")
  void closedNamespaceDenies() {
    assertThat(subscribeError(connected("alice"), "closed:" + unique("room"))).isEqualTo(103);
  }

  @Test
  @DisplayName("In a closed namespace, a user-limited channel admits its listed users only")
  void userLimitedChannel() {
    String channel = "closed:" + unique("dm") + "#alice,bob";

    assertThat(subscribeError(connected("alice"), channel)).isZero();
    assertThat(subscribeError(connected("bob"), channel)).isZero();
    assertThat(subscribeError(connected("carol"), channel)).isEqualTo(103);
  }

  @Test
  @DisplayName("A valid subscription token admits its user to a channel of a closed namespace")
  void subscriptionTokenAdmits() {
    String channel = "closed:" + unique("paid");
    WsTestClient c = connected("alice");

    JsonObject reply = c.call("subscribe", new JsonObject().put("channel", channel)
        .put("token", subToken("alice", channel, nowSeconds() + 3600)));

    assertThat(reply.containsKey("error")).as("reply %s", reply).isFalse();
    assertThat(reply.getJsonObject("subscribe").getBoolean("expires")).isTrue();
    assertThat(reply.getJsonObject("subscribe").getLong("ttl")).isPositive();
  }

  @Test
  @DisplayName("A subscription token for another channel closes the connection with 3500")
  void subscriptionTokenForAnotherChannel() {
    String channel = "closed:" + unique("paid");
    WsTestClient c = connected("alice");

    c.send("subscribe", new JsonObject().put("channel", channel)
        .put("token", subToken("alice", channel + "-other", nowSeconds() + 3600)));

    assertThat(c.awaitClose(SHORT).code()).isEqualTo((short) 3500);
  }

  @Test
  @DisplayName("A subscription token for another user closes the connection with 3500")
  void subscriptionTokenForAnotherUser() {
    String channel = "closed:" + unique("paid");
    WsTestClient c = connected("alice");

    c.send("subscribe", new JsonObject().put("channel", channel)
        .put("token", subToken("mallory", channel, nowSeconds() + 3600)));

    assertThat(c.awaitClose(SHORT).code()).isEqualTo((short) 3500);
  }

  @Test
  @DisplayName("An expired subscription token is error 109 and the connection stays")
  void expiredSubscriptionToken() {
    String channel = "closed:" + unique("paid");
    WsTestClient c = connected("alice");

    int code = subscribeError(c, new JsonObject().put("channel", channel)
        .put("token", subToken("alice", channel, nowSeconds() - 60)));

    assertThat(code).isEqualTo(109);
    assertThat(subscribeError(c, chat("after-expired"))).isZero();
  }

  @Test
  @DisplayName("Subscribing twice to the same channel is error 105")
  void alreadySubscribed() {
    WsTestClient c = connected("alice");
    String channel = chat("twice");
    c.subscribe(channel);

    assertThat(subscribeError(c, channel)).isEqualTo(105);
  }

  @Test
  @DisplayName("A subscription beyond client.channel_limit is error 106")
  void channelLimit() {
    WsTestClient c = connected("alice");
    for (int i = 0; i < CHANNEL_LIMIT; i++) {
      c.subscribe(chat("limit" + i));
    }

    assertThat(subscribeError(c, chat("one-too-many"))).isEqualTo(106);
  }

  @Test
  @DisplayName("A name that does not match the namespace's channel_regex is error 102")
  void channelRegexMismatch() {
    WsTestClient c = connected("alice");

    assertThat(subscribeError(c, "lower:Upper1")).isEqualTo(102);
    assertThat(subscribeError(c, "lower:fine")).isZero();
  }

  @Test
  @DisplayName("A user-limited channel naming a user twice, or an empty user, is 102, logs nothing, and the connection goes on")
  void malformedUserLimitedChannel() {
    WsTestClient c = connected("alice");
    String dm = "closed:" + unique("dm");
    try (LogCapture log = new LogCapture()) {
      assertThat(subscribeError(c, dm + "#alice,alice")).isEqualTo(102);
      assertThat(subscribeError(c, dm + "#alice,")).isEqualTo(102);
      assertThat(subscribeError(c, dm + "#")).isEqualTo(102);
      assertThat(subscribeError(c, dm + "#,alice")).isEqualTo(102);
      assertThat(c.errorCode("publish", new JsonObject().put("channel", dm + "#alice,alice")
          .put("data", new JsonObject()))).isEqualTo(102);
      assertThat(c.errorCode("history", new JsonObject().put("channel", dm + "#bob,bob"))).isEqualTo(102);
      assertThat(subscribeError(c, dm + "#alice,bob")).isZero();
      assertThat(log.lines()).isEmpty();
    }
  }

  @Test
  @DisplayName("User-limited channels exist only where allow_user_limited_channels is set, never in sys")
  void userLimitedNeedsTheNamespaceOption() {
    WsTestClient c = connected("alice");
    assertThat(subscribeError(c, "plain:" + unique("dm") + "#alice,bob")).isEqualTo(102);
    assertThat(subscribeError(c, "chat:" + unique("dm") + "#alice,bob")).isEqualTo(102);
    assertThat(subscribeError(c, "sys:stats#alice")).isEqualTo(102);
    assertThat(subscribeError(c, "plain:" + unique("room"))).isZero();
  }

  @Test
  @DisplayName("channel_regex must match the whole name after the namespace, user list included")
  void channelRegexCoversTheWholeName() {
    WsTestClient c = connected("alice");
    assertThat(subscribeError(c, "lower:abc#alice")).isEqualTo(102);
    assertThat(subscribeError(c, "lower:xabc")).isZero();
    assertThat(subscribeError(c, "lower:abc1")).isEqualTo(102);
  }

  @Test
  @DisplayName("channel_regex runs in linear time: (a+)+b against 40 a's answers at once")
  void channelRegexIsLinear() {
    WsTestClient c = connected("alice");
    long start = System.nanoTime();
    assertThat(subscribeError(c, "nested:" + "a".repeat(40) + "c")).isEqualTo(102);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(subscribeError(c, "nested:aaab")).isZero();
  }

  @Test
  @DisplayName("Publishing in a namespace without allow_publish is error 103, even for a subscriber")
  void publishDenied() {
    WsTestClient c = connected("alice");
    String channel = "plain:" + unique("ro");
    c.subscribe(channel);

    int code = c.errorCode("publish", new JsonObject().put("channel", channel).put("data", new JsonObject()));

    assertThat(code).isEqualTo(103);
  }

  @Test
  @DisplayName("History in a namespace without history is error 108")
  void historyNotAvailable() {
    int code = connected("alice").errorCode("history",
        new JsonObject().put("channel", "plain:" + unique("h")).put("limit", 10));

    assertThat(code).isEqualTo(108);
  }

  @Test
  @DisplayName("Presence and presence_stats in a namespace without presence are error 108")
  void presenceNotAvailable() {
    WsTestClient c = connected("alice");
    JsonObject params = new JsonObject().put("channel", "plain:" + unique("p"));

    assertThat(c.errorCode("presence", params)).isEqualTo(108);
    assertThat(c.errorCode("presence_stats", params)).isEqualTo(108);
  }

  private String subToken(String user, String channel, long exp) {
    return relay().token(new JsonObject().put("sub", user).put("channel", channel).put("exp", exp));
  }

  private static int subscribeError(WsTestClient c, String channel) {
    return subscribeError(c, new JsonObject().put("channel", channel));
  }

  private static int subscribeError(WsTestClient c, JsonObject params) {
    return c.errorCode("subscribe", params);
  }
}
