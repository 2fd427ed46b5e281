package io.fluxer.relay.client.command;

import io.fluxer.relay.auth.SubscriptionToken;
import io.fluxer.relay.channel.ChannelName;
import io.fluxer.relay.config.NamespaceOptions;
import io.fluxer.relay.protocol.Disconnect;
import io.fluxer.relay.protocol.ProtocolError;
import io.vertx.core.Future;

/** Checks several commands share: the channel's namespace, permissions, subscription tokens. */
final class Checks {
  private Checks() {}

  /** The channel's namespace; otherwise answers 107 (no channel) or 102 (unknown) and returns {@code null}. */
  static NamespaceOptions resolveOrReply(Session s, long id, String channel) {
    if (channel.isEmpty()) {
      s.reply(s.codec().error(id, ProtocolError.BAD_REQUEST.withMessage("channel required")));
      return null;
    }
    NamespaceOptions ns = s.namespaces().resolve(channel);
    if (ns == null) {
      s.reply(s.codec().error(id, ProtocolError.UNKNOWN_CHANNEL));
    }
    return ns;
  }

  /**
   * Whether the client may do what the namespace allows {@code forClient} (any client) or
   * {@code forSubscriber} (subscribers of the channel); a user-limited channel naming the user always.
   */
  static boolean permitted(Session s, boolean forClient, boolean forSubscriber, String channel) {
    return forClient || forSubscriber && s.subscription(channel) != null
        || ChannelName.parse(channel).limitedTo(s.user());
  }

  /**
   * The verified subscription token for {@code channel} and this user; otherwise answers 109
   * (expired) or closes with 3500 and completes with {@code null}. Never fails.
   */
  static Future<SubscriptionToken> subscriptionToken(Session s, long id, String token, String channel) {
    return s.tokens().subscriptionToken(token).transform(ar -> {
      if (s.closed()) {
        return Future.succeededFuture(null);
      }
      if (ar.failed()) {
        s.rejectToken(id, ar.cause());
        return Future.succeededFuture(null);
      }
      SubscriptionToken t = ar.result();
      if (!t.channel().equals(channel) || !t.user().equals(s.user())) {
        s.close(new Disconnect(Disconnect.INVALID_TOKEN.code(), "subscription token is for another channel or user"));
        return Future.succeededFuture(null);
      }
      return Future.succeededFuture(t);
    });
  }
}
