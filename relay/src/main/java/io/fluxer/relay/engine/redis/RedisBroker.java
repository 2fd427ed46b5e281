package io.fluxer.relay.engine.redis;

import io.fluxer.relay.engine.Broker;
import io.fluxer.relay.engine.BrokerEventHandler;
import io.fluxer.relay.engine.HistoryFilter;
import io.fluxer.relay.engine.HistoryResult;
import io.fluxer.relay.engine.PublishOptions;
import io.fluxer.relay.engine.UnrecoverablePositionException;
import io.fluxer.relay.protocol.ClientInfo;
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
 * <p>Fan-out does not go through Redis: after a publication is stored, it is handed to the
 * {@link BrokerEventHandler} (which puts it on the clustered event bus), as {@code MemoryBroker} does;
 * a repeated idempotency key answers the first position and reaches the handler no more. Joins and
 * leaves go to the handler only.
 *
 * <p>Threading: publishes travel over one pipelined connection owned by one event-loop context (the
 * one current when the broker is created, or a new one when created off Vert.x threads). Redis runs
 * them in the order they were sent and replies in that order, and the handler is called from that
 * context as replies arrive, so for one channel it sees this broker's publications in offset order
 * and never concurrently. Publishes without history and without idempotency key touch no Redis, but
 * still reach the handler on that context. Reads use a small connection pool. Returned futures
 * complete on any thread; callers hop back to their own context.
 *
 * <p>Failures: when Redis is unreachable or does not answer within the command timeout, futures fail
 * with an {@link io.fluxer.relay.engine.EngineException} whose {@code temporary()} is true; the
 * connection is re-established by the next operation. A publish that timed out may still be stored
 * and, once Redis answers, still reaches the handler.
 *
 * <p>Unlike the memory broker, an expired stream meta is dropped by Redis itself, and a publication's
 * history TTL is checked against the Redis clock when history is read.
 */
public final class RedisBroker implements Broker {
  /** Position answered by publishes to channels without history (as the memory broker does). */
  static final StreamPosition NO_STREAM = new StreamPosition(0, "");
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
    BrokerEventHandler h = handler;
    if (h == null) {
      return Future.failedFuture(new IllegalStateException("no event handler set"));
    }
    Promise<StreamPosition> done = Promise.promise();
    if (!options.keepsHistory() && options.idempotencyKey() == null) {
      onContext(() -> handOver(h, channel, new Publication(0, data, options.info(), options.tags(), options.delta()), NO_STREAM,
          done));
      return done.future();
    }
    List<String> scriptKeys = new ArrayList<>(3);
    scriptKeys.add(keys.stream(channel));
    scriptKeys.add(keys.meta(channel));
    if (options.idempotencyKey() != null) {
      scriptKeys.add(keys.idempotency(channel, options.idempotencyKey()));
    }
    List<String> args = new ArrayList<>(11);
    args.add(Integer.toString(options.historySize()));
    args.add(options.keepsHistory() ? Long.toString(RedisCalls.ttlMillis(options.historyTtl())) : "0");
    args.add(Long.toString(RedisCalls.ttlMillis(options.historyMetaTtl())));
    args.add(idempotencyMs);
    args.add(newEpoch());
    args.add("d");
    args.add(data);
    if (options.info() != null) {
      args.add("i");
      args.add(RedisCodec.encodeInfo(options.info()));
    }
    if (!options.tags().isEmpty()) {
      args.add("t");
      args.add(RedisCodec.encodeTags(options.tags()));
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
          if (reply.get(0).toInteger() == 1) {
            done.tryComplete(position); // a repeated idempotency key: published before
          } else {
            handOver(h, channel, new Publication(position.offset(), data, options.info(), options.tags(), options.delta()),
                position, done);
          }
        }));
    return RedisCalls.bounded(vertx, timeoutMs, "publish", done.future());
  }

  @Override
  public Future<Void> publishJoin(String channel, ClientInfo info) {
    return BrokerEventHandler.hand(handler, h -> h.onJoin(channel, info));
  }

  @Override
  public Future<Void> publishLeave(String channel, ClientInfo info) {
    return BrokerEventHandler.hand(handler, h -> h.onLeave(channel, info));
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

  @Override
  public Future<Void> removeHistory(String channel) {
    Objects.requireNonNull(channel, "channel");
    Future<Response> reply = redis.send(Request.cmd(Command.DEL).arg(keys.stream(channel)));
    return RedisCalls.bounded(vertx, timeoutMs, "remove history", RedisCalls.mapped("remove history", reply))
        .mapEmpty();
  }

  /** Closes the pipeline and the pool; operations afterwards fail. */
  @Override
  public Future<Void> close() {
    Promise<Void> closed = Promise.promise();
    if (masterCheck >= 0) {
      vertx.cancelTimer(masterCheck);
    }
    onContext(() -> {
      RedisConnection conn = pipeline;
      pipeline = null;
      if (conn != null) {
        conn.close();
      }
      redis.close().onComplete(closed);
    });
    return closed.future();
  }

  /** Calls the handler and completes {@code done}: failed with what the handler threw, if it threw. */
  private static void handOver(BrokerEventHandler h, String channel, Publication publication,
                               StreamPosition position, Promise<StreamPosition> done) {
    try {
      h.onPublication(channel, publication, position.epoch());
      done.tryComplete(position);
    } catch (RuntimeException e) {
      done.tryFail(e); // the publication stays stored, as with the memory broker
    }
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
