package io.fluxer.relay.client.command;

import io.fluxer.relay.config.NamespaceOptions;
import io.fluxer.relay.engine.HistoryFilter;
import io.fluxer.relay.protocol.ProtocolError;
import io.fluxer.relay.protocol.Request;

/**
 * {@code history}: the channel's stored publications (108 where the namespace keeps none), at most
 * the namespace's history size of them.
 */
final class HistoryHandler implements CommandHandler<Request.History> {
  @Override
  public void handle(Session s, long id, Request.History r) {
    NamespaceOptions ns = Checks.resolveOrReply(s, id, r.channel());
    if (ns == null) {
      return;
    }
    if (ns.historySize() == 0) {
      s.reply(s.codec().error(id, ProtocolError.NOT_AVAILABLE));
      return;
    }
    if (!Checks.permitted(s, ns.allowHistoryForClient(), ns.allowHistoryForSubscriber(), r.channel())) {
      s.reply(s.codec().error(id, ProtocolError.PERMISSION_DENIED));
      return;
    }
    int limit = r.limit() < 0 || r.limit() > ns.historySize() ? ns.historySize() : r.limit();
    Replies.whenDone(s, id, s.broker().history(r.channel(), new HistoryFilter(r.since(), limit, r.reverse())),
        h -> s.codec().history(id, h));
  }
}
