package io.fluxer.relay.client.command;

import io.fluxer.relay.channel.ChannelName;
import io.fluxer.relay.config.NamespaceOptions;
import io.fluxer.relay.config.Role;
import io.fluxer.relay.protocol.Disconnect;
import io.fluxer.relay.protocol.ProtocolError;
import io.fluxer.relay.protocol.Request;

/**
 * {@code subscribe}: checks the request (channel, namespace, type, delta, tags filter), the
 * client's channel limit and permission (the namespace's rules, or a subscription token), asks the
 * control plane about {@code logs:} channels, then starts the subscription, replies with its
 * position or recovered publications, and only then lets publications through.
 */
final class SubscribeHandler implements CommandHandler<Request.Subscribe> {
  @Override
  public void handle(Session s, long id, Request.Subscribe r) {
    String channel = r.channel();
    if (channel.isEmpty()) {
      s.reply(s.codec().error(id, ProtocolError.BAD_REQUEST.withMessage("channel required")));
      return;
    }
    ChannelName ch = ChannelName.parse(channel);
    NamespaceOptions ns = s.namespaces().resolve(ch);
    if (ns == null) {
      s.reply(s.codec().error(id, ProtocolError.UNKNOWN_CHANNEL));
      return;
    }
    if (r.type() != 0) {
      s.reply(s.codec().error(id, ProtocolError.BAD_REQUEST.withMessage(
          "bad request: subscription type " + r.type() + " is not supported (only streams, type 0)")));
      return;
    }
    if (!r.delta().isEmpty() && !r.delta().equals("fossil")) {
      s.close(Disconnect.BAD_REQUEST); // as Centrifugo: an unknown delta type is a broken client
      return;
    }
    if (r.tf() != null && !r.delta().isEmpty()) {
      s.reply(s.codec().error(id, ProtocolError.BAD_REQUEST.withMessage(
          "bad request: a tags filter (tf) and delta compression cannot be used together")));
      return;
    }
    if (r.tf() != null && !ns.allowTagsFilter()) {
      s.reply(s.codec().error(id, ProtocolError.BAD_REQUEST.withMessage(
          "bad request: tags filter (tf) is not allowed in this namespace (allow_tags_filter)")));
      return;
    }
    ProtocolError refused = refusal(s, channel);
    if (refused != null) {
      s.reply(s.codec().error(id, refused));
      return;
    }
    if (r.token().isEmpty()) {
      if (!mayJoinWithoutToken(s, ch, ns)) {
        s.reply(s.codec().error(id, ProtocolError.PERMISSION_DENIED));
        return;
      }
      allowed(s, id, r, ch, ns, null, null);
      return;
    }
    Checks.subscriptionToken(s, id, r.token(), channel).onSuccess(t -> {
      if (t == null || !s.connected()) {
        return;
      }
      // the token may have taken a JWKS fetch: the checks above may no longer hold
      ProtocolError late = refusal(s, channel);
      if (late != null) {
        s.reply(s.codec().error(id, late));
        return;
      }
      allowed(s, id, r, ch, ns, t.info(), t.expiresAt());
    });
  }

  /** 105 when the client is in the channel already, 106 when it is at its channel limit, else {@code null}. */
  private static ProtocolError refusal(Session s, String channel) {
    return s.subscription(channel) != null ? ProtocolError.ALREADY_SUBSCRIBED
        : s.subscriptionCount() >= s.options().channelLimit() ? ProtocolError.LIMIT_EXCEEDED : null;
  }

  /**
   * The namespace's rules; and any channel for a connection whose token is an ops credential of role
   * {@code ops} or {@code admin} (the dashboard watching a channel), never for a client token,
   * whatever roles it claims.
   */
  private static boolean mayJoinWithoutToken(Session s, ChannelName ch, NamespaceOptions ns) {
    if (ch.limitedTo(s.user()) || (s.opsRole() != null && s.opsRole().includes(Role.OPS))) {
      return true;
    }
    if (s.user().isEmpty() ? ns.allowSubscribeForAnonymous() : ns.allowSubscribeForClient()) {
      return true;
    }
    return ns.allowSubscribeForRole() != null && s.role() != null && s.role().includes(ns.allowSubscribeForRole());
  }

  private static void allowed(Session s, long id, Request.Subscribe r, ChannelName ch, NamespaceOptions ns,
                              String chanInfo, Long expiresAt) {
    if (!LogAccessCheck.applies(ch)) {
      join(s, id, r, ns, chanInfo, expiresAt);
      return;
    }
    LogAccessCheck.check(s.vertx(), ch).onComplete(ar -> {
      if (s.closed()) {
        return;
      }
      ProtocolError refused = ar.result() != null ? ar.result() : refusal(s, r.channel());
      if (refused != null) {
        s.reply(s.codec().error(id, refused));
      } else {
        join(s, id, r, ns, chanInfo, expiresAt);
      }
    });
  }

  private static void join(Session s, long id, Request.Subscribe r, NamespaceOptions ns, String chanInfo,
                           Long expiresAt) {
    SubscriptionSpec spec = new SubscriptionSpec(r.channel(), ns,
        ns.joinLeave() && (ns.forcePushJoinLeave() || r.joinLeave()), chanInfo, expiresAt, r.tf(),
        ns.allowedDeltaTypes().contains(r.delta()));
    Subscribing started = s.subscribe(spec, r, ns.recoverable(r.recoverable()));
    started.result().onComplete(ar -> {
      if (s.closed()) {
        return;
      }
      if (ar.failed()) {
        s.reply(s.codec().error(id, Replies.toError(ar.cause())));
        return;
      }
      s.reply(s.codec().subscribe(id, ar.result().withDelta(spec.delta())));
      started.subscription().activate();
    });
  }
}
