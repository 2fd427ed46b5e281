package io.fluxer.common.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Versioned schemas in PostgreSQL: each component sharing the database (the relay, the control plane)
 * has a {@link Schema}, its SQL files on the classpath, named {@code V<version>__<description>.sql}.
 *
 * <p>{@link #migrate} applies the versions the schema's table does not record yet, in order, all in
 * one transaction that first takes a transaction-level advisory lock: nodes starting together wait for
 * each other instead of racing, and the ones that get the lock later find nothing left to do. A
 * failing file rolls the whole run back. Applied files are never edited; a change is a new version
 * appended to the schema's files.
 */
public final class Migrations {
  private static final System.Logger LOG = System.getLogger(Migrations.class.getName());
  private static final Pattern FILE_NAME = Pattern.compile("V([1-9][0-9]*)__([A-Za-z0-9_]+)\\.sql");

  /** One schema version: its number, a description (from the file name) and its SQL. */
  public record Migration(int version, String description, String sql) {}

  /**
   * A set of migrations of one component sharing a database with others: the table recording its
   * applied versions, the advisory lock serializing its runs, and its SQL files on the classpath.
   */
  public record Schema(String table, long lockKey, String folder, List<String> files) {
    public Schema {
      if (!table.matches("[a-z_]+")) {
        throw new IllegalArgumentException("table must be [a-z_]+, got " + table);
      }
      files = List.copyOf(files);
    }
  }

  private final Schema schema;
  private final List<Migration> migrations;

  /** @param migrations in strictly increasing version order */
  public Migrations(Schema schema, List<Migration> migrations) {
    this.schema = schema;
    for (int i = 1; i < migrations.size(); i++) {
      if (migrations.get(i).version() <= migrations.get(i - 1).version()) {
        throw new IllegalArgumentException("migration versions must increase: " + migrations.get(i - 1).version()
            + " then " + migrations.get(i).version());
      }
    }
    this.migrations = List.copyOf(migrations);
  }

  /** The migrations of {@code schema}, read from the classpath off the event loop. */
  public static Future<Migrations> load(Vertx vertx, Schema schema) {
    return vertx.executeBlocking(() -> fromClasspath(schema), false);
  }

  /** The migrations of {@code schema}, read from the classpath on the calling thread. */
  public static Migrations fromClasspath(Schema schema) {
    List<Migration> list = new ArrayList<>();
    for (String file : schema.files()) {
      Matcher m = FILE_NAME.matcher(file);
      if (!m.matches()) {
        throw new IllegalStateException("migration file name must be V<version>__<description>.sql: " + file);
      }
      list.add(new Migration(Integer.parseInt(m.group(1)), m.group(2).replace('_', ' '),
          read(schema.folder() + file)));
    }
    return new Migrations(schema, list);
  }

  private static String read(String resource) {
    try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("migration " + resource + " is missing from the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public List<Migration> all() {
    return migrations;
  }

  /**
   * Applies the migrations the schema's table lacks, in one transaction under the advisory
   * lock; completes with the versions applied (empty when the schema was up to date).
   */
  public Future<List<Integer>> migrate(Pool pool) {
    return pool.withTransaction(conn -> conn.preparedQuery("SELECT pg_advisory_xact_lock($1)")
        .execute(Tuple.of(schema.lockKey()))
        // no "already exists, skipping" notice on every start
        .compose(v -> conn.query("SET LOCAL client_min_messages = warning").execute())
        .compose(v -> conn.query("CREATE TABLE IF NOT EXISTS " + schema.table() + " ("
            + "version integer PRIMARY KEY, "
            + "description text NOT NULL, "
            + "applied_at timestamptz NOT NULL DEFAULT now())").execute())
        .compose(v -> conn.query("SELECT version FROM " + schema.table()).execute())
        .compose(rows -> {
          Set<Integer> applied = new HashSet<>();
          for (Row row : rows) {
            applied.add(row.getInteger(0));
          }
          int known = migrations.isEmpty() ? 0 : migrations.get(migrations.size() - 1).version();
          applied.stream().filter(v -> v > known).max(Integer::compare).ifPresent(v -> LOG.log(Level.WARNING,
              "the database has schema version " + v + ", newer than this build knows (" + known + ")"));
          List<Migration> missing = migrations.stream().filter(m -> !applied.contains(m.version())).toList();
          return applyInOrder(conn, schema.table(), missing);
        }));
  }

  private static Future<List<Integer>> applyInOrder(SqlConnection conn, String table, List<Migration> missing) {
    List<Integer> done = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (Migration m : missing) {
      chain = chain
          .compose(v -> conn.query(m.sql()).execute()
              .recover(e -> Future.failedFuture(new StoreException(
                  "schema migration V" + m.version() + " (" + m.description() + ") failed: " + e.getMessage(), e))))
          .compose(v -> conn.preparedQuery("INSERT INTO " + table + " (version, description) VALUES ($1, $2)")
              .execute(Tuple.of(m.version(), m.description())))
          .map(v -> {
            done.add(m.version());
            LOG.log(Level.INFO, "applied schema migration V" + m.version() + " (" + m.description() + ")");
            return null;
          });
    }
    return chain.map(v -> List.copyOf(done));
  }
}
