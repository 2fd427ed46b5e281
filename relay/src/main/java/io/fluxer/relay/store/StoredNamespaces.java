package io.fluxer.relay.store;

import io.fluxer.relay.Addresses;
import io.fluxer.relay.channel.NamespaceChanges;
import io.fluxer.relay.channel.Namespaces;
import io.fluxer.relay.config.ChannelOptions;
import io.fluxer.relay.config.NamespaceOptions;
import io.fluxer.relay.config.PostgresOptions;
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
 * message, and a periodic reload ({@code postgres.reload_interval}) heals a missed notice.
 *
 * <p>The reserved namespaces ({@link ChannelOptions#RESERVED}) are always present: one PostgreSQL
 * does not hold is the config file's (or the default) one.
 *
 * <p>Reloads run one at a time; requests arriving meanwhile are folded into one more reload after it.
 * A reload that overlapped a change made on this node is thrown away and run again, so a load read
 * before a write can never undo it.
 */
public final class StoredNamespaces implements NamespaceChanges {
  private static final System.Logger LOG = System.getLogger(StoredNamespaces.class.getName());

  private final Vertx vertx;
  private final NamespaceStore store;
  private final Namespaces namespaces;
  private final Map<String, NamespaceOptions> reserved;
  private final String nodeId;
  private final Object lock = new Object();
  /** Guarded by {@link #lock}: a reload is running; another was asked for meanwhile; local changes made. */
  private boolean reloading;
  private boolean reloadAgain;
  private long localChanges;
  private boolean closed;
  private long timer = -1;
  /** Touched only by the one running reload. */
  private boolean failureLogged;

  private StoredNamespaces(Vertx vertx, NamespaceStore store, Namespaces namespaces, Map<String, NamespaceOptions> reserved,
                           String nodeId) {
    this.vertx = vertx;
    this.store = store;
    this.namespaces = namespaces;
    this.reserved = reserved;
    this.nodeId = nodeId;
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
        .compose(seeded -> store.loadAll())
        .map(loaded -> {
          stored.apply(loaded);
          long every = options.reloadInterval().toMillis();
          if (every > 0) {
            stored.timer = vertx.setPeriodic(every, id -> stored.requestReload());
          }
          return stored;
        })
        .recover(e -> store.close().transform(ignored -> Future.failedFuture(e)));
  }

  @Override
  public Future<Boolean> put(NamespaceOptions ns) {
    return store.upsert(ns).map(inserted -> {
      synchronized (lock) {
        localChanges++;
        namespaces.put(ns);
      }
      announce(ns.name());
      // reserved namespaces always exist (PostgreSQL or not), so writing one replaces it
      return inserted && !ChannelOptions.isReserved(ns.name());
    });
  }

  @Override
  public Future<Boolean> remove(String name) {
    return store.delete(name).map(existed -> {
      synchronized (lock) {
        localChanges++;
        // also when PostgreSQL had no such row: this node's copy was stale
        namespaces.remove(name);
      }
      if (existed) {
        announce(name);
      }
      return existed;
    });
  }

  /**
   * Reloads every namespace from PostgreSQL, now or, if a reload is running, once more right after
   * it. A failed reload keeps the current namespaces and is logged.
   */
  public void requestReload() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      if (reloading) {
        reloadAgain = true;
        return;
      }
      reloading = true;
    }
    reloadOnce();
  }

  private void reloadOnce() {
    long changesAtStart;
    synchronized (lock) {
      changesAtStart = localChanges;
    }
    store.loadAll().onComplete(ar -> {
      boolean again;
      synchronized (lock) {
        if (ar.succeeded()) {
          if (localChanges == changesAtStart) {
            apply(ar.result());
          } else {
            reloadAgain = true; // read before a change made here: may predate it
          }
        }
        again = reloadAgain && !closed;
        reloadAgain = false;
        reloading = again;
      }
      if (!isClosed()) {
        logOutcome(ar.cause());
      }
      if (again) {
        reloadOnce();
      }
    });
  }

  private boolean isClosed() {
    synchronized (lock) {
      return closed;
    }
  }

  private void logOutcome(Throwable failure) {
    if (failure == null) {
      if (failureLogged) {
        failureLogged = false;
        LOG.log(Level.INFO, "namespaces reloaded from PostgreSQL again");
      }
    } else if (!failureLogged) {
      failureLogged = true; // once per outage, not once per reload
      LOG.log(Level.WARNING, "cannot reload the namespaces (keeping the current ones): " + failure.getMessage());
    }
  }

  private void apply(Map<String, NamespaceOptions> loaded) {
    Map<String, NamespaceOptions> all = new HashMap<>(loaded);
    reserved.forEach(all::putIfAbsent);
    namespaces.replaceAll(all);
  }

  private void announce(String name) {
    vertx.eventBus().publish(Addresses.NAMESPACES, new JsonObject().put("namespace", name).put("node", nodeId));
  }

  /** Stops the periodic reload and closes the pool. */
  public Future<Void> close() {
    synchronized (lock) {
      closed = true;
    }
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    return store.close();
  }
}
