package io.fluxer.relay.client;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;

/**
 * Counts the connections of each user id on this node, across all server verticle instances (a
 * Vert.x local map, so every event loop sees the same counts). Anonymous connections are not counted.
 */
final class UserConnections {
  private static final String MAP = "fluxer.client.user-connections";

  private final LocalMap<String, Integer> counts;

  UserConnections(Vertx vertx) {
    this.counts = vertx.sharedData().getLocalMap(MAP);
  }

  /** Counts one more connection of {@code user} unless it already holds {@code limit}; 0 means no limit. */
  boolean tryAcquire(String user, int limit) {
    while (true) {
      Integer n = counts.get(user);
      if (n == null) {
        if (counts.putIfAbsent(user, 1) == null) {
          return true;
        }
      } else if (limit > 0 && n >= limit) {
        return false;
      } else if (counts.replaceIfPresent(user, n, n + 1)) {
        return true;
      }
    }
  }

  void release(String user) {
    while (true) {
      Integer n = counts.get(user);
      if (n == null) {
        return;
      }
      if (n <= 1 ? counts.removeIfPresent(user, n) : counts.replaceIfPresent(user, n, n - 1)) {
        return;
      }
    }
  }
}
