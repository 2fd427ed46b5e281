package io.fluxer.relay.api;

import io.fluxer.relay.api.ApiRequests.DisconnectUser;
import io.fluxer.relay.api.ApiRequests.Refresh;
import io.fluxer.relay.api.ApiRequests.UserChannel;
import io.fluxer.relay.channel.Namespaces;
import io.fluxer.relay.client.EventLoops;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * {@code subscribe}, {@code unsubscribe}, {@code disconnect} and {@code refresh}: act on a user's
 * connections on this node (or one of them), each on its own event loop; {@link EveryNode} runs
 * them on every node of a cluster. A user without
 * connections here is not an error: the result is empty either way.
 */
final class ConnectionOps {
  private final EventLoops loops;
  private final Namespaces namespaces;

  ConnectionOps(EventLoops loops, Namespaces namespaces) {
    this.loops = loops;
    this.namespaces = namespaces;
  }

  /** Fails with an API error when the channel is unknown or invalid. */
  void checkSubscribe(UserChannel r) {
    ChannelCheck.resolve(namespaces, r.channel());
  }

  Future<JsonObject> subscribe(UserChannel r) {
    checkSubscribe(r);
    return done(loops.forEachSession(r.user(), r.client(), s -> s.serverSubscribe(r.channel())));
  }

  Future<JsonObject> unsubscribe(UserChannel r) {
    return done(loops.forEachSession(r.user(), r.client(), s -> s.serverUnsubscribe(r.channel())));
  }

  Future<JsonObject> disconnect(DisconnectUser r) {
    return done(loops.forEachSession(r.user(), r.client(), s -> {
      if (!r.whitelist().contains(s.clientId())) {
        s.close(r.disconnect());
      }
    }));
  }

  Future<JsonObject> refresh(Refresh r) {
    return done(loops.forEachSession(r.user(), r.client(), s -> s.serverRefresh(r.expired(), r.expireAt())));
  }

  private static Future<JsonObject> done(Future<Integer> sessions) {
    return sessions.map(n -> new JsonObject());
  }
}
