package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.engine.Broker;
import io.fluxer.relay.engine.HistoryFilter;
import io.fluxer.relay.protocol.Disconnect;
import io.fluxer.relay.protocol.HistoryResult;
import io.fluxer.relay.testing.FakeTransport;
import io.fluxer.relay.testing.ForwardingBroker;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A session driven through a {@link FakeTransport}, no socket: the connect rules, the frame and
 * command checks, the order of replies and pushes, rate limits and clean-up.
 */
@ExtendWith(VertxExtension.class)
class ClientSessionTest {

  @Test
  @DisplayName("connect, subscribe, publish: each reply in order, the join after the subscribe reply, the publication after the publish reply")
  void connectSubscribePublish(Vertx vertx) {
    SessionRig rig = new SessionRig(vertx);
    SessionRig.Client c = rig.open();

    JsonObject connect = c.call("connect", new JsonObject().put("token", rig.token("alice")))
        .getJsonObject("connect");
    assertThat(connect.getString("client")).isEqualTo(c.session.clientId());
    assertThat(connect.getString("version")).isEqualTo("0.0.0-test");
    assertThat(connect.getInteger("ping")).isEqualTo(25);
    assertThat(connect.getBoolean("pong")).isTrue();
    assertThat(c.session.connected()).isTrue();
    assertThat(c.session.user()).isEqualTo("alice");

    JsonObject sub = c.subscribe("chat:room");
    assertThat(sub.getBoolean("recoverable")).isTrue();
    assertThat(sub.getString("epoch")).isNotEmpty();
    assertThat(c.session.channels()).containsExactly("chat:room");
    JsonObject join = c.transport.next().getJsonObject("push");
    assertThat(join.getJsonObject("join").getJsonObject("info").getString("user")).as("its own join, after the reply")
        .isEqualTo("alice");

    JsonObject publish = c.call("publish", new JsonObject().put("channel", "chat:room")
        .put("data", new JsonObject().put("text", "hi")));
    assertThat(publish.getJsonObject("publish")).isEqualTo(new JsonObject());
    JsonObject push = c.transport.next().getJsonObject("push");
    assertThat(push.getString("channel")).isEqualTo("chat:room");
    JsonObject pub = push.getJsonObject("pub");
    assertThat(pub.getJsonObject("data")).isEqualTo(new JsonObject().put("text", "hi"));
    assertThat(pub.getLong("offset")).isEqualTo(1L);
    assertThat(pub.getJsonObject("info").getString("user")).isEqualTo("alice");
  }

  @Test
  @DisplayName("Commands in the frame of connect wait for the connect reply and run after it, in order")
  void commandsAfterConnectInOneFrame(Vertx vertx) {
    SessionRig rig = new SessionRig(vertx);
    SessionRig.Client c = rig.open();
    c.sendRaw(new JsonObject().put("id", 1).put("connect", new JsonObject().put("token", rig.token("bob"))).encode()
        + "\n" + new JsonObject().put("id", 2).put("subscribe", new JsonObject().put("channel", "chat:a")).encode()
        + "\n" + new JsonObject().put("id", 3).put("presence_stats", new JsonObject().put("channel", "chat:a")).encode());
    assertThat(c.transport.next().getLong("id")).isEqualTo(1L);
    assertThat(c.transport.next().getLong("id")).isEqualTo(2L);
    JsonObject stats = c.transport.next();
    assertThat(stats.getLong("id")).isEqualTo(3L);
    assertThat(stats.getJsonObject("presence_stats").getInteger("num_clients")).isEqualTo(1);
  }

  @Test
  @DisplayName("Commands sent while the connect is in flight wait, then run after the connect reply, in order")
  void commandsHeldWhileConnecting(Vertx vertx) {
    GatedBroker broker = new GatedBroker();
    SessionRig rig = new SessionRig(vertx, config -> { }, broker::wrapping);
    SessionRig.Client c = rig.open();
    // the token's server-side subscription reads the stream position: the connect waits for the broker
    String token = rig.token(new JsonObject().put("sub", "alice").put("exp", Instant.now().getEpochSecond() + 60)
        .put("channels", new JsonArray().add("chat:srv")));
    c.send("connect", new JsonObject().put("token", token));
    c.send("presence_stats", new JsonObject().put("channel", "chat:srv"));
    c.send("unsubscribe", new JsonObject().put("channel", "chat:srv"));
    assertThat(c.transport.pending()).as("nothing before the connect reply").isZero();

    broker.open();
    assertThat(c.transport.next().getJsonObject("connect").getJsonObject("subs").fieldNames())
        .containsExactly("chat:srv");
    JsonObject stats = c.transport.next();
    assertThat(stats.getLong("id")).isEqualTo(2L);
    assertThat(stats.getJsonObject("presence_stats").getInteger("num_clients")).isEqualTo(1);
    assertThat(c.transport.next().getLong("id")).isEqualTo(3L);
    assertThat(c.session.channels()).isEmpty();
  }

  @Test
  @DisplayName("More commands than client.limits.max_queued_commands while connect is in flight close with 3013")
  void tooManyHeldWhileConnecting(Vertx vertx) {
    GatedBroker broker = new GatedBroker();
    SessionRig rig = new SessionRig(vertx, config -> config.getJsonObject("client")
        .put("limits", new JsonObject().put("max_queued_commands", 2)), broker::wrapping);
    SessionRig.Client c = rig.open();
    String token = rig.token(new JsonObject().put("sub", "alice").put("exp", Instant.now().getEpochSecond() + 60)
        .put("channels", new JsonArray().add("chat:srv")));
    c.send("connect", new JsonObject().put("token", token));
    for (int i = 0; i < 3; i++) {
      c.send("presence_stats", new JsonObject().put("channel", "chat:srv"));
    }
    assertThat(c.transport.closedWith()).isEqualTo(Disconnect.TOO_MANY_REQUESTS);
    broker.open();
  }

  @Test
  @DisplayName("Any command before connect closes the connection with 3501")
  void commandBeforeConnect(Vertx vertx) {
    SessionRig.Client c = new SessionRig(vertx).open();
    c.send("subscribe", new JsonObject().put("channel", "chat:room"));
    assertThat(c.transport.closedWith()).isEqualTo(Disconnect.BAD_REQUEST);
    assertThat(c.transport.pending()).as("no reply").isZero();
    assertThat(c.session.connected()).isFalse();
  }

  @Test
  @DisplayName("A second connect closes the connection with 3501")
  void secondConnect(Vertx vertx) {
    SessionRig rig = new SessionRig(vertx);
    SessionRig.Client c = rig.connected("alice");
    c.send("connect", new JsonObject().put("token", rig.token("alice")));
    assertThat(c.transport.closedWith()).isEqualTo(Disconnect.BAD_REQUEST);
  }

  @Test
  @DisplayName("A message that is not JSON closes with 3501")
  void malformedMessage(Vertx vertx) {
    SessionRig.Client c = new SessionRig(vertx).open();
    c.sendRaw("{\"id\":1,\"connect\":");
    assertThat(c.transport.closedWith()).isEqualTo(Disconnect.BAD_REQUEST);
  }

  @Test
  @DisplayName("A command without an id (other than send) closes with 3501")
  void commandWithoutId(Vertx vertx) {
    SessionRig.Client c = new SessionRig(vertx).connected("alice");
    c.sendRaw(new JsonObject().put("presence", new JsonObject().put("channel", "chat:a")).encode());
    assertThat(c.transport.closedWith()).isEqualTo(Disconnect.BAD_REQUEST);
  }

  @Test
  @DisplayName("More commands in one frame than client.limits.max_commands_per_frame close with 3501")
  void tooManyCommandsInOneFrame(Vertx vertx) {
    SessionRig rig = new SessionRig(vertx, config -> config.getJsonObject("client")
        .put("limits", new JsonObject().put("max_commands_per_frame", 2)));
    SessionRig.Client c = rig.connected("alice");
    String ping = new JsonObject().put("id", 5).put("presence_stats", new JsonObject().put("channel", "chat:a"))
        .encode();
    c.sendRaw(ping + "\n" + ping + "\n" + ping);
    assertThat(c.transport.closedWith()).isEqualTo(Disconnect.BAD_REQUEST);
  }

  @Test
  @DisplayName("An unknown method is answered with 104 and the connection goes on")
  void unknownMethod(Vertx vertx) {
    SessionRig.Client c = new SessionRig(vertx).connected("alice");
    assertThat(c.error("teleport", new JsonObject()).getInteger("code")).isEqualTo(104);
    assertThat(c.call("unsubscribe", new JsonObject().put("channel", "chat:a")).containsKey("unsubscribe")).isTrue();
  }

  @Test
  @DisplayName("A command whose fields cannot be read is answered with 107 naming the problem")
  void invalidCommand(Vertx vertx) {
    SessionRig.Client c = new SessionRig(vertx).connected("alice");
    JsonObject error = c.error("publish", new JsonObject().put("channel", "chat:a"));
    assertThat(error.getInteger("code")).isEqualTo(107);
    assertThat(error.getString("message")).isEqualTo("bad request: data required");
  }

  @Test
  @DisplayName("A pong ({}) gets no reply")
  void pongIsSilent(Vertx vertx) {
    SessionRig.Client c = new SessionRig(vertx).connected("alice");
    c.sendRaw("{}");
    assertThat(c.call("presence_stats", new JsonObject().put("channel", "chat:a")).containsKey("presence_stats"))
        .isTrue();
  }

  @Test
  @DisplayName("Past the command rate: error 111, or close 3013 with command_rate_limit_action disconnect")
  void rateLimit(Vertx vertx) {
    JsonObject limits = new JsonObject().put("command_rate", 1).put("command_burst", 1);
    SessionRig.Client c = new SessionRig(vertx, config -> config.getJsonObject("client").put("limits", limits.copy()))
        .connected("alice");
    JsonObject stats = new JsonObject().put("channel", "chat:a");
    assertThat(c.call("presence_stats", stats).containsKey("presence_stats")).isTrue();
    assertThat(c.error("presence_stats", stats).getInteger("code")).isEqualTo(111);
    assertThat(c.call("subscribe", stats).containsKey("subscribe")).as("another kind, another bucket").isTrue();

    SessionRig.Client d = new SessionRig(vertx, config -> config.getJsonObject("client")
        .put("limits", limits.copy().put("command_rate_limit_action", "disconnect"))).connected("bob");
    d.call("presence_stats", stats);
    d.send("presence_stats", stats);
    assertThat(d.transport.closedWith()).isEqualTo(Disconnect.TOO_MANY_REQUESTS);
  }

  @Test
  @DisplayName("Connect without a token: 3500 unless anonymous connections are allowed")
  void connectWithoutToken(Vertx vertx) {
    SessionRig.Client c = new SessionRig(vertx).open();
    c.send("connect", new JsonObject());
    Disconnect closed = c.transport.closedWith();
    assertThat(closed.code()).isEqualTo(3500);
    assertThat(closed.reason()).isEqualTo("token required");

    SessionRig.Client anonymous = new SessionRig(vertx, config -> config.getJsonObject("client")
        .put("allow_anonymous", true)).open();
    assertThat(anonymous.call("connect", new JsonObject()).containsKey("connect")).isTrue();
    assertThat(anonymous.session.user()).isEmpty();
  }

  @Test
  @DisplayName("Connect with a bad token closes with 3500; with an expired one it is answered with 109")
  void connectWithBadToken(Vertx vertx) {
    SessionRig rig = new SessionRig(vertx);
    SessionRig.Client forged = rig.open();
    forged.send("connect", new JsonObject().put("token", rig.token("alice") + "x"));
    assertThat(forged.transport.closedWith()).isEqualTo(Disconnect.INVALID_TOKEN);

    SessionRig.Client late = rig.open();
    String expired = rig.token(new JsonObject().put("sub", "alice").put("exp", Instant.now().getEpochSecond() - 60));
    assertThat(late.error("connect", new JsonObject().put("token", expired)).getInteger("code")).isEqualTo(109);
    assertThat(late.transport.isClosed()).isFalse();
  }

  @Test
  @DisplayName("On a unidirectional transport the connect reply is a push with the session id, and pong is false")
  void unidirectionalConnect(Vertx vertx) {
    SessionRig rig = new SessionRig(vertx);
    SessionRig.Client c = rig.open(new FakeTransport(true, "s-1"));
    c.send("connect", new JsonObject().put("token", rig.token("alice")));
    JsonObject message = c.transport.next();
    assertThat(message.containsKey("id")).isFalse();
    JsonObject connect = message.getJsonObject("connect");
    assertThat(connect.getString("session")).isEqualTo("s-1");
    assertThat(connect.getBoolean("pong", false)).isFalse();
  }

  @Test
  @DisplayName("A token listing channels subscribes the client on the server's side in the connect reply")
  void serverSideSubscriptions(Vertx vertx) {
    SessionRig rig = new SessionRig(vertx);
    SessionRig.Client c = rig.open();
    String token = rig.token(new JsonObject().put("sub", "alice").put("exp", Instant.now().getEpochSecond() + 60)
        .put("channels", new JsonArray().add("chat:news")));
    JsonObject connect = c.call("connect", new JsonObject().put("token", token)).getJsonObject("connect");
    assertThat(connect.getJsonObject("subs").fieldNames()).containsExactly("chat:news");
    assertThat(c.session.channels()).containsExactly("chat:news");
  }

  /** A broker whose history reads wait until {@link #open}, as a remote engine's round trip would. */
  private static final class GatedBroker {
    private final Promise<Void> gate = Promise.promise();

    Broker wrapping(Broker real) {
      return new ForwardingBroker(real) {
        @Override
        public Future<HistoryResult> history(String channel, HistoryFilter filter) {
          return gate.future().compose(v -> real.history(channel, filter));
        }
      };
    }

    /** Lets the held reads (and later ones) through, from the test's thread. */
    void open() {
      gate.tryComplete();
    }
  }

  @Test
  @DisplayName("When the peer goes away, the session leaves its channels' presence")
  void cleanUpOnPeerClose(Vertx vertx) {
    SessionRig rig = new SessionRig(vertx);
    SessionRig.Client alice = rig.connected("alice");
    alice.subscribe("chat:room");
    SessionRig.Client bob = rig.connected("bob");
    JsonObject channel = new JsonObject().put("channel", "chat:room");
    assertThat(bob.call("presence_stats", channel).getJsonObject("presence_stats").getInteger("num_clients"))
        .isEqualTo(1);
    alice.peerClosed();
    assertThat(bob.call("presence_stats", channel).getJsonObject("presence_stats").getInteger("num_clients", 0))
        .isZero();
    assertThat(rig.hub().sessionCount()).isEqualTo(1);
  }
}
