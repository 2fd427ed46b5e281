package io.fluxer.relay.client;

/**
 * A push frame for the subscribers of one channel, encoded once and shared by every session that
 * receives it. The frame bytes must never be modified.
 *
 * @param offset the publication's stream offset (0 for join/leave and channels without history)
 * @param epoch the epoch of the stream {@code offset} is in (empty when offset is 0)
 * @param frame the encoded push message, without a trailing newline
 * @param publishedNanos {@link System#nanoTime()} when the broker handed the publication to this
 *     node, for the publish-to-write latency; 0 when unknown (join/leave, or decoded from another
 *     node, whose clock means nothing here)
 */
public record Delivery(String channel, long offset, String epoch, byte[] frame, long publishedNanos) {
  /** A delivery without a local timestamp. */
  public Delivery(String channel, long offset, String epoch, byte[] frame) {
    this(channel, offset, epoch, frame, 0);
  }

  /** A join or leave push: no stream position. */
  public static Delivery joinLeave(String channel, byte[] frame) {
    return new Delivery(channel, 0, "", frame, 0);
  }
}
