package io.fluxer.relay.api;

import io.fluxer.relay.channel.Namespaces;
import io.fluxer.relay.config.NamespaceOptions;
import io.fluxer.relay.protocol.ProtocolError;

/** Resolves a channel's namespace for the server API: unknown or invalid channels are error 102. */
final class ChannelCheck {
  private ChannelCheck() {}

  static NamespaceOptions resolve(Namespaces namespaces, String channel) {
    NamespaceOptions ns = namespaces.resolve(channel);
    if (ns == null) {
      throw new ApiError(ProtocolError.UNKNOWN_CHANNEL);
    }
    return ns;
  }
}
