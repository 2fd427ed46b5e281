package io.fluxer.relay.store;

import io.fluxer.common.config.ConfigException;
import io.fluxer.common.config.PostgresOptions;
import io.fluxer.common.store.Migrations;
import io.fluxer.common.store.PgPools;
import io.fluxer.common.store.StoreException;
import io.fluxer.relay.config.NamespaceOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.lang.System.Logger.Level;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Namespace options in PostgreSQL (table {@code namespaces}, created by {@link Migrations}), on the
 * Vert.x PG client: every call returns a future and never blocks. Failures come as
 * {@link StoreException}.
 */
public final class NamespaceStore {
  /** How long opening a connection, or waiting for a free one in the pool, may take. */
  private static final System.Logger LOG = System.getLogger(NamespaceStore.class.getName());
  private static final String SEED_NAMESPACES = "namespaces";

  private final Vertx vertx;
  private final Pool pool;

  NamespaceStore(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
  }

  /** A store on a new pool of {@code options.pool_size} connections; connects lazily. */
  public static NamespaceStore create(Vertx vertx, PostgresOptions options) {
    return new NamespaceStore(vertx, PgPools.create(vertx, options));
  }

  /** {@code SELECT 1}: whether PostgreSQL answers. */
  public Future<Void> ping() {
    return pool.query("SELECT 1").execute().<Void>mapEmpty().recover(e -> StoreException.failed("ping", e));
  }

  /** Brings the schema up to date; completes with the versions applied. */
  public Future<List<Integer>> migrate() {
    return RelaySchema.load(vertx).compose(m -> m.migrate(pool))
        .recover(e -> StoreException.failed("migrating the schema", e));
  }

  /**
   * Stores {@code namespaces} when this database has never been seeded (recorded in table
   * {@code seeds}), in one transaction: the first node to start against a new database brings its
   * config file's namespaces, later nodes and restarts change nothing. Completes with whether this
   * call seeded.
   */
  public Future<Boolean> seedOnce(Collection<NamespaceOptions> namespaces) {
    return pool.withTransaction(conn -> conn
        .preparedQuery("INSERT INTO seeds (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
        .execute(Tuple.of(SEED_NAMESPACES))
        .compose(marked -> {
          if (marked.rowCount() == 0 || namespaces.isEmpty()) {
            return Future.succeededFuture(marked.rowCount() > 0);
          }
          List<Tuple> rows = namespaces.stream().map(ns -> Tuple.of(ns.name(), stored(ns))).toList();
          return conn.preparedQuery("INSERT INTO namespaces (name, options) VALUES ($1, $2) "
              + "ON CONFLICT (name) DO NOTHING").executeBatch(rows).map(true);
        })).recover(e -> StoreException.failed("seeding the namespaces", e));
  }

  /**
   * Every stored namespace by name. A row whose options no longer parse (edited by hand, written by
   * a newer relay) is left out with a warning rather than failing the whole load.
   */
  public Future<Map<String, NamespaceOptions>> loadAll() {
    return pool.query("SELECT name, options FROM namespaces ORDER BY name").execute().map(rows -> {
      Map<String, NamespaceOptions> all = new LinkedHashMap<>();
      for (Row row : rows) {
        String name = row.getString("name");
        try {
          all.put(name, NamespaceOptions.parse(row.getJsonObject("options"), name));
        } catch (ConfigException | ClassCastException e) {
          LOG.log(Level.WARNING, "namespace '" + name + "' in PostgreSQL is left out: " + e.getMessage());
        }
      }
      return all;
    }).recover(e -> StoreException.failed("loading the namespaces", e));
  }

  /** Adds or replaces a namespace; completes with {@code true} when it did not exist. */
  public Future<Boolean> upsert(NamespaceOptions ns) {
    return pool.preparedQuery("INSERT INTO namespaces (name, options) VALUES ($1, $2) "
            + "ON CONFLICT (name) DO UPDATE SET options = EXCLUDED.options, "
            + "version = namespaces.version + 1, updated_at = now() RETURNING version")
        .execute(Tuple.of(ns.name(), stored(ns)))
        .map(rows -> rows.iterator().next().getLong("version") == 1L)
        .recover(e -> StoreException.failed("storing namespace '" + ns.name() + "'", e));
  }

  /** Removes a namespace; completes with whether it existed. */
  public Future<Boolean> delete(String name) {
    return pool.preparedQuery("DELETE FROM namespaces WHERE name = $1").execute(Tuple.of(name))
        .map(rows -> rows.rowCount() > 0)
        .recover(e -> StoreException.failed("deleting namespace '" + name + "'", e));
  }

  public Future<Void> close() {
    return pool.close();
  }

  /** The options as stored: config JSON without the name, which is the row's key. */
  static JsonObject stored(NamespaceOptions ns) {
    JsonObject json = ns.toJson();
    json.remove("name");
    return json;
  }
}
