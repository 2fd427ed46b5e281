package io.fluxer.relay.api;

import io.fluxer.common.Addresses;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Runs the node-local part of a server API method on every relay node: here directly, on the
 * others through their command address ({@link Addresses#command}). A node that does not answer in
 * time is left out (it died or is leaving, and its clients with it), as Centrifugo's own
 * cluster-wide commands are fire-and-forget.
 */
final class EveryNode {
  private static final System.Logger LOG = System.getLogger(EveryNode.class.getName());
  static final long TIMEOUT_MILLIS = 5_000;
  private static final DeliveryOptions OPTIONS = new DeliveryOptions().setSendTimeout(TIMEOUT_MILLIS);

  private final EventBus bus;
  private final Supplier<List<String>> otherNodes;

  /** {@code otherNodes}: the ids of the cluster's other nodes now (empty when not clustered). */
  EveryNode(EventBus bus, Supplier<List<String>> otherNodes) {
    this.bus = bus;
    this.otherNodes = otherNodes;
  }

  /**
   * The results of {@code local} here and of {@code method} on every other node, this node's
   * first; fails only when the local part fails.
   */
  Future<List<JsonObject>> call(String method, JsonObject params, Supplier<Future<JsonObject>> local) {
    Future<JsonObject> here = ServerApi.guard(local);
    List<String> others = otherNodes.get();
    if (others.isEmpty()) {
      return here.map(List::of);
    }
    JsonObject command = new JsonObject().put("method", method).put("params", params);
    List<Future<JsonObject>> there = new ArrayList<>(others.size());
    for (String id : others) {
      there.add(bus.<JsonObject>request(Addresses.command(id), command, OPTIONS)
          .map(reply -> result(id, reply.body())));
    }
    return here.compose(mine -> Future.join(there).transform(ignored -> {
      List<JsonObject> results = new ArrayList<>(there.size() + 1);
      results.add(mine);
      for (int i = 0; i < there.size(); i++) {
        Future<JsonObject> f = there.get(i);
        if (f.succeeded() && f.result() != null) {
          results.add(f.result());
        } else if (f.failed()) {
          LOG.log(Level.DEBUG, "node {0} did not run {1}: {2}", others.get(i), method, f.cause().getMessage());
        }
      }
      return Future.succeededFuture(results);
    }));
  }

  private static JsonObject result(String nodeId, JsonObject reply) {
    if (reply != null && reply.getValue("result") instanceof JsonObject result) {
      return result;
    }
    LOG.log(Level.DEBUG, "node {0} answered {1}", nodeId, reply);
    return null;
  }
}
