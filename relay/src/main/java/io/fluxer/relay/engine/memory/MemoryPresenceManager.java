package io.fluxer.relay.engine.memory;

import io.fluxer.relay.engine.PresenceManager;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.PresenceStats;
import io.vertx.core.Future;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Single-node {@link PresenceManager}. Thread-safe: every change to a channel goes through an atomic
 * {@code compute} on the channel map, so a channel's entry disappears together with its last client.
 * Entries do not expire; sessions remove themselves when they unsubscribe or disconnect.
 *
 * <p>A channel with one client keeps it in an immutable one-entry map ({@code Map.of}), replaced by
 * a {@code ConcurrentHashMap} when a second client arrives and back when one is left: most channels
 * have one client, and an empty {@code ConcurrentHashMap} with its first table costs about 150 bytes
 * more. Readers see either kind; the swaps happen inside the channel map's {@code compute}.
 */
public final class MemoryPresenceManager implements PresenceManager {
  /** Channel to its clients: a one-entry {@code Map.of}, or a {@code ConcurrentHashMap} for more. */
  private final ConcurrentHashMap<String, Map<String, ClientInfo>> channels = new ConcurrentHashMap<>();

  @Override
  public Future<Map<String, ClientInfo>> presence(String channel) {
    Map<String, ClientInfo> clients = channels.get(channel);
    return Future.succeededFuture(clients == null ? Map.of() : Map.copyOf(clients));
  }

  @Override
  public Future<PresenceStats> presenceStats(String channel) {
    Map<String, ClientInfo> clients = channels.get(channel);
    if (clients == null) {
      return Future.succeededFuture(new PresenceStats(0, 0));
    }
    int numClients = 0;
    Set<String> users = new HashSet<>();
    for (ClientInfo info : clients.values()) {
      numClients++;
      users.add(info.user());
    }
    return Future.succeededFuture(new PresenceStats(numClients, users.size()));
  }

  @Override
  public Future<Void> addPresence(String channel, String clientId, ClientInfo info) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(info, "info");
    channels.compute(channel, (name, clients) -> {
      if (clients == null || clients.size() == 1 && clients.containsKey(clientId)) {
        return Map.of(clientId, info);
      }
      ConcurrentHashMap<String, ClientInfo> map = clients instanceof ConcurrentHashMap<String, ClientInfo> many
          ? many : new ConcurrentHashMap<>(clients);
      map.put(clientId, info);
      return map;
    });
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> removePresence(String channel, String clientId, String userId) {
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(clientId, "clientId");
    channels.computeIfPresent(channel, (name, clients) -> {
      if (!(clients instanceof ConcurrentHashMap<String, ClientInfo> many)) {
        return clients.containsKey(clientId) ? null : clients; // the one client, or someone else
      }
      many.remove(clientId);
      return many.isEmpty() ? null : many.size() == 1 ? Map.copyOf(many) : many;
    });
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close() {
    channels.clear();
    return Future.succeededFuture();
  }

  /** Number of channels with at least one client, for tests and stats. */
  int channelCount() {
    return channels.size();
  }
}
