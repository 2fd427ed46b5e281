package io.fluxer.relay.store;

import io.fluxer.common.Addresses;
import io.fluxer.common.config.PostgresOptions;
import io.fluxer.common.store.Migrations;
import io.fluxer.common.store.PgPools;
import io.fluxer.common.store.StoreException;
import io.fluxer.relay.auth.ApiKeyChanges;
import io.fluxer.relay.auth.ApiKeys;
import io.fluxer.relay.config.ApiKey;
import io.fluxer.relay.config.Role;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * API keys created at run time, kept in PostgreSQL (table {@code api_keys}): the store is the truth
 * and {@link ApiKeys} the node's copy of it. A change made on this node is written first (when that
 * fails, nothing changes and the future fails with {@link StoreException}), applied to this node's
 * copy, then announced on {@value Addresses#API_KEYS}; every node answers a notice by reloading all
 * keys, and the periodic reload ({@code postgres.reload_interval}) heals a missed notice. How reloads
 * and local changes are ordered: {@link StoreCopy}, as for the namespaces.
 *
 * <p>The schema comes from {@link Migrations} (run by the namespace store, which starts first).
 */
public final class StoredApiKeys implements ApiKeyChanges {
  private static final String UNIQUE_VIOLATION = "23505";

  private final Vertx vertx;
  private final Pool pool;
  private final ApiKeys keys;
  private final String nodeId;
  private final StoreCopy<List<ApiKeys.Managed>> copy;

  private StoredApiKeys(Vertx vertx, Pool pool, ApiKeys keys, String nodeId) {
    this.vertx = vertx;
    this.pool = pool;
    this.keys = keys;
    this.nodeId = nodeId;
    this.copy = new StoreCopy<>(vertx, "API keys", this::loadAll, keys::replaceAll);
  }

  /** Loads the stored keys into {@code keys} and starts the periodic reload; fails when PostgreSQL does. */
  public static Future<StoredApiKeys> start(Vertx vertx, PostgresOptions options, ApiKeys keys, String nodeId) {
    StoredApiKeys stored = new StoredApiKeys(vertx, PgPools.create(vertx, options), keys, nodeId);
    return stored.copy.start(options.reloadInterval()).map(stored)
        .recover(e -> stored.pool.close().transform(ignored -> Future.failedFuture(e)));
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
          copy.changeLocally(() -> keys.put(key));
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
          // also when PostgreSQL had no such row: this node's copy was stale
          copy.changeLocally(() -> keys.remove(name));
          if (rows.rowCount() > 0) {
            announce(name);
          }
          return rows.rowCount() > 0;
        })
        .recover(e -> StoreException.failed("revoking API key '" + name + "'", e));
  }

  /** Reloads every key from PostgreSQL, now or right after the reload running. */
  public void requestReload() {
    copy.requestReload();
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
    copy.close();
    return pool.close();
  }
}
