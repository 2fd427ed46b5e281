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
import io.vertx.redis.client.ResponseType;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The node's Redis pub/sub connections: together they are subscribed to the pub/sub channel of every
 * channel the node has subscribers of, and only those, and hand what arrives to the broker's event
 * handler ({@link RedisMessages}).
 *
 * <p>Standalone and Sentinel: one connection ({@link #classic}), classic SUBSCRIBE. Redis Cluster
 * ({@link #sharded}): sharded pub/sub (SSUBSCRIBE, Redis 7.0+), one connection per master, each
 * channel on the master that serves its slot; a sharded publication only travels within its shard,
 * where a classic one is copied to every node of the cluster. Both run the same state machine: a
 * channel is wanted ({@link Interest}) and placed on one {@link Link}.
 *
 * <p>{@link #subscribe} is counted per channel and completes once Redis confirmed the subscription:
 * from then on every publication Redis runs reaches this node, in the order Redis ran them. A
 * confirmation is matched to the latest SUBSCRIBE of its channel, so a channel unsubscribed and
 * subscribed again is not taken as subscribed on the earlier confirmation. When a connection is
 * lost, it reconnects (with a growing delay, as long as some channel is wanted) and subscribes to
 * its channels again; what was published meanwhile did not reach this node. So once a channel is
 * subscribed again, its current stream position is read and handed to the handler
 * ({@link BrokerEventHandler#onPosition}): subscribers behind it get what they miss from history.
 *
 * <p>On a cluster, the slot map is read with {@code CLUSTER SLOTS} from the seed nodes. It is read
 * again when a master's connection is lost or cannot be made (a failed master: its replica takes
 * over its slots), when Redis ends a subscription itself (a {@code sunsubscribe} push: the slot
 * moved away) and when an SSUBSCRIBE is refused ({@code MOVED}, {@code CLUSTERDOWN}); the channels
 * concerned are then subscribed on the master the map names, and handed their position as after a
 * reconnect.
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
  private final RedisKeys keys;
  private final long timeoutMs;
  private final Supplier<BrokerEventHandler> handler;
  /** A channel's current stream position, read without creating one. */
  private final Function<String, Future<StreamPosition>> positions;
  /** Wanted channels by their pub/sub channel name. */
  private final Map<String, Interest> interests = new HashMap<>();
  private boolean closed;

  /** Standalone and Sentinel: the one connection; {@code null} on a cluster. */
  private final Link single;

  /** Cluster: the seed node URLs. */
  private final List<String> seedUrls;
  /** Cluster: a client for one node's URL (owned by this subscriber). */
  private final Function<String, Redis> nodeClient;
  /** Cluster: clients of the seeds, created when first asked for the slot map. */
  private final List<Node> seeds = new ArrayList<>();
  private int nextSeed;
  /** Cluster: the master ({@code host:port}) of each slot as last read, or {@code null} before. */
  private String[] owners;
  /** Cluster: a connection per master, by address. */
  private final Map<String, Link> links = new HashMap<>();
  private boolean refreshing;
  private long refreshTimer = -1;
  private long refreshMs = FIRST_RETRY_MS;

  /** One wanted channel. */
  private static final class Interest {
    final String name;
    /** Cluster: the slot of {@link #name}. */
    final int slot;
    int refs;
    /** The link it is placed on; cluster: {@code null} until the slot map names its master. */
    Link link;
    /** Redis confirmed the latest SUBSCRIBE sent for it on its link's current connection. */
    boolean active;
    /** A SUBSCRIBE for it went out on its link's current connection. */
    boolean sent;
    /** It was active on a connection that was lost, or a master that lost its slot: events may have been missed. */
    boolean missed;
    /** Subscribes waiting for the confirmation. */
    List<Promise<Void>> waiting;

    Interest(String name, int slot) {
      this.name = name;
      this.slot = slot;
    }
  }

  /** A cluster node to read the slot map from, and its host (for a master announced without one). */
  private record Node(Redis client, String host) {}

  /** What a reply on a link answers, in the order the commands went out. */
  private record Sent(boolean subscribe, String name) {}

  private RedisSubscriber(Vertx vertx, Context context, List<Redis> servers, List<String> seedUrls,
                          Function<String, Redis> nodeClient, RedisKeys keys, long timeoutMs,
                          Supplier<BrokerEventHandler> handler, Function<String, Future<StreamPosition>> positions) {
    this.vertx = vertx;
    this.context = context;
    this.keys = keys;
    this.timeoutMs = timeoutMs;
    this.handler = handler;
    this.positions = positions;
    this.seedUrls = seedUrls;
    this.nodeClient = nodeClient;
    this.single = servers == null ? null : new Link(null, servers, false);
  }

  /** One connection to {@code servers} (tried in turn), classic SUBSCRIBE. */
  static RedisSubscriber classic(Vertx vertx, Context context, List<Redis> servers, RedisKeys keys, long timeoutMs,
                                 Supplier<BrokerEventHandler> handler,
                                 Function<String, Future<StreamPosition>> positions) {
    return new RedisSubscriber(vertx, context, List.copyOf(servers), null, null, keys, timeoutMs, handler, positions);
  }

  /**
   * A Redis Cluster reached through {@code seedUrls}: sharded pub/sub, a connection per master.
   * {@code nodeClient} makes a single-node client for a URL; the subscriber closes those it made.
   */
  static RedisSubscriber sharded(Vertx vertx, Context context, List<String> seedUrls,
                                 Function<String, Redis> nodeClient, RedisKeys keys, long timeoutMs,
                                 Supplier<BrokerEventHandler> handler,
                                 Function<String, Future<StreamPosition>> positions) {
    return new RedisSubscriber(vertx, context, null, List.copyOf(seedUrls), nodeClient, keys, timeoutMs, handler,
        positions);
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
      Interest interest = interests.computeIfAbsent(name,
          n -> new Interest(n, single == null ? RedisSlots.slot(n) : -1));
      interest.refs++;
      if (interest.active) {
        result.complete();
        return;
      }
      Link known = interest.link != null ? interest.link : knownLink(interest);
      if (known != null && known.conn == null && (known.retryTimer >= 0 || known.sharded && known.down)) {
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
      place(interest);
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
      if (interest.link != null && interest.sent) {
        interest.link.unsubscribe(name);
      }
    });
  }

  /** How many channels this node is subscribed to, confirmed or not. */
  int channels() {
    return interests.size();
  }

  /** Closes the connections; subscribes afterwards fail. */
  Future<Void> close() {
    Promise<Void> done = Promise.promise();
    onContext(() -> {
      closed = true;
      if (refreshTimer >= 0) {
        vertx.cancelTimer(refreshTimer);
        refreshTimer = -1;
      }
      for (Interest interest : interests.values()) {
        failWaiting(interest, new EngineException("redis subscribe failed: the broker is closed", false));
      }
      interests.clear();
      if (single != null) {
        single.close();
      }
      for (Link link : links.values()) {
        link.close();
        link.servers.forEach(Redis::close);
      }
      seeds.forEach(n -> n.client().close());
      done.complete();
    });
    return done.future();
  }

  /** Sends the interest's SUBSCRIBE, or connects (which sends it), unless it went out already. */
  private void place(Interest interest) {
    if (interest.sent || closed) {
      return;
    }
    Link link = interest.link;
    if (link == null) {
      link = route(interest);
      if (link == null) {
        if (owners == null) {
          refreshSlots();
        } else {
          // the map names no master for the slot: mid-failover
          refreshLater(null);
        }
        return;
      }
      interest.link = link;
    }
    if (link.conn != null) {
      link.send(List.of(interest));
    } else {
      link.connect();
    }
  }

  /** The link for the interest's channel, made if needed; {@code null} when the slot map does not name one. */
  private Link route(Interest interest) {
    if (single != null) {
      return single;
    }
    if (owners == null || owners[interest.slot] == null) {
      return null;
    }
    return links.computeIfAbsent(owners[interest.slot],
        address -> new Link(address, List.of(nodeClient.apply(nodeUrl(address))), true));
  }

  /** The link the interest would go to, if it exists; made by nothing. */
  private Link knownLink(Interest interest) {
    if (single != null) {
      return single;
    }
    return owners == null || owners[interest.slot] == null ? null : links.get(owners[interest.slot]);
  }

  /** Cluster: reads the slot map and places every unplaced channel (moving those on a master that lost its slot). */
  private void refreshSlots() {
    if (closed || refreshing || refreshTimer >= 0 || single != null) {
      return;
    }
    refreshing = true;
    List<Node> candidates = new ArrayList<>(seedNodes());
    for (Link link : links.values()) {
      candidates.add(new Node(link.servers.get(0), link.address.substring(0, link.address.lastIndexOf(':'))));
    }
    readSlots(candidates, 0, null).onComplete(ar -> onContext(() -> {
      refreshing = false;
      if (closed) {
        return;
      }
      if (ar.failed()) {
        for (Interest interest : interests.values()) {
          if (interest.link == null) {
            failWaiting(interest, RedisCalls.failure("subscribe", ar.cause()));
          }
        }
        refreshLater(ar.cause());
        return;
      }
      owners = ar.result();
      for (Interest interest : interests.values()) {
        Link link = interest.link;
        if (link != null && !link.address.equals(owners[interest.slot])) {
          // a failover or a slot migration moved it; if the old master still holds it, it is told
          if (interest.sent && link.conn != null) {
            link.unsubscribe(interest.name);
          }
          unplace(interest);
        }
      }
      for (Interest interest : new ArrayList<>(interests.values())) {
        if (interest.link == null) {
          place(interest);
        }
      }
      // a demoted master keeps the subscriptions it had, and its replica role may refuse SUNSUBSCRIBE:
      // closing the connection ends them
      for (Link link : links.values()) {
        if (link.conn != null && interests.values().stream().noneMatch(i -> i.link == link)) {
          link.close();
        }
      }
    }));
  }

  /** Cluster: {@link #refreshSlots} after a growing delay. */
  private void refreshLater(Throwable cause) {
    if (closed || interests.isEmpty() || refreshTimer >= 0) {
      return;
    }
    LOG.log(Level.WARNING, "redis cluster pub/sub: reading the slot map again in {0} ms ({1})", refreshMs,
        cause == null ? "a master's connection closed, or a slot without master" : cause.getMessage());
    refreshTimer = vertx.setTimer(refreshMs, t -> onContext(() -> {
      refreshTimer = -1;
      refreshSlots();
    }));
    refreshMs = Math.min(MAX_RETRY_MS, refreshMs * 2);
  }

  private Future<String[]> readSlots(List<Node> candidates, int i, Throwable last) {
    if (i >= candidates.size()) {
      return Future.failedFuture(last != null ? last
          : new EngineException("redis subscribe failed: no cluster node to read the slot map from", true));
    }
    Node node = candidates.get(i);
    Future<Response> reply = RedisCalls.bounded(vertx, timeoutMs, "cluster slots",
        RedisCalls.mapped("cluster slots", node.client().send(Request.cmd(Command.CLUSTER).arg("SLOTS"))));
    return reply.map(r -> RedisSlots.owners(r, node.host()))
        .recover(e -> readSlots(candidates, i + 1, e));
  }

  /** The seeds, starting with the next one in turn, so a dead seed is not always asked first. */
  private List<Node> seedNodes() {
    if (seeds.isEmpty()) {
      for (String url : seedUrls) {
        seeds.add(new Node(nodeClient.apply(url), hostOf(url)));
      }
    }
    List<Node> ordered = new ArrayList<>(seeds.size());
    int start = nextSeed++ % seeds.size();
    for (int i = 0; i < seeds.size(); i++) {
      ordered.add(seeds.get((start + i) % seeds.size()));
    }
    return ordered;
  }

  /** A master's URL: the first seed's, with the master's host and port (credentials and scheme kept). */
  private String nodeUrl(String address) {
    String seed = seedUrls.get(0);
    int start = seed.indexOf("//") + 2;
    int at = seed.lastIndexOf('@');
    return seed.substring(0, start) + (at >= start ? seed.substring(start, at + 1) : "") + address;
  }

  /** The host of a {@code redis://[user:pass@]host[:port][/db]} URL. */
  static String hostOf(String url) {
    int start = url.indexOf("//") + 2;
    int at = url.lastIndexOf('@');
    String rest = url.substring(at >= start ? at + 1 : start);
    int end = rest.startsWith("[") ? rest.indexOf(']') + 1 : rest.length();
    for (char stop : new char[] {':', '/'}) {
      int cut = rest.indexOf(stop, rest.startsWith("[") ? end : 0);
      if (cut >= 0) {
        end = Math.min(end, cut);
      }
    }
    return rest.substring(0, end);
  }

  /** Cluster: the interest is on no link now; it was receiving, so it may have missed events. */
  private static void unplace(Interest interest) {
    interest.missed |= interest.active;
    interest.active = false;
    interest.sent = false;
    interest.link = null;
  }

  /** One pub/sub connection (with its reconnects): the node's only one, or a cluster master's. */
  private final class Link {
    /** Cluster: the master's {@code host:port}; else {@code null}. */
    final String address;
    /** Where the connection goes, tried in turn. */
    final List<Redis> servers;
    final boolean sharded;
    int nextServer;
    RedisConnection conn;
    Future<RedisConnection> connecting;
    long retryTimer = -1;
    long retryMs = FIRST_RETRY_MS;
    /** The last connect failed, and none succeeded since. */
    boolean down;
    /** SUBSCRIBEs sent on the current connection and not yet confirmed, by pub/sub channel name. */
    final Map<String, Integer> unconfirmed = new HashMap<>();
    /** What the replies to come on the current connection answer, in order: tells whose an error is. */
    final ArrayDeque<Sent> replies = new ArrayDeque<>();

    Link(String address, List<Redis> servers, boolean sharded) {
      this.address = address;
      this.servers = servers;
      this.sharded = sharded;
    }

    void connect() {
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
          down = ar.failed();
          for (Interest interest : interests.values()) {
            if (interest.link == this) {
              failWaiting(interest, RedisCalls.failure("subscribe", cause));
            }
          }
          lost(ar.cause());
          return;
        }
        RedisConnection c = ar.result();
        conn = c;
        down = false;
        retryMs = FIRST_RETRY_MS;
        c.handler(message -> onContext(() -> receive(c, message)));
        c.exceptionHandler(e -> onContext(() -> drop(c, e)));
        c.endHandler(v -> onContext(() -> drop(c, null)));
        List<Interest> mine = new ArrayList<>();
        for (Interest interest : interests.values()) {
          if (interest.link == this && !interest.sent) {
            mine.add(interest);
          }
        }
        // SSUBSCRIBE takes channels of one slot only: one per command, pipelined
        int batch = sharded ? 1 : BATCH;
        for (int i = 0; i < mine.size(); i += batch) {
          send(mine.subList(i, Math.min(mine.size(), i + batch)));
        }
      }));
    }

    /**
     * No connection now. Standalone/Sentinel: connect again later. Cluster: the master may be gone,
     * so its channels are placed again once the slot map was read again.
     */
    private void lost(Throwable cause) {
      if (!sharded) {
        retryLater(cause);
        return;
      }
      for (Interest interest : interests.values()) {
        if (interest.link == this) {
          unplace(interest);
        }
      }
      refreshLater(cause);
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

    void send(List<Interest> batch) {
      Request request = Request.cmd(sharded ? Command.SSUBSCRIBE : Command.SUBSCRIBE);
      for (Interest interest : batch) {
        request.arg(interest.name);
        interest.sent = true;
        unconfirmed.merge(interest.name, 1, Integer::sum);
        replies.add(new Sent(true, interest.name));
      }
      RedisConnection c = conn;
      c.send(request).onFailure(e -> onContext(() -> drop(c, e)));
    }

    /** A failed UNSUBSCRIBE drops the connection it was sent on, not whichever is current when the failure arrives. */
    void unsubscribe(String name) {
      RedisConnection c = conn;
      if (c == null) {
        return;
      }
      replies.add(new Sent(false, name));
      c.send(Request.cmd(sharded ? Command.SUNSUBSCRIBE : Command.UNSUBSCRIBE).arg(name))
          .onFailure(e -> onContext(() -> drop(c, e)));
    }

    private void receive(RedisConnection from, Response message) {
      if (from != conn || message == null) {
        return;
      }
      if (message.type() == ResponseType.ERROR) {
        refused(message.toString());
        return;
      }
      if (message.size() < 3) {
        return;
      }
      String kind = message.get(0).toString();
      if ("message".equals(kind) || "smessage".equals(kind)) {
        BrokerEventHandler h = handler.get();
        if (h == null) {
          return;
        }
        if (sharded) {
          Interest interest = interests.get(message.get(1).toString());
          if (interest == null || interest.link != this) {
            // a master that lost the slot, before it took our SUNSUBSCRIBE: the new one delivers
            return;
          }
        }
        try {
          RedisMessages.dispatch(h, keys, message.get(1).toString(), message.get(2).toBytes());
        } catch (RuntimeException e) {
          // a message this version cannot read, or a handler bug: the others go on
          LOG.log(Level.WARNING, "redis pub/sub message dropped: {0}", e.toString());
        }
      } else if ("subscribe".equals(kind) || "ssubscribe".equals(kind)) {
        String name = message.get(1).toString();
        Sent head = replies.peek();
        if (head != null && head.subscribe() && head.name().equals(name)) {
          replies.poll();
        }
        confirmed(name);
      } else if ("unsubscribe".equals(kind) || "sunsubscribe".equals(kind)) {
        String name = message.get(1).toString();
        Sent head = replies.peek();
        if (head != null && !head.subscribe() && head.name().equals(name)) {
          replies.poll(); // the answer to ours
        } else if (sharded) {
          movedAway(name);
        }
      }
    }

    /** An error reply: to the command at the head of {@link #replies}. */
    private void refused(String error) {
      Sent head = replies.poll();
      LOG.log(Level.WARNING, "redis pub/sub command refused on {0}: {1}", address == null ? "redis" : address, error);
      if (head == null || !head.subscribe()) {
        if (sharded && head != null) {
          // a refused SUNSUBSCRIBE: this node no longer serves the slot (a demoted master)
          refreshSlots();
        }
        return;
      }
      Integer left = unconfirmed.merge(head.name(), -1, Integer::sum);
      if (left != null && left <= 0) {
        unconfirmed.remove(head.name());
      }
      Interest interest = interests.get(head.name());
      if (!sharded || interest == null || interest.link != this || interest.active) {
        return;
      }
      // MOVED (a stale slot map), CLUSTERDOWN or TRYAGAIN (mid-failover): place it again later
      unplace(interest);
      refreshLater(new EngineException(error, true));
    }

    /** Redis ended the subscription itself: the slot is no longer served here. */
    private void movedAway(String name) {
      Interest interest = interests.get(name);
      if (interest == null || interest.link != this) {
        return;
      }
      unconfirmed.remove(name);
      unplace(interest);
      refreshSlots();
    }

    private void confirmed(String name) {
      Integer left = unconfirmed.merge(name, -1, Integer::sum);
      if (left != null && left > 0) {
        return; // a later SUBSCRIBE of the channel is still on its way
      }
      unconfirmed.remove(name);
      Interest interest = interests.get(name);
      if (interest == null || interest.link != this || !interest.sent) {
        return;
      }
      interest.active = true;
      refreshMs = FIRST_RETRY_MS;
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

    /** The connection is gone: every channel on it is wanted again on the next one. */
    private void drop(RedisConnection c, Throwable cause) {
      if (c != conn) {
        return;
      }
      conn = null;
      c.close();
      unconfirmed.clear();
      replies.clear();
      for (Interest interest : interests.values()) {
        if (interest.link == this) {
          interest.missed |= interest.active;
          interest.active = false;
          interest.sent = false;
        }
      }
      lost(cause);
    }

    void close() {
      if (retryTimer >= 0) {
        vertx.cancelTimer(retryTimer);
        retryTimer = -1;
      }
      RedisConnection c = conn;
      conn = null;
      if (c != null) {
        c.close();
      }
    }
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
