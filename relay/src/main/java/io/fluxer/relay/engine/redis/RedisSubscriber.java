package io.fluxer.relay.engine.redis;

import io.fluxer.relay.engine.BrokerEventHandler;
import io.fluxer.relay.engine.EngineException;
import io.fluxer.relay.protocol.StreamPosition;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The node's Redis pub/sub connection: it is subscribed to the pub/sub channel of every channel the
 * node has subscribers of, and only those, and hands what arrives to the broker's event handler
 * ({@link RedisMessages}).
 *
 * <p>{@link #subscribe} is counted per channel and completes once Redis confirmed the subscription:
 * from then on every publication Redis runs reaches this node, in the order Redis ran them. A
 * confirmation is matched to the latest SUBSCRIBE of its channel, so a channel unsubscribed and
 * subscribed again is not taken as subscribed on the earlier confirmation. When the connection is
 * lost, it reconnects (with a growing delay, as long as some channel is wanted) and subscribes to
 * every wanted channel again; what was published meanwhile did not reach this node. So once a
 * channel is subscribed again, its current stream position is read and handed to the handler
 * ({@link BrokerEventHandler#onPosition}): subscribers behind it get what they miss from history.
 *
 * <p>All state lives on the broker's context.
 */
final class RedisSubscriber {
  private static final Logger LOG = System.getLogger(RedisSubscriber.class.getName());
  /** Channels per SUBSCRIBE when subscribing again after a reconnect. */
  private static final int BATCH = 512;
  private static final long FIRST_RETRY_MS = 100;
  private static final long MAX_RETRY_MS = 5_000;

  private final Vertx vertx;
  private final Context context;
  /** Where the connection goes, tried in turn (one, or a Redis Cluster's seed nodes). */
  private final List<Redis> servers;
  private int nextServer;
  private final RedisKeys keys;
  private final long timeoutMs;
  private final Supplier<BrokerEventHandler> handler;
  /** A channel's current stream position, read without creating one. */
  private final Function<String, Future<StreamPosition>> positions;
  /** Wanted channels by their pub/sub channel name. */
  private final Map<String, Interest> interests = new HashMap<>();
  /** SUBSCRIBEs sent on the current connection and not yet confirmed, by pub/sub channel name. */
  private final Map<String, Integer> unconfirmed = new HashMap<>();
  private RedisConnection conn;
  private Future<RedisConnection> connecting;
  private long retryTimer = -1;
  private long retryMs = FIRST_RETRY_MS;
  private boolean closed;

  /** One wanted channel. */
  private static final class Interest {
    final String name;
    int refs;
    /** Redis confirmed the latest SUBSCRIBE sent for it on the current connection. */
    boolean active;
    /** A SUBSCRIBE for it went out on the current connection. */
    boolean sent;
    /** It was active on a connection that was lost: events may have been missed. */
    boolean missed;
    /** Subscribes waiting for the confirmation. */
    List<Promise<Void>> waiting;

    Interest(String name) {
      this.name = name;
    }
  }

  RedisSubscriber(Vertx vertx, Context context, List<Redis> servers, RedisKeys keys, long timeoutMs,
                  Supplier<BrokerEventHandler> handler, Function<String, Future<StreamPosition>> positions) {
    this.positions = positions;
    this.vertx = vertx;
    this.context = context;
    this.servers = servers;
    this.keys = keys;
    this.timeoutMs = timeoutMs;
    this.handler = handler;
  }

  /** See {@link io.fluxer.relay.engine.Broker#subscribe}. */
  Future<Void> subscribe(String channel) {
    Promise<Void> result = Promise.promise();
    onContext(() -> {
      if (closed) {
        result.fail(new EngineException("redis subscribe failed: the broker is closed", false));
        return;
      }
      String name = keys.pubsub(channel);
      Interest interest = interests.computeIfAbsent(name, Interest::new);
      interest.refs++;
      if (interest.active) {
        result.complete();
        return;
      }
      if (conn == null && retryTimer >= 0) {
        // the last connect failed a moment ago: say so now rather than after the timeout
        result.fail(new EngineException("redis subscribe failed: no pub/sub connection (Redis unreachable)", true));
        return;
      }
      if (interest.waiting == null) {
        interest.waiting = new ArrayList<>(1);
      }
      interest.waiting.add(result);
      long timer = vertx.setTimer(timeoutMs, t -> onContext(() -> {
        if (interest.waiting != null && interest.waiting.remove(result)) {
          result.fail(new EngineException("redis subscribe failed: not confirmed within " + timeoutMs + "ms", true));
        }
      }));
      result.future().onComplete(ar -> vertx.cancelTimer(timer));
      if (conn != null && !interest.sent) {
        send(List.of(interest));
      } else if (conn == null) {
        connect();
      }
    });
    return result.future();
  }

  /** See {@link io.fluxer.relay.engine.Broker#unsubscribe}. */
  void unsubscribe(String channel) {
    onContext(() -> {
      String name = keys.pubsub(channel);
      Interest interest = interests.get(name);
      if (interest == null || --interest.refs > 0) {
        return;
      }
      interests.remove(name);
      failWaiting(interest, new EngineException("redis subscribe failed: unsubscribed meanwhile", true));
      RedisConnection c = conn;
      if (c != null && interest.sent) {
        c.send(Request.cmd(Command.UNSUBSCRIBE).arg(name)).onFailure(e -> onContext(() -> drop(c, e)));
      }
    });
  }

  /** How many channels this node is subscribed to, confirmed or not. */
  int channels() {
    return interests.size();
  }

  /** Closes the connection; subscribes afterwards fail. */
  Future<Void> close() {
    Promise<Void> done = Promise.promise();
    onContext(() -> {
      closed = true;
      if (retryTimer >= 0) {
        vertx.cancelTimer(retryTimer);
        retryTimer = -1;
      }
      for (Interest interest : interests.values()) {
        failWaiting(interest, new EngineException("redis subscribe failed: the broker is closed", false));
      }
      interests.clear();
      RedisConnection c = conn;
      conn = null;
      if (c != null) {
        c.close();
      }
      done.complete();
    });
    return done.future();
  }

  private void connect() {
    if (connecting != null || conn != null || closed || retryTimer >= 0) {
      return;
    }
    Promise<RedisConnection> attempt = Promise.promise();
    connecting = attempt.future();
    boolean[] gaveUp = new boolean[1];
    Future<RedisConnection> connected = servers.get(nextServer++ % servers.size()).connect();
    connected.onSuccess(c -> onContext(() -> {
      if (gaveUp[0]) {
        c.close(); // arrived after the attempt gave up
      }
    }));
    // named, so an operator (or a test) can tell it in CLIENT LIST
    Future<RedisConnection> named = connected.compose(c -> c
        .send(Request.cmd(Command.CLIENT).arg("SETNAME").arg(keys.pubsubClientName())).map(c));
    RedisCalls.bounded(vertx, timeoutMs, "connect", RedisCalls.mapped("connect", named)).onComplete(attempt);
    attempt.future().onComplete(ar -> onContext(() -> {
      connecting = null;
      if (ar.failed() || closed) {
        gaveUp[0] = true;
        if (connected.succeeded()) {
          connected.result().close();
        }
        Throwable cause = ar.failed() ? ar.cause() : new EngineException("redis subscribe failed: closed", false);
        for (Interest interest : interests.values()) {
          failWaiting(interest, RedisCalls.failure("subscribe", cause));
        }
        retryLater(ar.cause());
        return;
      }
      RedisConnection c = ar.result();
      conn = c;
      retryMs = FIRST_RETRY_MS;
      c.handler(message -> onContext(() -> receive(c, message)));
      c.exceptionHandler(e -> onContext(() -> drop(c, e)));
      c.endHandler(v -> onContext(() -> drop(c, null)));
      List<Interest> all = new ArrayList<>(interests.values());
      for (int i = 0; i < all.size(); i += BATCH) {
        send(all.subList(i, Math.min(all.size(), i + BATCH)));
      }
    }));
  }

  private void retryLater(Throwable cause) {
    if (closed || interests.isEmpty()) {
      return;
    }
    LOG.log(Level.WARNING, "redis pub/sub connection failed ({0}); trying again in {1} ms",
        cause == null ? "closed" : cause.getMessage(), retryMs);
    retryTimer = vertx.setTimer(retryMs, t -> onContext(() -> {
      retryTimer = -1;
      connect();
    }));
    retryMs = Math.min(MAX_RETRY_MS, retryMs * 2);
  }

  private void send(List<Interest> batch) {
    Request request = Request.cmd(Command.SUBSCRIBE);
    for (Interest interest : batch) {
      request.arg(interest.name);
      interest.sent = true;
      unconfirmed.merge(interest.name, 1, Integer::sum);
    }
    RedisConnection c = conn;
    c.send(request).onFailure(e -> onContext(() -> drop(c, e)));
  }

  private void receive(RedisConnection from, Response message) {
    if (from != conn || message == null || message.size() < 3) {
      return;
    }
    String kind = message.get(0).toString();
    if ("message".equals(kind)) {
      BrokerEventHandler h = handler.get();
      if (h == null) {
        return;
      }
      try {
        RedisMessages.dispatch(h, keys, message.get(1).toString(), message.get(2).toBytes());
      } catch (RuntimeException e) {
        // a message this version cannot read, or a handler bug: the others go on
        LOG.log(Level.WARNING, "redis pub/sub message dropped: {0}", e.toString());
      }
    } else if ("subscribe".equals(kind)) {
      confirmed(message.get(1).toString());
    }
  }

  private void confirmed(String name) {
    Integer left = unconfirmed.merge(name, -1, Integer::sum);
    if (left != null && left > 0) {
      return; // a later SUBSCRIBE of the channel is still on its way
    }
    unconfirmed.remove(name);
    Interest interest = interests.get(name);
    if (interest == null || !interest.sent) {
      return;
    }
    interest.active = true;
    if (interest.missed) {
      interest.missed = false;
      handOverPosition(name);
    }
    List<Promise<Void>> waiting = interest.waiting;
    interest.waiting = null;
    if (waiting != null) {
      waiting.forEach(Promise::tryComplete);
    }
  }

  /** The connection is gone: every channel is wanted again on the next one. */
  private void drop(RedisConnection c, Throwable cause) {
    if (c != conn) {
      return;
    }
    conn = null;
    c.close();
    unconfirmed.clear();
    for (Interest interest : interests.values()) {
      interest.missed |= interest.active;
      interest.active = false;
      interest.sent = false;
    }
    retryLater(cause);
  }

  /** Reads the channel's position after a resubscribe and hands it over, on this context. */
  private void handOverPosition(String name) {
    String channel = keys.channelOfPubsub(name);
    positions.apply(channel).onComplete(ar -> onContext(() -> {
      BrokerEventHandler h = handler.get();
      if (ar.failed() || h == null || !interests.containsKey(name)) {
        // unread: the next publication still shows a gap to those behind
        return;
      }
      try {
        h.onPosition(channel, ar.result());
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "position hand-over failed: {0}", e.toString());
      }
    }));
  }

  private static void failWaiting(Interest interest, Throwable cause) {
    List<Promise<Void>> waiting = interest.waiting;
    interest.waiting = null;
    if (waiting != null) {
      waiting.forEach(p -> p.tryFail(cause));
    }
  }

  private void onContext(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }
}
