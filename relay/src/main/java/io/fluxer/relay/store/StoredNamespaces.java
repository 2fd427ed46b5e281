package io.fluxer.relay.store;

import io.fluxer.common.Addresses;
import io.fluxer.common.config.PostgresOptions;
import io.fluxer.common.store.StoreException;
import io.fluxer.relay.channel.NamespaceChanges;
import io.fluxer.relay.channel.Namespaces;
import io.fluxer.relay.config.ChannelOptions;
import io.fluxer.relay.config.NamespaceOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;

/**
 * A node's namespaces kept in PostgreSQL: the store is the truth and {@link Namespaces} the node's
 * copy of it.
 *
 * <p>A change asked on this node is written to PostgreSQL first (when that fails, nothing changes
 * and the future fails with {@link StoreException}), then applied to this node's copy, then announced
 * on {@value Addresses#NAMESPACES}. Every node (this one too) answers a notice with
 * {@link #requestReload()}: it reloads all namespaces from PostgreSQL instead of trusting the
 * message, and a periodic reload ({@code postgres.reload_interval}) heals a missed notice. How
 * reloads and local changes are ordered: {@link StoreCopy}.
 *
 * <p>The reserved namespaces ({@link ChannelOptions#RESERVED}) are always present: one PostgreSQL
 * does not hold is the config file's (or the default) one.
 */
public final class StoredNamespaces implements NamespaceChanges {
  private static final System.Logger LOG = System.getLogger(StoredNamespaces.class.getName());

  private final Vertx vertx;
  private final NamespaceStore store;
  private final Namespaces namespaces;
  private final Map<String, NamespaceOptions> reserved;
  private final String nodeId;
  private final StoreCopy<Map<String, NamespaceOptions>> copy;

  private StoredNamespaces(Vertx vertx, NamespaceStore store, Namespaces namespaces, Map<String, NamespaceOptions> reserved,
                           String nodeId) {
    this.vertx = vertx;
    this.store = store;
    this.namespaces = namespaces;
    this.reserved = reserved;
    this.nodeId = nodeId;
    this.copy = new StoreCopy<>(vertx, "namespaces", store::loadAll, this::apply);
  }

  /**
   * Prepares the store and fills {@code namespaces} from it: runs the schema migrations, seeds the
   * namespaces from {@code fileOptions} if this database never was, loads them, and starts the
   * periodic reload. Fails (and closes its pool) when PostgreSQL cannot be reached or migrated.
   *
   * @param fileOptions the config file's {@code channel} section: its namespaces seed a new
   *     database, and its reserved namespaces (or the default ones) stand in when PostgreSQL has none
   */
  public static Future<StoredNamespaces> start(Vertx vertx, PostgresOptions options, Namespaces namespaces,
                                               ChannelOptions fileOptions, String nodeId) {
    NamespaceStore store = NamespaceStore.create(vertx, options);
    Map<String, NamespaceOptions> reserved = new HashMap<>();
    fileOptions.withReserved().namespaces().forEach((name, ns) -> {
      if (ChannelOptions.isReserved(name)) {
        reserved.put(name, ns);
      }
    });
    StoredNamespaces stored = new StoredNamespaces(vertx, store, namespaces, Map.copyOf(reserved), nodeId);
    return store.migrate()
        .compose(applied -> store.seedOnce(fileOptions.namespaces().values()))
        .onSuccess(seeded -> {
          if (seeded) {
            LOG.log(Level.INFO, "seeded PostgreSQL with the " + fileOptions.namespaces().size()
                + " namespace(s) of the config file");
          }
        })
        .compose(seeded -> stored.copy.start(options.reloadInterval()))
        .map(stored)
        .recover(e -> store.close().transform(ignored -> Future.failedFuture(e)));
  }

  @Override
  public Future<Boolean> put(NamespaceOptions ns) {
    return store.upsert(ns).map(inserted -> {
      copy.changeLocally(() -> namespaces.put(ns));
      announce(ns.name());
      // reserved namespaces always exist (PostgreSQL or not), so writing one replaces it
      return inserted && !ChannelOptions.isReserved(ns.name());
    });
  }

  @Override
  public Future<Boolean> remove(String name) {
    return store.delete(name).map(existed -> {
      // also when PostgreSQL had no such row: this node's copy was stale
      copy.changeLocally(() -> namespaces.remove(name));
      if (existed) {
        announce(name);
      }
      return existed;
    });
  }

  /** Reloads every namespace from PostgreSQL, now or right after the reload running. */
  public void requestReload() {
    copy.requestReload();
  }

  private void apply(Map<String, NamespaceOptions> loaded) {
    Map<String, NamespaceOptions> all = new HashMap<>(loaded);
    reserved.forEach(all::putIfAbsent);
    namespaces.replaceAll(all);
  }

  private void announce(String name) {
    vertx.eventBus().publish(Addresses.NAMESPACES, new JsonObject().put("namespace", name).put("node", nodeId));
  }

  /** Whether the store's PostgreSQL answers ({@code SELECT 1}). */
  public Future<Void> ping() {
    return store.ping();
  }

  /** Stops the periodic reload and closes the pool. */
  public Future<Void> close() {
    copy.close();
    return store.close();
  }
}
