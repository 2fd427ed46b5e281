package io.fluxer.relay.client.command;

import io.fluxer.relay.protocol.Request;

/** {@code unsubscribe}: ends the subscription if there is one, and replies either way. */
final class UnsubscribeHandler implements CommandHandler<Request.Unsubscribe> {
  @Override
  public void handle(Session s, long id, Request.Unsubscribe r) {
    s.unsubscribe(r.channel());
    s.reply(s.codec().empty(id, "unsubscribe"));
  }
}
