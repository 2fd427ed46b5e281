package io.fluxer.relay.store;

import io.fluxer.common.store.Migrations;
import io.fluxer.common.store.Migrations.Schema;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.List;

/**
 * The relay's schema in PostgreSQL (namespaces, API keys): SQL files on the classpath under
 * {@value #FOLDER}, listed in {@link #FILES}, applied by {@link Migrations} and recorded in
 * {@code schema_migrations}.
 */
public final class RelaySchema {
  /** Classpath folder of the SQL files. */
  public static final String FOLDER = "io/fluxer/relay/store/migrations/";
  /** Every migration file, in version order. */
  public static final List<String> FILES = List.of("V1__namespaces.sql", "V2__api_keys.sql");
  /** Key of the advisory lock serializing migration runs ("fluxer" + 1). */
  public static final long LOCK_KEY = 0x666C_7578_6572_0001L;
  public static final Schema SCHEMA = new Schema("schema_migrations", LOCK_KEY, FOLDER, FILES);

  private RelaySchema() {}

  /** The relay's migrations, read from the classpath off the event loop. */
  public static Future<Migrations> load(Vertx vertx) {
    return Migrations.load(vertx, SCHEMA);
  }
}
