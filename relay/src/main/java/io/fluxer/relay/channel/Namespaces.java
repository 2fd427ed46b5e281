package io.fluxer.relay.channel;

import io.fluxer.relay.config.ChannelOptions;
import io.fluxer.relay.config.NamespaceOptions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Finds the options that govern a channel. Namespaces can be replaced at run time
 * ({@link #put}, {@link #remove}); a change applies to subscriptions and publications made after
 * it. Reads are lock-free (an immutable snapshot behind a volatile reference); thread-safe.
 */
public final class Namespaces {
  private volatile ChannelOptions options;

  public Namespaces(ChannelOptions options) {
    this.options = options;
  }

  /**
   * The namespace options of a valid channel, or {@code null} when the channel is unknown or
   * invalid: empty or too long, of no namespace, with an empty name, malformed
   * ({@link ChannelName#wellFormed()}), user-limited where the namespace does not allow it (never in
   * a reserved namespace), or not fully matching the namespace's {@code channel_regex}. Never throws;
   * takes time linear in the name's length.
   */
  public NamespaceOptions resolve(ChannelName ch) {
    ChannelOptions current = options;
    if (ch.channel().isEmpty() || ch.channel().length() > current.maxChannelLength() || !ch.wellFormed()) {
      return null;
    }
    NamespaceOptions ns = ch.namespace().isEmpty()
        ? current.withoutNamespace()
        : current.namespaces().get(ch.namespace());
    if (ns == null || ch.name().isEmpty()) {
      return null;
    }
    if (ch.userLimited() && (!ns.allowUserLimitedChannels() || ChannelOptions.isReserved(ch.namespace()))) {
      return null;
    }
    if (ns.channelRegex() != null && !ns.channelRegex().matches(ch.name())) {
      return null;
    }
    return ns;
  }

  public ChannelOptions options() {
    return options;
  }

  /** Adds or replaces a namespace. */
  public synchronized void put(NamespaceOptions ns) {
    if (ns.name().isEmpty()) {
      throw new IllegalArgumentException("the namespace name must not be empty");
    }
    ChannelOptions current = options;
    Map<String, NamespaceOptions> next = new LinkedHashMap<>(current.namespaces());
    next.put(ns.name(), ns);
    options = new ChannelOptions(current.withoutNamespace(), next, current.maxChannelLength());
  }

  /** Removes a namespace; returns whether it existed. */
  public synchronized boolean remove(String name) {
    ChannelOptions current = options;
    if (!current.namespaces().containsKey(name)) {
      return false;
    }
    Map<String, NamespaceOptions> next = new LinkedHashMap<>(current.namespaces());
    next.remove(name);
    options = new ChannelOptions(current.withoutNamespace(), next, current.maxChannelLength());
    return true;
  }

  /** Replaces every namespace at once (e.g. after reloading them from a store). */
  public synchronized void replaceAll(Map<String, NamespaceOptions> namespaces) {
    ChannelOptions current = options;
    options = new ChannelOptions(current.withoutNamespace(), namespaces, current.maxChannelLength());
  }
}
