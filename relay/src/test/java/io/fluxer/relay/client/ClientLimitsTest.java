package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.RedisTestServer;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The {@code client.limits} settings and the channel limit on a token's channels, against a real node. */
class ClientLimitsTest extends RelayTestBase {

  private void startWithLimits(JsonObject limits) {
    startRelay(config -> {
      clientSection(config).put("limits", limits);
      clientSection(config).put("channel_limit", 3);
    });
  }

  @Test
  @DisplayName("A frame with more commands than client.limits.max_commands_per_frame closes with 3501")
  void tooManyCommandsInOneFrame() {
    startWithLimits(new JsonObject().put("max_commands_per_frame", 4));
    WsTestClient ok = connected("alice");
    ok.sendRaw(rpcFrame(ok, 4));
    ok.awaitMessages(m -> m.containsKey("error"), 4, SHORT);
    assertThat(ok.isClosed()).isFalse();

    WsTestClient c = connected("alice");
    c.sendRaw(rpcFrame(c, 5));

    assertThat(c.awaitClose(SHORT).code()).isEqualTo((short) 3501);
  }

  @Test
  @DisplayName("More commands than client.limits.max_queued_commands while connect is in flight close with 3013")
  void tooManyQueuedWhileConnecting() {
    // With Redis, subscribing the token's channel takes a round trip, so the connect stays in flight.
    startRelay(config -> {
      clientSection(config).put("limits", new JsonObject().put("max_queued_commands", 2));
      config.put("engine", new JsonObject().put("type", "redis").put("redis_url", RedisTestServer.sharedUrl())
          .put("redis_prefix", unique("limits")));
    });
    WsTestClient c = open();
    String token = relay().token(new JsonObject().put("sub", "alice").put("exp", nowSeconds() + 3600)
        .put("channels", new JsonArray().add(chat("srv"))));
    List<String> frame = new ArrayList<>();
    frame.add(c.command("connect", new JsonObject().put("token", token)).encode());
    for (int i = 0; i < 10; i++) {
      frame.add(c.command("rpc", new JsonObject().put("method", "m")).encode());
    }

    c.sendRaw(String.join("\n", frame));

    assertThat(c.awaitClose(SHORT).code()).isEqualTo((short) 3013);
  }

  @Test
  @DisplayName("A token whose channels claim names more channels than client.channel_limit closes with 3505")
  void tokenChannelsCountAgainstChannelLimit() {
    startWithLimits(new JsonObject());
    JsonArray channels = new JsonArray();
    for (int i = 0; i < 4; i++) {
      channels.add(chat("srv" + i));
    }
    WsTestClient c = open();
    String token = relay().token(new JsonObject().put("sub", "alice").put("exp", nowSeconds() + 3600)
        .put("channels", channels));

    c.send("connect", new JsonObject().put("token", token));

    assertThat(c.awaitClose(SHORT).code()).isEqualTo((short) 3505);
    assertThat(c.messages()).as("no connect reply").isEmpty();
  }

  @Test
  @DisplayName("A user over client.limits.user_connection_limit is refused with 3504; others and anonymous are not")
  void userConnectionLimit() throws InterruptedException {
    startRelay(config -> {
      clientSection(config).put("limits", new JsonObject().put("user_connection_limit", 2));
      clientSection(config).put("allow_anonymous", true);
    });
    WsTestClient first = connected("alice");
    connected("alice");
    WsTestClient third = open();
    third.send("connect", new JsonObject().put("token", relay().token("alice")));

    assertThat(third.awaitClose(SHORT).code()).isEqualTo((short) 3504);
    connected("bob");
    for (int i = 0; i < 3; i++) {
      track(open()).connectWith(null);
    }

    first.close();
    assertThat(connectsWithin("alice", SHORT)).as("a closed connection frees its place").isTrue();
  }

  @Test
  @DisplayName("Over client.limits.command_rate a command kind gets error 111 while other kinds still work")
  void commandRateError() {
    startWithLimits(new JsonObject().put("command_rate", 1).put("command_burst", 3));
    WsTestClient c = connected("alice");

    c.sendRaw(rpcFrame(c, 5));

    List<Integer> codes = c.awaitMessages(m -> m.containsKey("error"), 5, SHORT).stream()
        .map(m -> m.getJsonObject("error").getInteger("code")).collect(Collectors.toList());
    assertThat(codes).containsExactly(104, 104, 104, 111, 111);
    assertThat(c.errorCode("subscribe", new JsonObject().put("channel", chat("room")))).isZero();
  }

  @Test
  @DisplayName("With command_rate_limit_action disconnect, a client over the rate is closed with 3013")
  void commandRateDisconnect() {
    startWithLimits(new JsonObject().put("command_rate", 1).put("command_burst", 3)
        .put("command_rate_limit_action", "disconnect"));
    WsTestClient c = connected("alice");

    c.sendRaw(rpcFrame(c, 5));

    assertThat(c.awaitClose(SHORT).code()).isEqualTo((short) 3013);
  }

  private static String rpcFrame(WsTestClient c, int n) {
    List<String> lines = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      lines.add(c.command("rpc", new JsonObject().put("method", "m")).encode());
    }
    return String.join("\n", lines);
  }

  /** Tries to connect as {@code user} until it succeeds or the deadline passes. */
  private boolean connectsWithin(String user, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      WsTestClient c = track(open());
      c.send("connect", new JsonObject().put("token", relay().token(user)));
      while (c.messages().isEmpty() && !c.isClosed() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      if (c.messages().stream().anyMatch(m -> m.containsKey("connect"))) {
        return true;
      }
    }
    return false;
  }
}
