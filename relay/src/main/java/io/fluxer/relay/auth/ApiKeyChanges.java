package io.fluxer.relay.auth;

import io.vertx.core.Future;

/**
 * How API keys created or revoked through the API are kept: in this node's memory only
 * ({@link #inMemory}), or stored first and then spread to every node (the PostgreSQL store).
 */
public interface ApiKeyChanges {
  /** Adds a managed key; completes with {@code false} (nothing changed) when the name is taken. */
  Future<Boolean> add(ApiKeys.Managed key);

  /** Removes a managed key; completes with whether it existed. */
  Future<Boolean> revoke(String name);

  /** Changes that apply to {@code keys} at once and live as long as the node. */
  static ApiKeyChanges inMemory(ApiKeys keys) {
    return new ApiKeyChanges() {
      @Override
      public Future<Boolean> add(ApiKeys.Managed key) {
        synchronized (keys) {
          if (keys.has(key.name())) {
            return Future.succeededFuture(false);
          }
          keys.put(key);
        }
        return Future.succeededFuture(true);
      }

      @Override
      public Future<Boolean> revoke(String name) {
        return Future.succeededFuture(keys.remove(name));
      }
    };
  }
}
