package io.fluxer.relay.api;

import io.fluxer.relay.api.ApiRequests.DisconnectUser;
import io.fluxer.relay.api.ApiRequests.Refresh;
import io.fluxer.relay.api.ApiRequests.UserChannel;
import io.fluxer.relay.channel.Namespaces;
import io.fluxer.relay.node.RelayNode;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * {@code subscribe}, {@code unsubscribe}, {@code disconnect} and {@code refresh}: act on a user's
 * connections on this node (or one of them), each on its own event loop. A user without
 * connections here is not an error: the result is empty either way.
 */
final class ConnectionOps {
  private final RelayNode node;
  private final Namespaces namespaces;

  ConnectionOps(RelayNode node, Namespaces namespaces) {
    this.node = node;
    this.namespaces = namespaces;
  }

  Future<JsonObject> subscribe(UserChannel r) {
    ChannelCheck.resolve(namespaces, r.channel());
    return done(node.forEachSession(r.user(), r.client(), s -> s.serverSubscribe(r.channel())));
  }

  Future<JsonObject> unsubscribe(UserChannel r) {
    return done(node.forEachSession(r.user(), r.client(), s -> s.serverUnsubscribe(r.channel())));
  }

  Future<JsonObject> disconnect(DisconnectUser r) {
    return done(node.forEachSession(r.user(), r.client(), s -> {
      if (!r.whitelist().contains(s.clientId())) {
        s.close(r.disconnect());
      }
    }));
  }

  Future<JsonObject> refresh(Refresh r) {
    return done(node.forEachSession(r.user(), r.client(), s -> s.serverRefresh(r.expired(), r.expireAt())));
  }

  private static Future<JsonObject> done(Future<Integer> sessions) {
    return sessions.map(n -> new JsonObject());
  }
}
