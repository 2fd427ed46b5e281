package io.fluxer.control.store;

import io.fluxer.relay.testing.PgTestServer;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

/**
 * A {@link ControlStore} on a fresh database of the tests' PostgreSQL, migrated, with its pool and
 * the database's URL; {@link #close} closes the pool and drops the database.
 */
public record TestStore(Vertx vertx, String url, Pool pool, ControlStore store) implements AutoCloseable {

  /** With an all-zero key. */
  public static TestStore fresh(Vertx vertx) {
    return fresh(vertx, new EnvCipher(new byte[32]));
  }

  public static TestStore fresh(Vertx vertx, EnvCipher cipher) {
    String url = PgTestServer.freshDatabase(vertx);
    Pool pool = PgTestServer.pool(vertx, url);
    return new TestStore(vertx, url, pool, TestRelay.await(ControlStore.start(vertx, pool, cipher)));
  }

  @Override
  public void close() {
    TestRelay.await(pool.close());
    PgTestServer.dropDatabase(vertx, url);
  }
}
