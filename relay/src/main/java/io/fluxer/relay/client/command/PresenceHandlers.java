package io.fluxer.relay.client.command;

import io.fluxer.relay.config.NamespaceOptions;
import io.fluxer.relay.protocol.ProtocolError;
import io.fluxer.relay.protocol.Request;

/**
 * {@code presence} (who is in the channel) and {@code presence_stats} (how many clients and users):
 * 108 where the namespace keeps no presence, 103 where the client may not see it.
 */
final class PresenceHandlers {
  private PresenceHandlers() {}

  /** {@code presence}. */
  static final class Presence implements CommandHandler<Request.Presence> {
    @Override
    public void handle(Session s, long id, Request.Presence r) {
      if (presenceNamespace(s, id, r.channel()) != null) {
        Replies.whenDone(s, id, s.presence().presence(r.channel()), p -> s.codec().presence(id, p));
      }
    }
  }

  /** {@code presence_stats}. */
  static final class Stats implements CommandHandler<Request.PresenceStats> {
    @Override
    public void handle(Session s, long id, Request.PresenceStats r) {
      if (presenceNamespace(s, id, r.channel()) != null) {
        Replies.whenDone(s, id, s.presence().presenceStats(r.channel()), st -> s.codec().presenceStats(id, st));
      }
    }
  }

  /** The channel's namespace when the client may read its presence; otherwise answers and returns null. */
  private static NamespaceOptions presenceNamespace(Session s, long id, String channel) {
    NamespaceOptions ns = Checks.resolveOrReply(s, id, channel);
    if (ns == null) {
      return null;
    }
    if (!ns.presence()) {
      s.reply(s.codec().error(id, ProtocolError.NOT_AVAILABLE));
      return null;
    }
    if (!Checks.permitted(s, ns.allowPresenceForClient(), ns.allowPresenceForSubscriber(), channel)) {
      s.reply(s.codec().error(id, ProtocolError.PERMISSION_DENIED));
      return null;
    }
    return ns;
  }
}
