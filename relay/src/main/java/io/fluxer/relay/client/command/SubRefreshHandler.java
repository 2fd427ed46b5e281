package io.fluxer.relay.client.command;

import io.fluxer.relay.protocol.ProtocolError;
import io.fluxer.relay.protocol.Request;

/** {@code sub_refresh}: a new subscription token for a channel the client is in moves its expiry. */
final class SubRefreshHandler implements CommandHandler<Request.SubRefresh> {
  @Override
  public void handle(Session s, long id, Request.SubRefresh r) {
    ChannelSubscription sub = s.subscription(r.channel());
    if (sub == null) {
      s.reply(s.codec().error(id, ProtocolError.BAD_REQUEST.withMessage("not subscribed")));
      return;
    }
    Checks.subscriptionToken(s, id, r.token(), sub.channel()).onSuccess(t -> {
      if (t == null || !s.connected() || !sub.current()) {
        return;
      }
      sub.expireAt(t.expiresAt());
      s.reply(s.codec().subRefresh(id, sub.expiresAt() != null, Replies.ttl(s, sub.expiresAt())));
    });
  }
}
