package io.fluxer.common.store;

import io.vertx.core.Future;

/**
 * PostgreSQL could not do what was asked (unreachable, refused, a failed statement); nothing the
 * caller asked for was applied. The message says what failed, never the connection URL.
 */
public class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }

  /** A failed future saying {@code what} failed and why; a {@code StoreException} passes as it is. */
  public static <T> Future<T> failed(String what, Throwable e) {
    if (e instanceof StoreException) {
      return Future.failedFuture(e);
    }
    String reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return Future.failedFuture(new StoreException("PostgreSQL: " + what + " failed: " + reason, e));
  }
}
