package io.fluxer.relay.protocol;

import java.util.List;

/**
 * The reply to a subscribe (also the body of a server-side subscribe push and of a connect reply's
 * {@code subs} entries).
 *
 * @param ttl seconds until the subscription token expires, when {@code expires}
 * @param publications missed publications when recovering, oldest first
 * @param data raw JSON or {@code null}
 * @param delta delta compression was negotiated: publications (these and later ones) come in the
 *     delta form (JSON: {@code data} as a JSON string)
 */
public record SubscribeResult(boolean expires, long ttl, boolean recoverable, String epoch, long offset,
                              boolean positioned, List<Publication> publications, boolean recovered,
                              boolean wasRecovering, String data, boolean delta) {
  public SubscribeResult {
    publications = publications == null ? List.of() : List.copyOf(publications);
    epoch = epoch == null ? "" : epoch;
  }

  /** A result without delta compression. */
  public SubscribeResult(boolean expires, long ttl, boolean recoverable, String epoch, long offset,
                         boolean positioned, List<Publication> publications, boolean recovered,
                         boolean wasRecovering, String data) {
    this(expires, ttl, recoverable, epoch, offset, positioned, publications, recovered, wasRecovering, data, false);
  }

  /** The same result with delta compression negotiated or not. */
  public SubscribeResult withDelta(boolean negotiated) {
    return new SubscribeResult(expires, ttl, recoverable, epoch, offset, positioned, publications, recovered,
        wasRecovering, data, negotiated);
  }
}
