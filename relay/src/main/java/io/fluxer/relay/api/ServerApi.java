package io.fluxer.relay.api;

import io.fluxer.relay.api.ApiRequests.Batch;
import io.fluxer.relay.api.ApiRequests.BatchCommand;
import io.fluxer.relay.api.ApiRequests.Broadcast;
import io.fluxer.relay.api.ApiRequests.ChannelOnly;
import io.fluxer.relay.api.ApiRequests.Channels;
import io.fluxer.relay.api.ApiRequests.DisconnectUser;
import io.fluxer.relay.api.ApiRequests.History;
import io.fluxer.relay.api.ApiRequests.Publish;
import io.fluxer.relay.api.ApiRequests.Refresh;
import io.fluxer.relay.api.ApiRequests.UserChannel;
import io.fluxer.relay.client.EventLoops;
import io.fluxer.relay.client.NodeInfo;
import io.fluxer.relay.client.RelayContext;
import io.fluxer.relay.config.Role;
import io.fluxer.relay.engine.FailureLog;
import io.fluxer.relay.engine.UnrecoverablePositionException;
import io.fluxer.relay.protocol.ProtocolError;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The Centrifugo-compatible server API of one node, without HTTP: {@link #call} takes a method name
 * and its JSON params and completes with the reply object, {@code {"result":…}} or
 * {@code {"error":{"code","message"}}} ({@code batch}: {@code {"replies":[…]}}). The returned future
 * never fails. Params are parsed into typed requests before anything happens, so a bad request
 * changes nothing. Thread-safe and non-blocking: one instance serves every event loop.
 */
public final class ServerApi {
  private static final FailureLog FAILURES =
      new FailureLog(System.getLogger(ServerApi.class.getName()), "server API call failed", 10_000);

  private final PublishOps publish;
  private final ReadOps reads;
  private final ConnectionOps connections;
  private final NodeOps node;
  private final EveryNode everyNode;
  private final int maxBatchSize;

  /**
   * Told of each call that acts on users' connections ({@code disconnect}, {@code unsubscribe}), inside
   * a batch too, once it ended: the method, its params and the reply (for the audit log).
   */
  @FunctionalInterface
  public interface ConnectionActions {
    void acted(ApiMethod method, JsonObject params, JsonObject reply);
  }

  /**
   * The API of the node {@code self} describes, publishing and reading through {@code relay}'s
   * engines, acting on the sessions of its {@code loops} and, through {@code bus}, on those of the
   * {@code otherNodes} (their ids now; empty when not clustered).
   */
  public ServerApi(RelayContext relay, EventLoops loops, Supplier<NodeInfo> self, EventBus bus,
      Supplier<List<String>> otherNodes, int maxBatchSize) {
    this.publish = new PublishOps(relay);
    this.reads = new ReadOps(relay);
    this.connections = new ConnectionOps(loops, relay.namespaces());
    this.node = new NodeOps(loops, self);
    this.everyNode = new EveryNode(bus, otherNodes);
    this.maxBatchSize = maxBatchSize;
  }

  /** Calls {@code method} with full rights, as the server itself (e.g. from inside the cluster). */
  public Future<JsonObject> call(String method, JsonObject params) {
    return call(method, params, Role.ADMIN);
  }

  /**
   * Calls {@code method} for a caller holding {@code role} ({@code null}: none): a method needing
   * more answers error 103, and so does each command of a batch that needs more.
   */
  public Future<JsonObject> call(String method, JsonObject params, Role role) {
    return call(method, params, role, null);
  }

  /** {@link #call(String, JsonObject, Role)}, telling {@code actions} (may be null) of what acted on connections. */
  public Future<JsonObject> call(String method, JsonObject params, Role role, ConnectionActions actions) {
    ApiMethod m = ApiMethod.of(method);
    if (m == null) {
      return Future.succeededFuture(ApiError.reply(ProtocolError.METHOD_NOT_FOUND));
    }
    if (role == null || !role.includes(m.role())) {
      return Future.succeededFuture(ApiError.reply(ProtocolError.PERMISSION_DENIED));
    }
    JsonObject p = params == null ? new JsonObject() : params;
    if (m == ApiMethod.BATCH) {
      return guard(() -> batch(boundedBatch(p), role, actions)).otherwise(ServerApi::errorReply);
    }
    Future<JsonObject> reply = guard(() -> execute(m, p))
        .map(result -> new JsonObject().put("result", result))
        .otherwise(ServerApi::errorReply);
    if (actions != null && (m == ApiMethod.DISCONNECT || m == ApiMethod.UNSUBSCRIBE)) {
      reply.onSuccess(r -> actions.acted(m, p, r));
    }
    return reply;
  }

  private Future<JsonObject> execute(ApiMethod m, JsonObject p) {
    return switch (m) {
      case PUBLISH -> publish.publish(Publish.parse(p));
      case BROADCAST -> publish.broadcast(Broadcast.parse(p));
      case SUBSCRIBE, UNSUBSCRIBE, DISCONNECT, REFRESH ->
          everyNode.call(m.id(), p, localPart(m, p)).map(results -> new JsonObject());
      case PRESENCE -> reads.presence(ChannelOnly.parse(p));
      case PRESENCE_STATS -> reads.presenceStats(ChannelOnly.parse(p));
      case HISTORY -> reads.history(History.parse(p));
      case HISTORY_REMOVE -> reads.historyRemove(ChannelOnly.parse(p));
      case CHANNELS -> everyNode.call(m.id(), p, localPart(m, p)).map(NodeOps::mergeChannels);
      case INFO -> everyNode.call(m.id(), p, localPart(m, p)).map(NodeOps::mergeInfo);
      case BATCH -> throw ApiError.badRequest("batch cannot be nested");
    };
  }

  /**
   * The part of {@code m} that acts on this node's own connections, with {@code p} parsed (and
   * checked) now, so a bad request fails before any node acts; {@code null} for the other methods.
   */
  private Supplier<Future<JsonObject>> localPart(ApiMethod m, JsonObject p) {
    return switch (m) {
      case SUBSCRIBE -> {
        UserChannel r = UserChannel.parse(p);
        connections.checkSubscribe(r);
        yield () -> connections.subscribe(r);
      }
      case UNSUBSCRIBE -> {
        UserChannel r = UserChannel.parse(p);
        yield () -> connections.unsubscribe(r);
      }
      case DISCONNECT -> {
        DisconnectUser r = DisconnectUser.parse(p);
        yield () -> connections.disconnect(r);
      }
      case REFRESH -> {
        Refresh r = Refresh.parse(p);
        yield () -> connections.refresh(r);
      }
      case CHANNELS -> {
        Channels r = Channels.parse(p);
        yield () -> node.channels(r);
      }
      case INFO -> node::info;
      default -> null;
    };
  }

  /**
   * Runs only this node's part of {@code method} ({@code subscribe}, {@code unsubscribe},
   * {@code disconnect}, {@code refresh}, {@code channels}, {@code info}): the command another node
   * sends when the method is called there. The reply is {@code {"result": …}} or {@code {"error": …}}.
   */
  public Future<JsonObject> local(String method, JsonObject params) {
    ApiMethod m = ApiMethod.of(method);
    JsonObject p = params == null ? new JsonObject() : params;
    return guard(() -> {
      Supplier<Future<JsonObject>> part = m == null ? null : localPart(m, p);
      if (part == null) {
        throw ApiError.badRequest("'" + method + "' has no node-local part");
      }
      return part.get();
    }).map(result -> new JsonObject().put("result", result)).otherwise(ServerApi::errorReply);
  }

  /** The batch, refused with 107 before anything is parsed when it has more than {@code api.max_batch_size} commands. */
  private Batch boundedBatch(JsonObject params) {
    if (params.getValue("commands") instanceof JsonArray commands && commands.size() > maxBatchSize) {
      throw ApiError.badRequest("batch has " + commands.size() + " commands, at most " + maxBatchSize
          + " are allowed (api.max_batch_size)");
    }
    return Batch.parse(params);
  }

  /** Runs the commands one after another, or all at once when {@code parallel}; replies in order. */
  private Future<JsonObject> batch(Batch batch, Role role, ConnectionActions actions) {
    List<Future<JsonObject>> replies = new ArrayList<>(batch.commands().size());
    Future<JsonObject> previous = Future.succeededFuture();
    for (BatchCommand c : batch.commands()) {
      Future<JsonObject> reply = batch.parallel()
          ? command(c, role, actions)
          : previous.transform(ignored -> command(c, role, actions));
      replies.add(reply);
      previous = reply;
    }
    return Future.join(replies).map(all -> {
      JsonArray out = new JsonArray();
      replies.forEach(f -> out.add(f.result()));
      return new JsonObject().put("replies", out);
    });
  }

  private Future<JsonObject> command(BatchCommand c, Role role, ConnectionActions actions) {
    if (ApiMethod.BATCH.id().equals(c.method())) {
      return Future.succeededFuture(ApiError.badRequest("batch cannot be nested").reply());
    }
    return call(c.method(), c.params(), role, actions).map(reply -> {
      if (!c.keyed() || !reply.containsKey("result")) {
        return reply;
      }
      return new JsonObject().put(c.method(), reply.getValue("result"));
    });
  }

  /** Runs {@code action}, turning what it throws into a failed future. */
  static <T> Future<T> guard(Supplier<Future<T>> action) {
    try {
      return action.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /**
   * The error reply for a failure: its own error, 112 for an unrecoverable position, else 100;
   * with {@code "temporary": true} when an engine is unavailable for now (Redis down), which the
   * HTTP API answers with 503.
   */
  static JsonObject errorReply(Throwable e) {
    if (e instanceof ApiError api) {
      return api.reply();
    }
    if (e instanceof UnrecoverablePositionException) {
      return ApiError.reply(ProtocolError.UNRECOVERABLE_POSITION);
    }
    FAILURES.log(e);
    JsonObject reply = ApiError.reply(ProtocolError.INTERNAL);
    if (FailureLog.temporary(e)) {
      reply.getJsonObject("error").put("temporary", true);
    }
    return reply;
  }

  /** Whether {@code reply} is an error that retrying later may cure (see {@link #errorReply}). */
  public static boolean temporaryError(JsonObject reply) {
    return reply.getValue("error") instanceof JsonObject error && error.getBoolean("temporary", false);
  }
}
