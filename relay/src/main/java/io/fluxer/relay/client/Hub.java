package io.fluxer.relay.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Channel to local subscribers, for the sessions of one event loop. Only ever touched from that
 * loop, so it needs no locks.
 */
public final class Hub {
  private static final Subscriber[] NONE = new Subscriber[0];
  /**
   * Each channel's subscribers and the publications delivered to them. Most channels of a loop have
   * one subscriber: a {@link CompactSet} holds it without a {@code LinkedHashSet} (about 190 bytes
   * less per channel).
   */
  private final Map<String, ChannelSubscribers> subscribers = new HashMap<>();
  /**
   * What deliveries iterate for a channel with two subscribers or more: an array copy of them, made
   * on first delivery after a change. A delivery may close a session (a slow client), which
   * unsubscribes it while the delivery loop is running; iterating the live set would then throw and
   * skip the rest. A channel with one subscriber needs no copy: there is nothing to skip.
   */
  private final Map<String, Subscriber[]> subscriberArrays = new HashMap<>();
  /**
   * Every session of the loop, in no particular order: an identity set keeps them in one array,
   * without an entry object per session as a {@code LinkedHashSet} has (about 30 bytes less each).
   */
  private final Set<ClientSession> sessions = Collections.newSetFromMap(new IdentityHashMap<>());
  /** Connected sessions by user id (anonymous users under the empty string); most users have one. */
  private final Map<String, CompactSet<ClientSession>> byUser = new HashMap<>();
  private final HubStats stats = new HubStats();
  private final PingWheel pings;
  /** The sessions' connection expiry checks. */
  private final Deadlines deadlines = new Deadlines();

  /** A hub whose sessions are pinged every {@code pingInterval} once its loop turns {@link #pings()}. */
  public Hub(Duration pingInterval, Duration pongTimeout) {
    this.pings = new PingWheel(pingInterval, pongTimeout);
  }

  /** A hub with the default ping interval (25 s) and pong timeout (8 s). */
  public Hub() {
    this(Duration.ofSeconds(25), Duration.ofSeconds(8));
  }

  /** The server pings of this loop's connected sessions, turned by {@link #tick}. */
  PingWheel pings() {
    return pings;
  }

  /** The deadlines of this loop's sessions, fired by {@link #tick}. */
  Deadlines deadlines() {
    return deadlines;
  }

  /** Turns the ping wheel and fires the deadlines that are due; the loop's owner calls it every {@link PingWheel#TICK_MILLIS} ms. */
  void tick() {
    pings.tick();
    deadlines.fireDue(Deadlines.nowMillis());
  }

  void addSession(ClientSession s) {
    sessions.add(s);
  }

  /** A session completed connect as its user. */
  void connected(ClientSession s) {
    CompactSet<ClientSession> set = byUser.get(s.user());
    if (set == null) {
      set = new CompactSet<>();
      byUser.put(s.user(), set);
      stats.listener().userAdded(s.user());
    }
    if (set.add(s)) {
      stats.connections++;
    }
    stats.connected();
  }

  void removeSession(ClientSession s) {
    sessions.remove(s);
    Set<ClientSession> set = byUser.get(s.user());
    if (set != null && set.remove(s)) {
      stats.connections--;
      if (set.isEmpty()) {
        byUser.remove(s.user());
        stats.listener().userRemoved(s.user());
      }
    }
  }

  /** This loop's counters; their getters may be read from any thread. */
  public HubStats stats() {
    return stats;
  }

  /** Connected sessions of one user on this loop, optionally only the one with {@code clientId}. */
  public List<ClientSession> sessionsOf(String user, String clientId) {
    Set<ClientSession> set = byUser.get(user);
    if (set == null) {
      return List.of();
    }
    return set.stream().filter(s -> clientId == null || clientId.isEmpty() || s.clientId().equals(clientId)).toList();
  }

  /** Counts and counters of this loop, with every channel's subscribers and publications; call on the loop. */
  public HubSnapshot snapshot() {
    Map<String, Integer> channels = new HashMap<>();
    Map<String, Long> publications = new HashMap<>();
    for (Map.Entry<String, ChannelSubscribers> e : subscribers.entrySet()) {
      channels.put(e.getKey(), e.getValue().size());
      publications.put(e.getKey(), e.getValue().publications());
    }
    return snapshot(channels, publications);
  }

  /**
   * The counts of {@link #snapshot()} without the channels (an empty map): what periodic stats
   * need, at a cost that does not grow with channels or users.
   */
  public HubSnapshot counts() {
    return snapshot(Map.of(), Map.of());
  }

  private HubSnapshot snapshot(Map<String, Integer> channels, Map<String, Long> publications) {
    return new HubSnapshot(stats.connections, byUser.size(), stats.subscriptions, channels, stats.messagesIn,
        stats.bytesIn, stats.messagesOut, stats.bytesOut, stats.connects, stats.slowDisconnects,
        Map.copyOf(stats.disconnects), publications);
  }

  void subscribe(String channel, Subscriber s) {
    ChannelSubscribers set = subscribers.get(channel);
    if (set == null) {
      set = new ChannelSubscribers();
      subscribers.put(channel, set);
      stats.listener().channelAdded(channel);
    }
    if (set.add(s)) {
      subscriberArrays.remove(channel);
      stats.subscriptions++;
    }
  }

  void unsubscribe(String channel, Subscriber s) {
    Set<Subscriber> set = subscribers.get(channel);
    if (set != null && set.remove(s)) {
      subscriberArrays.remove(channel);
      stats.subscriptions--;
      if (set.isEmpty()) {
        subscribers.remove(channel);
        stats.listener().channelRemoved(channel);
      }
    }
  }

  /** Hands {@code d} to the local subscribers of its channel, by its kind. */
  public void deliver(Delivery d) {
    switch (d.kind()) {
      case PUBLICATION -> deliverPublication(d);
      case POSITION -> deliverPosition(d);
      default -> deliverJoinLeave(d);
    }
  }

  /**
   * Hands a publication frame to every local subscriber of its channel and counts it for the
   * channel, then reports once (not per subscriber) how long after the broker handed it over it was
   * queued here.
   */
  public void deliverPublication(Delivery d) {
    ChannelSubscribers set = subscribers.get(d.channel());
    if (set == null) {
      return;
    }
    set.publicationDelivered();
    Subscriber single = set.single();
    if (single != null) {
      single.deliverPublication(d);
    } else {
      for (Subscriber s : subscribersOf(d.channel(), set)) {
        s.deliverPublication(d);
      }
    }
    if (d.publishedNanos() != 0) {
      stats.listener().publicationQueued(System.nanoTime() - d.publishedNanos());
    }
  }

  /** Hands a join or leave frame to the local subscribers that receive join/leave pushes. */
  public void deliverJoinLeave(Delivery d) {
    ChannelSubscribers set = subscribers.get(d.channel());
    if (set == null) {
      return;
    }
    Subscriber single = set.single();
    if (single != null) {
      single.deliverJoinLeave(d);
      return;
    }
    for (Subscriber s : subscribersOf(d.channel(), set)) {
      s.deliverJoinLeave(d);
    }
  }

  /** Hands a stream position (the node may have missed publications) to the channel's local subscribers. */
  private void deliverPosition(Delivery d) {
    ChannelSubscribers set = subscribers.get(d.channel());
    if (set != null) {
      for (Subscriber s : subscribersOf(d.channel(), set)) {
        s.deliverPosition(d);
      }
    }
  }

  /** The array copy of {@code set}, the subscribers of {@code channel}. */
  private Subscriber[] subscribersOf(String channel, CompactSet<Subscriber> set) {
    Subscriber[] snapshot = subscriberArrays.get(channel);
    if (snapshot == null) {
      snapshot = set.toArray(NONE);
      subscriberArrays.put(channel, snapshot);
    }
    return snapshot;
  }

  public int sessionCount() {
    return sessions.size();
  }

  public int channelCount() {
    return subscribers.size();
  }

  /** The channels with subscribers on this loop whose name starts with {@code prefix}. */
  public Set<String> channelsStartingWith(String prefix) {
    Set<String> out = new HashSet<>();
    for (String channel : subscribers.keySet()) {
      if (channel.startsWith(prefix)) {
        out.add(channel);
      }
    }
    return out;
  }

  public int subscriberCount(String channel) {
    Set<Subscriber> set = subscribers.get(channel);
    return set == null ? 0 : set.size();
  }

  /** The sessions themselves, not a copy: iterate on this loop only, and change nothing meanwhile. */
  Iterable<ClientSession> liveSessions() {
    return Collections.unmodifiableSet(sessions);
  }

  /** Snapshot of the sessions, e.g. to close them all on shutdown. */
  public List<ClientSession> sessions() {
    return new ArrayList<>(sessions);
  }
}
