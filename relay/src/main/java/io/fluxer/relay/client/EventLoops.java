package io.fluxer.relay.client;

import io.fluxer.relay.protocol.Disconnect;
import io.vertx.core.Future;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A node's event loops as the parts reading or acting on their sessions see them: everything runs on
 * each loop with that loop's {@link Hub}, never from another thread, and comes back as one result per
 * loop. The one way in to the hubs for the APIs, the stats and the metrics.
 */
public interface EventLoops {
  /** Runs {@code action} on every loop with its hub; one result per loop. */
  <T> Future<List<T>> inspect(Function<Hub, T> action);

  /** Snapshots of every loop's hub, with their channels. */
  default Future<List<HubSnapshot>> snapshots() {
    return inspect(Hub::snapshot);
  }

  /** Each loop's counts without its channels ({@link Hub#counts()}): cheap enough for every stats tick. */
  default Future<List<HubSnapshot>> counts() {
    return inspect(Hub::counts);
  }

  /**
   * Runs {@code action} on each of a user's connections (only {@code clientId} when not empty), each
   * on its own loop; completes with how many connections it ran on.
   */
  default Future<Integer> forEachSession(String user, String clientId, Consumer<ClientSession> action) {
    return inspect(hub -> {
      List<ClientSession> sessions = hub.sessionsOf(user, clientId);
      sessions.forEach(action);
      return sessions.size();
    }).map(counts -> counts.stream().mapToInt(Integer::intValue).sum());
  }

  /** Closes a user's connections (or one of them) with {@code disconnect}. */
  default Future<Integer> disconnect(String user, String clientId, Disconnect disconnect) {
    return forEachSession(user, clientId, s -> s.close(disconnect));
  }
}
