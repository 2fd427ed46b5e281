package io.fluxer.common.store;

import io.fluxer.common.config.PostgresOptions;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.concurrent.TimeUnit;

/** The PostgreSQL pools of Fluxer's stores (the relay's namespaces, control-api's stacks). */
public final class PgPools {
  /** Opening a connection, or waiting for a free one, gives up after this long. */
  public static final int CONNECT_TIMEOUT_SECONDS = 5;

  private PgPools() {}

  /** A pool of at most {@code postgres.pool_size} connections to {@code postgres.url}; connects lazily. */
  public static Pool create(Vertx vertx, PostgresOptions options) {
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(options.poolSize())
            .setConnectionTimeout(CONNECT_TIMEOUT_SECONDS).setConnectionTimeoutUnit(TimeUnit.SECONDS))
        .with(new NetClientOptions().setConnectTimeout(CONNECT_TIMEOUT_SECONDS * 1000))
        .connectingTo(options.connectOptions())
        .using(vertx)
        .build();
  }
}
