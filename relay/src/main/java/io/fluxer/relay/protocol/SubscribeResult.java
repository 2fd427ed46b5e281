package io.fluxer.relay.protocol;

import java.util.List;

/**
 * The reply to a subscribe (also the body of a server-side subscribe push and of a connect reply's
 * {@code subs} entries).
 *
 * @param ttl seconds until the subscription token expires, when {@code expires}
 * @param publications missed publications when recovering, oldest first
 * @param data raw JSON or {@code null}
 */
public record SubscribeResult(boolean expires, long ttl, boolean recoverable, String epoch, long offset,
                              boolean positioned, List<Publication> publications, boolean recovered,
                              boolean wasRecovering, String data) {
  public SubscribeResult {
    publications = publications == null ? List.of() : List.copyOf(publications);
    epoch = epoch == null ? "" : epoch;
  }
}
