package io.fluxer.relay.channel;

import io.fluxer.relay.config.ChannelOptions;
import io.fluxer.relay.config.NamespaceOptions;

/** Finds the options that govern a channel. Immutable and thread-safe. */
public final class Namespaces {
  private final ChannelOptions options;

  public Namespaces(ChannelOptions options) {
    this.options = options;
  }

  /** The namespace options of a valid channel, or {@code null} when the channel is unknown or invalid. */
  public NamespaceOptions resolve(ChannelName ch) {
    if (ch.channel().isEmpty() || ch.channel().length() > options.maxChannelLength()) {
      return null;
    }
    NamespaceOptions ns = ch.namespace().isEmpty()
        ? options.withoutNamespace()
        : options.namespaces().get(ch.namespace());
    if (ns == null || ch.name().isEmpty()) {
      return null;
    }
    if (ns.channelRegex() != null) {
      String plain = ch.userLimited() ? ch.name().substring(0, ch.name().indexOf(ChannelName.USER_SEPARATOR)) : ch.name();
      if (!ns.channelRegex().matcher(plain).matches()) {
        return null;
      }
    }
    return ns;
  }

  public ChannelOptions options() {
    return options;
  }
}
