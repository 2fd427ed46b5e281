package io.fluxer.control.store;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Tuple;
import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * The control plane's leader lock: a session-level PostgreSQL advisory lock
 * ({@code pg_try_advisory_lock}) on a connection of its own, held for as long as this instance leads.
 * Only one control plane acts at a time; another one waits as a standby, trying again every
 * {@code retry}, and takes the lock when the leader's session ends (it stopped, died, or PostgreSQL
 * dropped its connection).
 *
 * <p>While it holds the lock it checks the connection every {@code retry}; when the connection is
 * gone the lock is gone too (PostgreSQL releases it with the session), and {@link #onLost} runs once.
 */
public final class LeaderLock {
  private static final System.Logger LOG = System.getLogger(LeaderLock.class.getName());
  /** The advisory lock's key: "FluxCtl" in ASCII, shared by every control plane of one database. */
  public static final long KEY = 0x466c7578_43746cL;

  private final Vertx vertx;
  private final PgConnectOptions options;
  private final Duration retry;
  private PgConnection connection;
  private Runnable onLost = () -> { };
  private boolean held;
  private boolean closed;
  private long timer = -1;

  public LeaderLock(Vertx vertx, PgConnectOptions options, Duration retry) {
    this.vertx = vertx;
    this.options = options;
    this.retry = retry;
  }

  /** What to do, once, when a held lock is lost. */
  public LeaderLock onLost(Runnable action) {
    this.onLost = action;
    return this;
  }

  /** Completes once this instance holds the lock (it may wait for ever); fails only when closed first. */
  public Future<Void> acquire() {
    Promise<Void> acquired = Promise.promise();
    attempt(acquired, true);
    return acquired.future();
  }

  public boolean held() {
    return held;
  }

  /** Lets the lock go (closes its connection) and stops trying. */
  public Future<Void> release() {
    closed = true;
    held = false;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    PgConnection c = connection;
    connection = null;
    return c == null ? Future.succeededFuture() : c.close().recover(e -> Future.succeededFuture());
  }

  private void attempt(Promise<Void> acquired, boolean first) {
    if (closed) {
      acquired.tryFail("the leader lock was released before it was taken");
      return;
    }
    Future<PgConnection> conn = connection != null ? Future.succeededFuture(connection)
        : PgConnection.connect(vertx, options).onSuccess(c -> connection = c);
    conn.compose(c -> c.preparedQuery("SELECT pg_try_advisory_lock($1)").execute(Tuple.of(KEY)))
        .onComplete(ar -> {
          if (ar.succeeded() && ar.result().iterator().next().getBoolean(0) && !closed) {
            held = true;
            PgConnection c = connection;
            c.closeHandler(v -> lost(c, "its connection closed"));
            timer = vertx.setPeriodic(retry.toMillis(), id -> check(c));
            acquired.tryComplete();
            return;
          }
          if (ar.failed()) {
            LOG.log(Level.WARNING, "cannot try the leader lock: " + ar.cause().getMessage());
            PgConnection c = connection;
            connection = null;
            if (c != null) {
              c.close();
            }
          } else if (first) {
            LOG.log(Level.INFO, "another control plane leads: standing by, trying again every " + retry.toMillis()
                + " ms");
          }
          vertx.setTimer(retry.toMillis(), t -> attempt(acquired, false));
        });
  }

  private void check(PgConnection c) {
    c.query("SELECT 1").execute().onFailure(e -> lost(c, e.getMessage()));
  }

  private void lost(PgConnection c, String why) {
    if (!held || closed || c != connection) {
      return;
    }
    held = false;
    vertx.cancelTimer(timer);
    timer = -1;
    connection = null;
    c.close();
    LOG.log(Level.ERROR, "lost the control plane's leader lock (" + why + "): this instance must stop acting");
    onLost.run();
  }
}
