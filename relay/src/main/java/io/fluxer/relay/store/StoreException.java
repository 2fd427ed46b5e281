package io.fluxer.relay.store;

/**
 * PostgreSQL could not do what was asked (unreachable, refused, a failed statement); nothing the
 * caller asked for was applied. The message says what failed, never the connection URL.
 */
public class StoreException extends RuntimeException {
  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
