package io.fluxer.relay.client;

import io.fluxer.common.Addresses;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The node's sessions on emulated transports (SSE, HTTP streaming) by session id, and the way a
 * {@code POST /emulation} reaches one: on the owning node, the commands are handed to the session
 * on its own event loop; a request naming another node is sent over the event bus to that node's
 * {@link Addresses#emulation} address, and its answer is the owner's status.
 *
 * <p>Each server instance registers the sessions of its loop; the map is concurrent so that a
 * request arriving on any loop finds a session without locks and without touching the other loop's
 * state: it only ever schedules the session's handler on the session's own context.
 *
 * <p>The commands travel as bytes, whatever the session's encoding: the UTF-8 text of JSON commands
 * joined by {@code \n}, or varint-length-delimited Protobuf {@code Command}s; the session decodes
 * them with its own codec. Between nodes they are the {@code data} of a JSON object
 * {@code {"session", "data"}}, carried as base64 by the clustered event bus.
 */
public final class EmulationRegistry {
  /** How long a forwarded request may wait for the owning node. */
  static final long FORWARD_TIMEOUT_MILLIS = 5_000;
  public static final int DELIVERED = 204;
  public static final int UNKNOWN = 404;
  public static final int BAD_REQUEST = 400;
  /** The owning node did not answer in time. */
  public static final int UNAVAILABLE = 503;

  private record Owner(Context context, Consumer<byte[]> commands) {}

  private final Vertx vertx;
  private final String nodeId;
  private final ConcurrentHashMap<String, Owner> sessions = new ConcurrentHashMap<>();

  public EmulationRegistry(Vertx vertx, String nodeId) {
    this.vertx = vertx;
    this.nodeId = nodeId;
  }

  public String nodeId() {
    return nodeId;
  }

  /** Registers a session; {@code commands} runs on {@code context} with each request's data. */
  void register(String session, Context context, Consumer<byte[]> commands) {
    sessions.put(session, new Owner(context, commands));
  }

  void unregister(String session) {
    sessions.remove(session);
  }

  /** Sessions registered on this node (for tests and stats). */
  public int size() {
    return sessions.size();
  }

  /**
   * Hands {@code data} to the session on its loop; the status to answer: 204, or 404 for a session
   * this node does not have.
   */
  int deliverLocally(String session, byte[] data) {
    Owner owner = sessions.get(session);
    if (owner == null) {
      return UNKNOWN;
    }
    owner.context().runOnContext(v -> owner.commands().accept(data));
    return DELIVERED;
  }

  /** Delivers here or forwards to the node that owns the session; completes with the status to answer. */
  Future<Integer> deliver(String node, String session, byte[] data) {
    if (node.equals(nodeId)) {
      return Future.succeededFuture(deliverLocally(session, data));
    }
    if (!looksLikeNodeId(node)) {
      return Future.succeededFuture(UNKNOWN);
    }
    JsonObject body = new JsonObject().put("session", session).put("data", data);
    return vertx.eventBus().<JsonObject>request(Addresses.emulation(node), body,
            new DeliveryOptions().setSendTimeout(FORWARD_TIMEOUT_MILLIS))
        .map(reply -> reply.body().getInteger("status", UNKNOWN))
        .recover(e -> Future.succeededFuture(e instanceof ReplyException r
            && r.failureType() == ReplyFailure.NO_HANDLERS ? UNKNOWN : UNAVAILABLE));
  }

  /** Serves requests forwarded by other nodes; unregister on stop. */
  public MessageConsumer<JsonObject> listen() {
    return vertx.eventBus().consumer(Addresses.emulation(nodeId), message -> {
      JsonObject body = message.body();
      byte[] data = body == null ? null : binary(body);
      if (data == null || !(body.getValue("session") instanceof String session)) {
        message.reply(new JsonObject().put("status", BAD_REQUEST));
        return;
      }
      message.reply(new JsonObject().put("status", deliverLocally(session, data)));
    });
  }

  /** The forwarded commands: bytes, or their base64 text once they crossed the cluster; null if neither. */
  private static byte[] binary(JsonObject body) {
    try {
      return body.getBinary("data");
    } catch (ClassCastException | IllegalArgumentException e) {
      return null;
    }
  }

  /** Node ids are UUIDs: anything else names no node (and never becomes part of a bus address). */
  private static boolean looksLikeNodeId(String node) {
    if (node.length() != 36) {
      return false;
    }
    for (int i = 0; i < node.length(); i++) {
      char c = node.charAt(i);
      boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
      if (dash ? c != '-' : Character.digit(c, 16) < 0) {
        return false;
      }
    }
    return true;
  }
}
