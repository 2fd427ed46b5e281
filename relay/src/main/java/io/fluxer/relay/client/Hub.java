package io.fluxer.relay.client;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Channel to local subscribers, for the sessions of one event loop. Only ever touched from that
 * loop, so it needs no locks.
 */
public final class Hub {
  private static final ClientSession[] NONE = new ClientSession[0];
  private final Map<String, Set<ClientSession>> subscribers = new HashMap<>();
  /**
   * What deliveries iterate: an array copy of a channel's subscribers, made on first delivery after
   * a change. A delivery may close a session (a slow client), which unsubscribes it while the
   * delivery loop is running; iterating the live set would then throw and skip the rest.
   */
  private final Map<String, ClientSession[]> snapshots = new HashMap<>();
  private final Set<ClientSession> sessions = new LinkedHashSet<>();

  void addSession(ClientSession s) {
    sessions.add(s);
  }

  void removeSession(ClientSession s) {
    sessions.remove(s);
  }

  void subscribe(String channel, ClientSession s) {
    if (subscribers.computeIfAbsent(channel, c -> new LinkedHashSet<>()).add(s)) {
      snapshots.remove(channel);
    }
  }

  void unsubscribe(String channel, ClientSession s) {
    Set<ClientSession> set = subscribers.get(channel);
    if (set != null && set.remove(s)) {
      snapshots.remove(channel);
      if (set.isEmpty()) {
        subscribers.remove(channel);
      }
    }
  }

  /** Hands a publication frame to every local subscriber of its channel. */
  public void deliverPublication(Delivery d) {
    for (ClientSession s : snapshot(d.channel())) {
      s.deliverPublication(d);
    }
  }

  /** Hands a join or leave frame to the local subscribers that receive join/leave pushes. */
  public void deliverJoinLeave(Delivery d) {
    for (ClientSession s : snapshot(d.channel())) {
      s.deliverJoinLeave(d);
    }
  }

  private ClientSession[] snapshot(String channel) {
    ClientSession[] snapshot = snapshots.get(channel);
    if (snapshot == null) {
      Set<ClientSession> set = subscribers.get(channel);
      if (set == null) {
        return NONE;
      }
      snapshot = set.toArray(NONE);
      snapshots.put(channel, snapshot);
    }
    return snapshot;
  }

  public int sessionCount() {
    return sessions.size();
  }

  public int channelCount() {
    return subscribers.size();
  }

  public int subscriberCount(String channel) {
    Set<ClientSession> set = subscribers.get(channel);
    return set == null ? 0 : set.size();
  }

  /** Snapshot of the sessions, e.g. to close them all on shutdown. */
  public List<ClientSession> sessions() {
    return new ArrayList<>(sessions);
  }
}
