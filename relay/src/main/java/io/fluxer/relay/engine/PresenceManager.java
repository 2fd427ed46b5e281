package io.fluxer.relay.engine;

import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.PresenceStats;
import io.vertx.core.Future;
import java.util.Map;

/** Who is subscribed to a channel, across the whole cluster. Implementations: memory and Redis. */
public interface PresenceManager {
  /** Clients present in the channel, keyed by client id. */
  Future<Map<String, ClientInfo>> presence(String channel);

  Future<PresenceStats> presenceStats(String channel);

  /** Adds or refreshes a client's presence. */
  Future<Void> addPresence(String channel, String clientId, ClientInfo info);

  Future<Void> removePresence(String channel, String clientId, String userId);

  Future<Void> close();
}
