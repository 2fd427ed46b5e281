package io.fluxer.relay.store;

import io.fluxer.relay.Addresses;
import io.fluxer.relay.auth.ApiKeyChanges;
import io.fluxer.relay.auth.ApiKeys;
import io.fluxer.relay.auth.Role;
import io.fluxer.relay.config.ApiKey;
import io.fluxer.relay.config.PostgresOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.lang.System.Logger.Level;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * API keys created at run time, kept in PostgreSQL (table {@code api_keys}): the store is the truth
 * and {@link ApiKeys} the node's copy of it. A change made on this node is written first (when that
 * fails, nothing changes and the future fails with {@link StoreException}), applied to this node's
 * copy, then announced on {@value Addresses#API_KEYS}; every node answers a notice by reloading all
 * keys, and the periodic reload ({@code postgres.reload_interval}) heals a missed notice. A reload
 * that started before a change made here is thrown away, so it cannot undo it; overlapping reloads
 * apply in the order they started.
 *
 * <p>The schema comes from {@link Migrations} (run by the namespace store, which starts first).
 */
public final class StoredApiKeys implements ApiKeyChanges {
  private static final System.Logger LOG = System.getLogger(StoredApiKeys.class.getName());
  private static final String UNIQUE_VIOLATION = "23505";

  private final Vertx vertx;
  private final Pool pool;
  private final ApiKeys keys;
  private final String nodeId;
  private final Object lock = new Object();
  /** Guarded by {@link #lock}: reloads started, the last one applied, changes made on this node. */
  private long ticket;
  private long applied;
  private long localChanges;
  private boolean failureLogged;
  private boolean closed;
  private long timer = -1;

  private StoredApiKeys(Vertx vertx, Pool pool, ApiKeys keys, String nodeId) {
    this.vertx = vertx;
    this.pool = pool;
    this.keys = keys;
    this.nodeId = nodeId;
  }

  /** Loads the stored keys into {@code keys} and starts the periodic reload; fails when PostgreSQL does. */
  public static Future<StoredApiKeys> start(Vertx vertx, PostgresOptions options, ApiKeys keys, String nodeId) {
    StoredApiKeys stored = new StoredApiKeys(vertx, PgPools.create(vertx, options), keys, nodeId);
    return stored.loadAll().map(loaded -> {
      keys.replaceAll(loaded);
      long every = options.reloadInterval().toMillis();
      if (every > 0) {
        stored.timer = vertx.setPeriodic(every, id -> stored.requestReload());
      }
      return stored;
    }).recover(e -> stored.pool.close().transform(ignored -> Future.failedFuture(e)));
  }

  @Override
  public Future<Boolean> add(ApiKeys.Managed key) {
    if (keys.isConfigured(key.name())) {
      return Future.succeededFuture(false);
    }
    return pool.preparedQuery("INSERT INTO api_keys (name, sha256, role, created_by, created_at) "
            + "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO NOTHING")
        .execute(Tuple.of(key.name(), key.key().sha256(), key.key().role().id(), key.createdBy(),
            key.createdAt().atOffset(ZoneOffset.UTC)))
        .map(rows -> {
          if (rows.rowCount() == 0) {
            return false;
          }
          synchronized (lock) {
            localChanges++;
            keys.put(key);
          }
          announce(key.name());
          return true;
        })
        .recover(e -> e instanceof PgException pg && UNIQUE_VIOLATION.equals(pg.getSqlState())
            ? Future.failedFuture(new StoreException("PostgreSQL: a key with the same hash exists", e))
            : StoreException.failed("storing API key '" + key.name() + "'", e));
  }

  @Override
  public Future<Boolean> revoke(String name) {
    return pool.preparedQuery("DELETE FROM api_keys WHERE name = $1").execute(Tuple.of(name))
        .map(rows -> {
          synchronized (lock) {
            localChanges++;
            keys.remove(name); // also when PostgreSQL had no such row: this node's copy was stale
          }
          if (rows.rowCount() > 0) {
            announce(name);
          }
          return rows.rowCount() > 0;
        })
        .recover(e -> StoreException.failed("revoking API key '" + name + "'", e));
  }

  /** Reloads every key from PostgreSQL; a failed reload keeps the current keys and is logged once. */
  public void requestReload() {
    long mine;
    long changesAtStart;
    synchronized (lock) {
      if (closed) {
        return;
      }
      mine = ++ticket;
      changesAtStart = localChanges;
    }
    loadAll().onComplete(ar -> {
      boolean again = false;
      synchronized (lock) {
        if (closed) {
          return;
        }
        if (ar.succeeded() && localChanges != changesAtStart) {
          again = true; // read before a change made here: may predate it
        } else if (ar.succeeded() && mine > applied) {
          keys.replaceAll(ar.result()); // a reload that started later and finished first wins
          applied = mine;
        }
        if (ar.failed() && !failureLogged) {
          failureLogged = true;
          LOG.log(Level.WARNING, "cannot reload the API keys (keeping the current ones): " + ar.cause().getMessage());
        } else if (ar.succeeded() && failureLogged) {
          failureLogged = false;
          LOG.log(Level.INFO, "API keys reloaded from PostgreSQL again");
        }
      }
      if (again) {
        requestReload();
      }
    });
  }

  private Future<List<ApiKeys.Managed>> loadAll() {
    return pool.query("SELECT name, sha256, role, created_by, created_at FROM api_keys ORDER BY name").execute()
        .map(rows -> {
          List<ApiKeys.Managed> all = new ArrayList<>();
          for (Row row : rows) {
            Role role = Role.of(row.getString("role"));
            all.add(new ApiKeys.Managed(new ApiKey(row.getString("name"), row.getString("sha256").trim(), role),
                row.getString("created_by"), row.getOffsetDateTime("created_at").toInstant()));
          }
          return all;
        })
        .recover(e -> StoreException.failed("loading the API keys", e));
  }

  private void announce(String name) {
    vertx.eventBus().publish(Addresses.API_KEYS, new JsonObject().put("key", name).put("node", nodeId));
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
    return pool.close();
  }
}
