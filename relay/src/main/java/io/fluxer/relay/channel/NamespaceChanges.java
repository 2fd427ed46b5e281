package io.fluxer.relay.channel;

import io.fluxer.relay.config.NamespaceOptions;
import io.vertx.core.Future;

/**
 * How namespace changes asked through the API are made: in this node's memory only
 * ({@link #inMemory}), or stored first and then spread to every node (the PostgreSQL store).
 */
public interface NamespaceChanges {
  /** Adds or replaces a namespace; completes with {@code true} when it is new. */
  Future<Boolean> put(NamespaceOptions ns);

  /**
   * Removes a namespace; completes with whether it existed. Callers keep the reserved
   * {@code sys} namespace (the API answers 409 before asking).
   */
  Future<Boolean> remove(String name);

  /** Changes that apply to {@code namespaces} at once and live as long as the node. */
  static NamespaceChanges inMemory(Namespaces namespaces) {
    return new NamespaceChanges() {
      @Override
      public Future<Boolean> put(NamespaceOptions ns) {
        boolean existed = namespaces.options().namespaces().containsKey(ns.name());
        namespaces.put(ns);
        return Future.succeededFuture(!existed);
      }

      @Override
      public Future<Boolean> remove(String name) {
        return Future.succeededFuture(namespaces.remove(name));
      }
    };
  }
}
