package io.fluxer.relay.client;

import io.fluxer.relay.auth.JwtSigner;
import io.fluxer.relay.auth.TokenVerifier;
import io.fluxer.relay.channel.Namespaces;
import io.fluxer.relay.config.RelayConfig;
import io.fluxer.relay.engine.Broker;
import io.fluxer.relay.engine.BrokerEventHandler;
import io.fluxer.relay.engine.memory.MemoryBroker;
import io.fluxer.relay.engine.memory.MemoryPresenceManager;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.Publication;
import io.fluxer.relay.testing.FakeTransport;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * Sessions on one event loop of a node that has no server: the memory engines, the test token
 * secret and the default test namespaces ({@link TestRelay#defaultConfig}), a {@link Hub} fed by the
 * broker directly, and clients whose transport is a {@link FakeTransport}. No socket is opened.
 */
final class SessionRig {
  private final Vertx vertx;
  private final Context context;
  private final Hub hub = new Hub();
  private final RelayContext relay;
  private final JwtSigner signer = JwtSigner.hmac("HS256", TestRelay.SECRET.getBytes(StandardCharsets.UTF_8));

  /** A rig with the default test config changed by {@code customize}. */
  SessionRig(Vertx vertx, Consumer<JsonObject> customize) {
    this(vertx, customize, UnaryOperator.identity());
  }

  /** A rig whose sessions use the broker {@code wrap} makes of the memory broker. */
  SessionRig(Vertx vertx, Consumer<JsonObject> customize, UnaryOperator<Broker> wrap) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    JsonObject json = TestRelay.defaultConfig();
    customize.accept(json);
    RelayConfig config = RelayConfig.fromJson(json);
    MemoryBroker broker = new MemoryBroker();
    broker.setEventHandler(new ToHub());
    relay = new RelayContext("test", "0.0.0-test", config.client(), new Namespaces(config.channel().withReserved()),
        TokenVerifier.create(config.token()), wrap.apply(broker), new MemoryPresenceManager(), Duration.ZERO);
  }

  SessionRig(Vertx vertx) {
    this(vertx, config -> { });
  }

  RelayContext relay() {
    return relay;
  }

  Hub hub() {
    return hub;
  }

  /** A new session over a bidirectional fake transport; it has not sent connect. */
  Client open() {
    return open(new FakeTransport());
  }

  Client open(FakeTransport transport) {
    ClientSession[] session = new ClientSession[1];
    onLoop(() -> session[0] = new ClientSession(relay, vertx, context, hub, transport));
    return new Client(session[0], transport);
  }

  /** A session that sent connect as {@code user} (command id 1) and took the connect reply. */
  Client connected(String user) {
    Client c = open();
    JsonObject reply = c.call("connect", new JsonObject().put("token", token(user)));
    if (!reply.containsKey("connect")) {
      throw new AssertionError("connect refused: " + reply.encode());
    }
    return c;
  }

  /** A connection token for {@code user}, valid for an hour. */
  String token(String user) {
    return token(new JsonObject().put("sub", user).put("exp", Instant.now().getEpochSecond() + 3600));
  }

  String token(JsonObject claims) {
    return signer.sign(claims);
  }

  /** Runs {@code action} on the sessions' event loop and waits for it. */
  void onLoop(Runnable action) {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      try {
        action.run();
        done.complete();
      } catch (RuntimeException | AssertionError e) {
        done.fail(e);
      }
    });
    TestRelay.await(done.future());
  }

  /** Hands the broker's events to the hub on the sessions' loop, as the event bus would. */
  private final class ToHub implements BrokerEventHandler {
    @Override
    public void onPublication(String channel, Publication publication, String epoch) {
      Delivery d = Delivery.publication(channel, publication, epoch, 0);
      context.runOnContext(v -> hub.deliverPublication(d));
    }

    @Override
    public void onJoin(String channel, ClientInfo info) {
      Delivery d = Delivery.join(channel, info);
      context.runOnContext(v -> hub.deliverJoinLeave(d));
    }

    @Override
    public void onLeave(String channel, ClientInfo info) {
      Delivery d = Delivery.leave(channel, info);
      context.runOnContext(v -> hub.deliverJoinLeave(d));
    }
  }

  /** One client: its session, the fake transport it writes to, and command ids counting from 1. */
  final class Client {
    final ClientSession session;
    final FakeTransport transport;
    private long nextId = 1;

    Client(ClientSession session, FakeTransport transport) {
      this.session = session;
      this.transport = transport;
    }

    /** Sends one raw message (one or more commands, newline-separated) on the session's loop. */
    void sendRaw(String message) {
      onLoop(() -> session.handleMessage(message));
    }

    /** Sends {@code {"id": n, method: params}} and returns n. */
    long send(String method, JsonObject params) {
      long id = nextId++;
      sendRaw(new JsonObject().put("id", id).put(method, params).encode());
      return id;
    }

    /** Sends a command and returns the next message written, which the caller expects to be its reply. */
    JsonObject call(String method, JsonObject params) {
      long id = send(method, params);
      JsonObject reply = transport.next();
      if (reply.getLong("id", 0L) != id) {
        throw new AssertionError("expected the reply to " + id + ", got " + reply.encode());
      }
      return reply;
    }

    /** The error a command is answered with: {@code {"code", "message"}}, or fails if it succeeded. */
    JsonObject error(String method, JsonObject params) {
      JsonObject reply = call(method, params);
      if (!reply.containsKey("error")) {
        throw new AssertionError("expected an error, got " + reply.encode());
      }
      return reply.getJsonObject("error");
    }

    /** Subscribes to {@code channel} and returns the subscribe result. */
    JsonObject subscribe(String channel) {
      JsonObject reply = call("subscribe", new JsonObject().put("channel", channel));
      if (!reply.containsKey("subscribe")) {
        throw new AssertionError("subscribe refused: " + reply.encode());
      }
      return reply.getJsonObject("subscribe");
    }

    /** The peer goes away. */
    void peerClosed() {
      onLoop(transport::peerClosed);
    }
  }
}
