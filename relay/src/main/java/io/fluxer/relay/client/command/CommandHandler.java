package io.fluxer.relay.client.command;

import io.fluxer.relay.protocol.Request;

/**
 * Handles one kind of client command. Handlers keep no state of their own: what they read and change
 * is the {@link Session}'s, and they are called on that session's event loop once the session has
 * checked the command may run (connect first, an id, the rate limit).
 *
 * @param <R> the command's request type
 */
@FunctionalInterface
public interface CommandHandler<R extends Request> {
  /**
   * Handles the command with id {@code id} (0 for {@code send}, which expects no reply). Replies,
   * possibly later, through {@code session}; what it throws is answered with error 100.
   */
  void handle(Session session, long id, R request);
}
