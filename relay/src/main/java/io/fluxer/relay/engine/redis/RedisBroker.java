package io.fluxer.relay.engine.redis;

import io.fluxer.relay.engine.Broker;
import io.fluxer.relay.engine.BrokerEventHandler;
import io.fluxer.relay.engine.HistoryFilter;
import io.fluxer.relay.engine.PublishOptions;
import io.fluxer.relay.engine.UnrecoverablePositionException;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.HistoryResult;
import io.fluxer.relay.protocol.Publication;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Cluster {@link Broker}: channel history in Redis, shared by every node.
 *
 * <p>Per channel, a stream holds the publications (entry id = offset, trimmed to the history size
 * with {@code MAXLEN}) and a hash holds the epoch and top offset. One Lua script
 * ({@code publish.lua}) assigns the next offset, creates the epoch if the channel has none, appends,
 * trims, sets both keys' expiry and remembers the idempotency key, atomically, so any number of
 * nodes can publish to one channel without duplicate or missing offsets. Reads ({@code history.lua})
 * create an unknown channel's epoch the same way. If Redis loses a channel's hash (restart without
 * persistence, eviction, {@code FLUSHALL}), the next publish or read starts a new epoch and drops the
 * stale stream, so a client recovering from an older position gets {@code recovered: false} instead
 * of a silent gap.
 *
 * <p>Fan-out goes through Redis pub/sub (sharded pub/sub on Redis Cluster, so a publication travels
 * only within its channel's shard), one pub/sub channel per channel: the same script publishes
 * the stored publication there, so every node gets a channel's publications in offset order, and
 * only the nodes subscribed to it ({@link #subscribe}, kept by {@link RedisSubscriber}) get them at
 * all. A repeated idempotency key answers the first position and is published no more. A publication
 * without history goes through the same script, which only publishes it (offset 0), so it keeps its
 * order with the channel's others, also on Redis Cluster (the script runs on the channel's master).
 * Joins and leaves are only published ({@link RedisMessages}).
 *
 * <p>Threading: publishes travel over one pipelined connection owned by one event-loop context (the
 * one current when the broker is created, or a new one when created off Vert.x threads), in the
 * order they were made; Redis runs them in that order. The handler is called from that context as
 * pub/sub messages arrive, so for one channel it sees publications in offset order and never
 * concurrently. Reads use a small connection pool. Returned futures complete on any thread; callers
 * hop back to their own context.
 *
 * <p>Failures: when Redis is unreachable or does not answer within the command timeout, futures fail
 * with an {@link io.fluxer.relay.engine.EngineException} whose {@code temporary()} is true; the
 * connection is re-established by the next operation. A publish that timed out may still be stored
 * and published.
 *
 * <p>Unlike the memory broker, an expired stream meta is dropped by Redis itself, and a publication's
 * history TTL is checked against the Redis clock when history is read.
 */
public final class RedisBroker implements Broker {
  private static final RedisScript PUBLISH = RedisScript.load("publish");
  private static final RedisScript HISTORY = RedisScript.load("history");
  /** Pooled connections for reads, plus the one the publish pipeline keeps. */
  private static final int POOL_SIZE = 8;
  /** Sentinel mode: how often the pipeline's master is compared with the one new connections reach. */
  private static final long MASTER_CHECK_MS = 1500;

  private final Vertx vertx;
  private final Context context;
  private final Redis redis;
  private final RedisKeys keys;
  private final long timeoutMs;
  private final String idempotencyMs;
  private final String defaultMetaTtlMs;
  private volatile BrokerEventHandler handler;
  private final RedisSubscriber subscriber;
  /** Redis Cluster: sharded pub/sub (SPUBLISH), which stays within the channel's shard. */
  private final boolean sharded;
  /** The publish pipeline; only touched on {@link #context}. */
  private RedisConnection pipeline;
  /** A connect in progress for the pipeline; only touched on {@link #context}. */
  private Future<RedisConnection> connecting;
  /** Sentinel mode: the periodic check of the pipeline's master ({@link #checkPipelineMaster}), else -1. */
  private final long masterCheck;
  /** Consecutive checks that found the pipeline on another master than new connections; on {@link #context}. */
  private int masterMismatches;
  private boolean checkingMaster;

  private RedisBroker(Vertx vertx, RedisEngineOptions options) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.context = vertx.getOrCreateContext();
    this.redis = RedisCalls.client(vertx, options, POOL_SIZE);
    this.keys = new RedisKeys(options.prefix());
    this.timeoutMs = options.commandTimeout().toMillis();
    this.idempotencyMs = Long.toString(RedisCalls.ttlMillis(options.idempotencyWindow()));
    this.defaultMetaTtlMs = Long.toString(RedisCalls.ttlMillis(options.defaultMetaTtl()));
    this.sharded = options.topology().mode() == RedisTopology.Mode.CLUSTER;
    this.subscriber = sharded
        ? RedisSubscriber.sharded(vertx, context, options.topology().urls(),
            url -> RedisCalls.nodeClient(vertx, options, url), keys, timeoutMs, () -> handler, this::currentPosition)
        : RedisSubscriber.classic(vertx, context, List.of(redis), keys, timeoutMs, () -> handler,
            this::currentPosition);
    this.masterCheck = options.topology().mode() == RedisTopology.Mode.SENTINEL
        ? vertx.setPeriodic(MASTER_CHECK_MS, id -> onContext(this::checkPipelineMaster))
        : -1;
  }

  /** A broker on Redis at {@code options.url()}; it connects on first use. */
  public static RedisBroker create(Vertx vertx, RedisEngineOptions options) {
    return new RedisBroker(vertx, Objects.requireNonNull(options, "options"));
  }

  @Override
  public void setEventHandler(BrokerEventHandler handler) {
    this.handler = Objects.requireNonNull(handler, "handler");
  }

  @Override
  public Future<StreamPosition> publish(String channel, String data, PublishOptions options) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(options, "options");
    if (handler == null) {
      return Future.failedFuture(new IllegalStateException("no event handler set"));
    }
    Promise<StreamPosition> done = Promise.promise();
    String info = options.info() == null ? "" : RedisCodec.encodeInfo(options.info());
    String tags = options.tags().isEmpty() ? "" : RedisCodec.encodeTags(options.tags());
    List<String> scriptKeys = new ArrayList<>(3);
    scriptKeys.add(keys.stream(channel));
    scriptKeys.add(keys.meta(channel));
    if (options.idempotencyKey() != null) {
      scriptKeys.add(keys.idempotency(channel, options.idempotencyKey()));
    }
    List<String> args = new ArrayList<>(14);
    args.add(Integer.toString(options.historySize()));
    args.add(options.keepsHistory() ? Long.toString(RedisCalls.ttlMillis(options.historyTtl())) : "0");
    args.add(Long.toString(RedisCalls.ttlMillis(options.historyMetaTtl())));
    args.add(idempotencyMs);
    args.add(newEpoch());
    args.add(keys.pubsub(channel));
    args.add(sharded ? "s" : "c");
    args.add(options.delta() ? "1" : "0");
    args.add("d");
    args.add(data);
    if (!info.isEmpty()) {
      args.add("i");
      args.add(info);
    }
    if (!tags.isEmpty()) {
      args.add("t");
      args.add(tags);
    }
    onContext(() -> pipeline()
        .compose(conn -> PUBLISH.run(conn::send, scriptKeys, args).onFailure(e -> dropPipelineAfter(conn, e)))
        .onComplete(ar -> {
          // on the context, in the order Redis ran the scripts
          if (ar.failed()) {
            done.tryFail(RedisCalls.failure("publish", ar.cause()));
            return;
          }
          Response reply = ar.result();
          StreamPosition position;
          try {
            position = parsePosition(reply.get(1).toString());
          } catch (RuntimeException e) {
            done.tryFail(RedisCalls.failure("publish", e));
            return;
          }
          // new, the script published it; a repeated idempotency key was published the first time
          done.tryComplete(position);
        }));
    return RedisCalls.bounded(vertx, timeoutMs, "publish", done.future());
  }

  @Override
  public Future<Void> publishJoin(String channel, ClientInfo info) {
    return publishJoinLeave(channel, RedisMessages.joinLeave(true, info));
  }

  @Override
  public Future<Void> publishLeave(String channel, ClientInfo info) {
    return publishJoinLeave(channel, RedisMessages.joinLeave(false, info));
  }

  private Future<Void> publishJoinLeave(String channel, String message) {
    Objects.requireNonNull(channel, "channel");
    Request request = Request.cmd(sharded ? Command.SPUBLISH : Command.PUBLISH).arg(keys.pubsub(channel)).arg(message);
    Promise<Void> done = Promise.promise();
    onContext(() -> pipeline()
        .compose(conn -> conn.send(request))
        .onComplete(ar -> {
          if (ar.succeeded()) {
            done.tryComplete();
          } else {
            done.tryFail(RedisCalls.failure("publish", ar.cause()));
          }
        }));
    return RedisCalls.bounded(vertx, timeoutMs, "publish", done.future());
  }

  @Override
  public Future<Void> subscribe(String channel) {
    return subscriber.subscribe(Objects.requireNonNull(channel, "channel"));
  }

  @Override
  public void unsubscribe(String channel) {
    subscriber.unsubscribe(Objects.requireNonNull(channel, "channel"));
  }

  /** How many channels this node receives the events of. */
  public int subscribedChannels() {
    return subscriber.channels();
  }

  @Override
  public Future<HistoryResult> history(String channel, HistoryFilter filter) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(filter, "filter");
    StreamPosition since = filter.since();
    List<String> args = List.of(
        newEpoch(),
        defaultMetaTtlMs,
        since == null ? "0" : "1",
        since == null ? "" : since.epoch(),
        since == null ? "0" : Long.toString(since.offset()),
        Integer.toString(filter.limit()),
        filter.reverse() ? "1" : "0");
    Future<Response> reply = HISTORY.run(redis::send, List.of(keys.stream(channel), keys.meta(channel)), args);
    return RedisCalls.bounded(vertx, timeoutMs, "history", RedisCalls.mapped("history", reply)).compose(r -> {
      StreamPosition top = new StreamPosition(r.get(1).toLong(), r.get(0).toString());
      if (r.get(2).toInteger() == 1) {
        return Future.failedFuture(new UnrecoverablePositionException(
            "epoch " + since.epoch() + " is not the current epoch of channel " + channel));
      }
      Response entries = r.get(3);
      List<Publication> publications = new ArrayList<>(entries == null ? 0 : entries.size());
      if (entries != null) {
        for (Response e : entries) {
          String info = e.get(2).toString();
          String tags = e.get(3).toString();
          publications.add(new Publication(e.get(0).toLong(), e.get(1).toString(),
              info.isEmpty() ? null : RedisCodec.decodeInfo(info),
              tags.isEmpty() ? null : RedisCodec.decodeTags(tags)));
        }
      }
      return Future.succeededFuture(new HistoryResult(top, publications));
    });
  }

  /**
   * The channel's epoch and top offset as Redis has them (a new epoch when another master wrote
   * them, as for every read), creating nothing: offset 0 and an empty epoch when there is no meta.
   */
  Future<StreamPosition> currentPosition(String channel) {
    Future<Response> reply = HISTORY.run(redis::send, List.of(keys.stream(channel), keys.meta(channel)),
        List.of(newEpoch(), defaultMetaTtlMs, "0", "", "0", "0", "0", "1"));
    return RedisCalls.bounded(vertx, timeoutMs, "position", RedisCalls.mapped("position", reply))
        .map(r -> new StreamPosition(r.get(1).toLong(), r.get(0).toString()));
  }

  @Override
  public Future<Void> removeHistory(String channel) {
    Objects.requireNonNull(channel, "channel");
    Future<Response> reply = redis.send(Request.cmd(Command.DEL).arg(keys.stream(channel)));
    return RedisCalls.bounded(vertx, timeoutMs, "remove history", RedisCalls.mapped("remove history", reply))
        .mapEmpty();
  }

  /** {@code PING} through the pool, within the command timeout. */
  @Override
  public Future<Void> ping() {
    return RedisCalls.bounded(vertx, timeoutMs, "ping", RedisCalls.mapped("ping", redis.send(Request.cmd(Command.PING))))
        .mapEmpty();
  }

  /** Closes the pub/sub connection, the pipeline and the pool; operations afterwards fail. */
  @Override
  public Future<Void> close() {
    Promise<Void> closed = Promise.promise();
    if (masterCheck >= 0) {
      vertx.cancelTimer(masterCheck);
    }
    subscriber.close().onComplete(v -> onContext(() -> {
      RedisConnection conn = pipeline;
      pipeline = null;
      if (conn != null) {
        conn.close();
      }
      redis.close().onComplete(closed);
    }));
    return closed.future();
  }

  /** Runs {@code action} on the broker's context: at once when already there, else queued in order. */
  private void onContext(Runnable action) {
    if (Vertx.currentContext() == context) {
      action.run();
    } else {
      context.runOnContext(v -> action.run());
    }
  }

  /** The publish pipeline, connecting it first if needed. Only on {@link #context}. */
  private Future<RedisConnection> pipeline() {
    if (pipeline != null) {
      return Future.succeededFuture(pipeline);
    }
    if (connecting != null) {
      return connecting;
    }
    // connect() binds the connection to the current context: this broker's. A Redis that accepts
    // but does not answer must not hold every later publish: the attempt is bounded, and a
    // connection that arrives after it gave up is closed. The attempt is recorded before any handler
    // is attached: one that completes at once (on another loop, before the handler is attached)
    // must not leave its finished future behind as the attempt in progress.
    Promise<RedisConnection> done = Promise.promise();
    Future<RedisConnection> result = done.future();
    connecting = result;
    Future<RedisConnection> attempt = redis.connect();
    RedisCalls.bounded(vertx, timeoutMs, "connect", RedisCalls.mapped("connect", attempt)).onComplete(ar -> {
      if (connecting == result) {
        connecting = null;
      }
      if (ar.succeeded()) {
        RedisConnection conn = ar.result();
        pipeline = conn;
        // these run on the connection's context, which is ours unless ours is a worker context
        conn.exceptionHandler(e -> onContext(() -> dropPipeline(conn)));
        conn.endHandler(v -> onContext(() -> dropPipeline(conn)));
      }
      done.handle(ar);
    });
    attempt.onSuccess(conn -> {
      if (pipeline != conn) {
        conn.close();
      }
    });
    return result;
  }

  /**
   * A publish failed on {@code conn}. When its node no longer takes writes ({@code READONLY} after a
   * failover, {@code NOREPLICAS}, {@code MASTERDOWN}) or the connection is closed without having
   * said so, the next publish connects anew, to the current master (with Sentinel, the one the
   * sentinels name). Other failures (a full queue, a timeout) leave the connection in use.
   */
  private void dropPipelineAfter(RedisConnection conn, Throwable e) {
    String message = String.valueOf(e.getMessage());
    if (message.startsWith("READONLY") || message.startsWith("NOREPLICAS") || message.startsWith("MASTERDOWN")
        || message.equals("Connection is closed")) {
      onContext(() -> dropPipeline(conn));
    }
  }

  /**
   * Sentinel mode. When Sentinel announces a failover, Vert.x moves the pipeline to the master its
   * cached topology names, which may be up to a second old: then the pipeline stays on the old master
   * (whose writes are lost) until Sentinel demotes it, many seconds later. So the pipeline's master
   * is compared, by replication id, with the one a pooled connection reaches; that one's topology is
   * at most a second old, so a difference seen twice, {@link #MASTER_CHECK_MS} apart, is not the
   * pool lagging behind: the pipeline is dropped and the next publish connects to the current master.
   */
  private void checkPipelineMaster() {
    RedisConnection conn = pipeline;
    if (conn == null || checkingMaster) {
      return;
    }
    checkingMaster = true;
    Future<Response> mine = RedisCalls.bounded(vertx, timeoutMs, "master check",
        conn.send(Request.cmd(Command.INFO).arg("replication")));
    Future<Response> current = RedisCalls.bounded(vertx, timeoutMs, "master check",
        redis.send(Request.cmd(Command.INFO).arg("replication")));
    Future.join(mine, current).onComplete(ar -> onContext(() -> {
      checkingMaster = false;
      if (pipeline != conn || mine.failed() || current.failed()) {
        return;
      }
      String a = replicationId(mine.result());
      String b = replicationId(current.result());
      masterMismatches = a != null && b != null && !a.equals(b) ? masterMismatches + 1 : 0;
      if (masterMismatches >= 2) {
        masterMismatches = 0;
        dropPipeline(conn);
      }
    }));
  }

  /** {@code master_replid} of an {@code INFO replication} reply, or {@code null}. */
  private static String replicationId(Response info) {
    if (info == null) {
      return null;
    }
    for (String line : info.toString().split("\r?\n")) {
      if (line.startsWith("master_replid:")) {
        return line.substring("master_replid:".length()).trim();
      }
    }
    return null;
  }

  private void dropPipeline(RedisConnection conn) {
    if (pipeline == conn) {
      pipeline = null;
      conn.close();
    }
  }

  /** {@code "offset:epoch"} as written by {@code publish.lua}. */
  private static StreamPosition parsePosition(String text) {
    int cut = text.indexOf(':');
    return new StreamPosition(Long.parseLong(text.substring(0, cut)), text.substring(cut + 1));
  }

  /**
   * A random epoch for a channel that has none. It is 16 hex digits, longer than the memory broker's:
   * when Redis lost a channel's meta, the previous epoch is unknown, so it cannot be avoided by
   * comparison and only its length makes a repeat unlikely.
   */
  private static String newEpoch() {
    return String.format("%016x", ThreadLocalRandom.current().nextLong());
  }
}
