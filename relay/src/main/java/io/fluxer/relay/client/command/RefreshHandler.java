package io.fluxer.relay.client.command;

import io.fluxer.relay.auth.ConnectToken;
import io.fluxer.relay.protocol.Disconnect;
import io.fluxer.relay.protocol.ProtocolError;
import io.fluxer.relay.protocol.Request;

/**
 * {@code refresh}: a new connection token for the same user replaces the connection's expiry (and
 * info, when it has one); a token for another user closes with 3500.
 */
final class RefreshHandler implements CommandHandler<Request.Refresh> {
  @Override
  public void handle(Session s, long id, Request.Refresh r) {
    if (r.token().isEmpty()) {
      s.reply(s.codec().error(id, ProtocolError.BAD_REQUEST.withMessage("token required")));
      return;
    }
    s.tokens().connectToken(r.token()).onComplete(ar -> {
      if (!s.connected()) {
        return;
      }
      if (ar.failed()) {
        s.rejectToken(id, ar.cause());
        return;
      }
      ConnectToken t = ar.result();
      if (!t.user().equals(s.user())) {
        s.close(new Disconnect(Disconnect.INVALID_TOKEN.code(), "token is for another user"));
        return;
      }
      s.refreshed(t.info(), t.expiresAt());
      s.reply(s.codec().refresh(id, s.clientId(), s.version(), s.expiresAt() != null, Replies.ttl(s, s.expiresAt())));
    });
  }
}
