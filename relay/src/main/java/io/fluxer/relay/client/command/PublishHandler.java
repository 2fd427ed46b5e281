package io.fluxer.relay.client.command;

import io.fluxer.relay.channel.ChannelName;
import io.fluxer.relay.config.NamespaceOptions;
import io.fluxer.relay.protocol.ProtocolError;
import io.fluxer.relay.protocol.Request;

/**
 * {@code publish}: where the namespace lets clients (or subscribers) publish, or in a user-limited
 * channel naming the user, stores the publication through the broker and replies once it is stored.
 */
final class PublishHandler implements CommandHandler<Request.Publish> {
  @Override
  public void handle(Session s, long id, Request.Publish r) {
    NamespaceOptions ns = Checks.resolveOrReply(s, id, r.channel());
    if (ns == null) {
      return;
    }
    boolean allowed = ns.allowPublishForClient() || ns.allowPublishForSubscriber() && s.subscription(r.channel()) != null
        || ChannelName.parse(r.channel()).limitedTo(s.user());
    if (!allowed) {
      s.reply(s.codec().error(id, ProtocolError.PERMISSION_DENIED));
      return;
    }
    Replies.emptyWhenDone(s, id, s.broker().publish(r.channel(), r.data(), s.publishOptions(r.channel(), ns)),
        "publish");
  }
}
