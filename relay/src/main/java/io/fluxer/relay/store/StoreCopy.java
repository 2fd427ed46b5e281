package io.fluxer.relay.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A node's copy of something kept in PostgreSQL (namespaces, API keys): reloads it on request and
 * periodically, and applies changes made on this node without letting an older reload undo them.
 *
 * <p>Reloads run one at a time; requests arriving meanwhile are folded into one more reload after it.
 * A reload that overlapped a change made on this node ({@link #changeLocally}) is thrown away and run
 * again, so a load read before a write can never undo it. A failed reload keeps the current copy and
 * is logged once per outage.
 *
 * @param <T> what one load gives
 */
final class StoreCopy<T> {
  private static final System.Logger LOG = System.getLogger(StoreCopy.class.getName());

  private final Vertx vertx;
  private final String what;
  private final Supplier<Future<T>> load;
  private final Consumer<T> apply;
  private final Object lock = new Object();
  /** Guarded by {@link #lock}: a reload is running; another was asked for meanwhile; local changes made. */
  private boolean reloading;
  private boolean reloadAgain;
  private long localChanges;
  private boolean closed;
  private long timer = -1;
  /** Touched only by the one running reload. */
  private boolean failureLogged;

  /**
   * @param what what is copied, for the log ("namespaces")
   * @param load reads everything from PostgreSQL
   * @param apply replaces this node's copy with what a load read
   */
  StoreCopy(Vertx vertx, String what, Supplier<Future<T>> load, Consumer<T> apply) {
    this.vertx = vertx;
    this.what = what;
    this.load = load;
    this.apply = apply;
  }

  /** Loads and applies once, then reloads every {@code every} (never when zero). */
  Future<Void> start(Duration every) {
    return load.get().map(loaded -> {
      synchronized (lock) {
        apply.accept(loaded);
      }
      if (every.toMillis() > 0) {
        timer = vertx.setPeriodic(every.toMillis(), id -> requestReload());
      }
      return null;
    });
  }

  /** Applies a change this node just wrote to PostgreSQL; a reload that started before it is redone. */
  void changeLocally(Runnable change) {
    synchronized (lock) {
      localChanges++;
      change.run();
    }
  }

  /** Reloads everything from PostgreSQL, now or, if a reload is running, once more right after it. */
  void requestReload() {
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
    load.get().onComplete(ar -> {
      boolean again;
      synchronized (lock) {
        if (ar.succeeded() && !closed) {
          if (localChanges == changesAtStart) {
            apply.accept(ar.result());
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
        LOG.log(Level.INFO, what + " reloaded from PostgreSQL again");
      }
    } else if (!failureLogged) {
      failureLogged = true; // once per outage, not once per reload
      LOG.log(Level.WARNING, "cannot reload the " + what + " (keeping the current ones): " + failure.getMessage());
    }
  }

  /** Stops the periodic reload; reloads still running apply nothing more. */
  void close() {
    synchronized (lock) {
      closed = true;
    }
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }
}
