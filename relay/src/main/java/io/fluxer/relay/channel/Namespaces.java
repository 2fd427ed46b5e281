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
  /**
   * Up to this many namespaces, {@link #resolve(String)} compares the channel's prefix with each
   * name in place instead of cutting the prefix out to look it up (two strings per publish).
   */
  static final int SCANNED = 16;

  private volatile ChannelOptions options;
  /** {@link #options}' namespaces when there are at most {@link #SCANNED}, else {@code null}. */
  private volatile Scan scan;

  public Namespaces(ChannelOptions options) {
    set(options);
  }

  /** {@code names[i]} is the map's key for {@code options[i]}. */
  private record Scan(ChannelOptions current, String[] names, NamespaceOptions[] options) {
    static Scan of(ChannelOptions options) {
      Map<String, NamespaceOptions> namespaces = options.namespaces();
      if (namespaces.size() > SCANNED) {
        return null;
      }
      String[] names = new String[namespaces.size()];
      NamespaceOptions[] values = new NamespaceOptions[namespaces.size()];
      int i = 0;
      for (Map.Entry<String, NamespaceOptions> e : namespaces.entrySet()) {
        names[i] = e.getKey();
        values[i++] = e.getValue();
      }
      return new Scan(options, names, values);
    }

    /** The options of the namespace named by {@code channel}'s first {@code length} characters, or {@code null}. */
    NamespaceOptions find(String channel, int length) {
      for (int i = 0; i < names.length; i++) {
        if (names[i].length() == length && channel.regionMatches(0, names[i], 0, length)) {
          return options[i];
        }
      }
      return null;
    }
  }

  private void set(ChannelOptions next) {
    scan = Scan.of(next);
    options = next;
  }

  /**
   * {@link #resolve(ChannelName) resolve}{@code (ChannelName.parse(channel))}, without parsing when
   * it can: a channel that is not user-limited, of a namespace without a {@code channel_regex},
   * among at most {@link #SCANNED} namespaces, resolves without allocating (the client's publish,
   * history and presence resolve a channel per command).
   */
  public NamespaceOptions resolve(String channel) {
    Scan s = scan;
    if (channel == null || s == null) {
      return resolve(ChannelName.parse(channel));
    }
    ChannelOptions current = s.current();
    int colon = channel.indexOf(ChannelName.NAMESPACE_SEPARATOR);
    if (channel.indexOf(ChannelName.USER_SEPARATOR, colon + 1) >= 0) {
      return resolve(ChannelName.parse(channel));
    }
    if (channel.isEmpty() || channel.length() > current.maxChannelLength()) {
      return null;
    }
    NamespaceOptions ns = colon <= 0 ? current.withoutNamespace() : s.find(channel, colon); // ":a" is of no namespace
    if (ns == null || colon == channel.length() - 1) {
      return null;
    }
    if (ns.channelRegex() != null && !ns.channelRegex().matches(channel.substring(colon + 1))) {
      return null;
    }
    return ns;
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
    set(new ChannelOptions(current.withoutNamespace(), next, current.maxChannelLength()));
  }

  /** Removes a namespace; returns whether it existed. */
  public synchronized boolean remove(String name) {
    ChannelOptions current = options;
    if (!current.namespaces().containsKey(name)) {
      return false;
    }
    Map<String, NamespaceOptions> next = new LinkedHashMap<>(current.namespaces());
    next.remove(name);
    set(new ChannelOptions(current.withoutNamespace(), next, current.maxChannelLength()));
    return true;
  }

  /** Replaces every namespace at once (e.g. after reloading them from a store). */
  public synchronized void replaceAll(Map<String, NamespaceOptions> namespaces) {
    ChannelOptions current = options;
    set(new ChannelOptions(current.withoutNamespace(), namespaces, current.maxChannelLength()));
  }
}
