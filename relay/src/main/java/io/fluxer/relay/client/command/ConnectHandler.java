package io.fluxer.relay.client.command;

import io.fluxer.relay.auth.ConnectToken;
import io.fluxer.relay.channel.ChannelName;
import io.fluxer.relay.config.NamespaceOptions;
import io.fluxer.relay.protocol.Disconnect;
import io.fluxer.relay.protocol.Request;
import io.fluxer.relay.protocol.SubscribeResult;
import io.vertx.core.Future;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code connect}, the first command of every connection (a second one closes with 3501): verifies
 * the connection token (none: only where anonymous connections are allowed), holds later commands
 * meanwhile, checks the channel and user connection limits, starts the token's server-side
 * subscriptions and opens the session with the connect reply.
 */
final class ConnectHandler implements CommandHandler<Request.Connect> {
  private static final System.Logger LOG = System.getLogger(ConnectHandler.class.getName());
  private static final ConnectToken ANONYMOUS = new ConnectToken("", null, null, List.of(), null, Set.of());

  @Override
  public void handle(Session s, long id, Request.Connect r) {
    if (!s.connecting()) {
      s.close(Disconnect.BAD_REQUEST);
      return;
    }
    if (r.token().isEmpty()) {
      if (!s.options().allowAnonymous()) {
        s.close(new Disconnect(Disconnect.INVALID_TOKEN.code(), "token required"));
        return;
      }
      accepted(s, id, r, ANONYMOUS);
      return;
    }
    // Commands that arrive while the token is verified (a provider's keys may be fetched) wait.
    s.holdCommands();
    s.tokens().connectToken(r.token()).onComplete(ar -> {
      if (s.closed()) {
        return;
      }
      if (ar.failed()) {
        if (s.stopHolding()) {
          s.close(Disconnect.BAD_REQUEST); // commands before a connect reply, as while connecting
          return;
        }
        s.rejectToken(id, ar.cause());
        return;
      }
      ConnectToken token = ar.result();
      if (token.user().isEmpty() && !s.options().allowAnonymous()) {
        s.close(new Disconnect(Disconnect.INVALID_TOKEN.code(), "anonymous connections not allowed"));
        return;
      }
      accepted(s, id, r, token);
    });
  }

  private static void accepted(Session s, long id, Request.Connect r, ConnectToken token) {
    if (new HashSet<>(token.channels()).size() > s.options().channelLimit()) {
      LOG.log(Level.DEBUG, "client {0}: token names more channels than client.channel_limit", s.clientId());
      s.close(Disconnect.CHANNEL_LIMIT);
      return;
    }
    if (!s.admit(token)) {
      return;
    }
    Map<String, Future<SubscribeResult>> serverSubs = new LinkedHashMap<>();
    for (String channel : token.channels()) {
      NamespaceOptions ns = s.namespaces().resolve(ChannelName.parse(channel));
      if (ns == null || s.subscription(channel) != null) {
        LOG.log(Level.WARNING, "client {0}: skipping server-side subscription to unknown channel {1}",
            s.clientId(), channel);
        continue;
      }
      Request.Subscribe position = r.subs().get(channel);
      serverSubs.put(channel, s.subscribe(SubscriptionSpec.serverSide(channel, ns), position,
          ns.recoverable(true)).result());
    }
    Future.join(new ArrayList<>(serverSubs.values())).onComplete(done -> {
      Map<String, SubscribeResult> results = new LinkedHashMap<>();
      serverSubs.forEach((channel, f) -> {
        if (f.succeeded()) {
          results.put(channel, f.result());
        }
      });
      s.open(id, results);
    });
  }
}
