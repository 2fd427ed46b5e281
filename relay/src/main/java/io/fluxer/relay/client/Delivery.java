package io.fluxer.relay.client;

import io.fluxer.relay.channel.TagFilter;
import java.util.HashMap;
import java.util.Map;

/**
 * A push frame for the subscribers of one channel, encoded once and shared by every session that
 * receives it, on every event loop of the node. The frame bytes must never be modified.
 *
 * <p>Tags filters ({@code tf} on subscribe) are evaluated here, once per distinct filter: each
 * result is remembered on the delivery, so a thousand subscribers with one filter cost one
 * evaluation, and subscribers with no filter cost nothing.
 */
public final class Delivery {
  private final String channel;
  private final long offset;
  private final String epoch;
  private final byte[] frame;
  private final Map<String, String> tags;
  private final long publishedNanos;
  /** Filter results of this delivery, made on the first filtered subscriber; guarded by {@code this}. */
  private Map<TagFilter, Boolean> filtered;
  private int filterEvaluations;

  /**
   * @param offset the publication's stream offset (0 for join/leave and channels without history)
   * @param epoch the epoch of the stream {@code offset} is in (empty when offset is 0)
   * @param frame the encoded push message, without a trailing newline
   * @param tags the publication's tags (empty for join/leave), what tags filters test
   * @param publishedNanos {@link System#nanoTime()} when the broker handed the publication to this
   *     node, for the publish-to-write latency; 0 when unknown (join/leave, or decoded from another
   *     node, whose clock means nothing here)
   */
  public Delivery(String channel, long offset, String epoch, byte[] frame, Map<String, String> tags,
                  long publishedNanos) {
    this.channel = channel;
    this.offset = offset;
    this.epoch = epoch;
    this.frame = frame;
    this.tags = tags == null ? Map.of() : tags;
    this.publishedNanos = publishedNanos;
  }

  /** A publication without tags or a local timestamp. */
  public Delivery(String channel, long offset, String epoch, byte[] frame) {
    this(channel, offset, epoch, frame, Map.of(), 0);
  }

  /** A join or leave push: no stream position. */
  public static Delivery joinLeave(String channel, byte[] frame) {
    return new Delivery(channel, 0, "", frame, Map.of(), 0);
  }

  public String channel() {
    return channel;
  }

  public long offset() {
    return offset;
  }

  public String epoch() {
    return epoch;
  }

  public byte[] frame() {
    return frame;
  }

  /** The publication's tags; never {@code null}, never modified. */
  public Map<String, String> tags() {
    return tags;
  }

  public long publishedNanos() {
    return publishedNanos;
  }

  /**
   * Whether this publication passes {@code filter} ({@code null}: no filter, always). Filters equal
   * by their canonical form share one evaluation per delivery, whichever event loop asks.
   */
  public boolean passes(TagFilter filter) {
    if (filter == null) {
      return true;
    }
    synchronized (this) {
      if (filtered == null) {
        filtered = new HashMap<>(4);
      }
      Boolean known = filtered.get(filter);
      if (known == null) {
        known = filter.matches(tags);
        filterEvaluations++;
        filtered.put(filter, known);
      }
      return known;
    }
  }

  /** How many filter evaluations {@link #passes} made on this delivery (one per distinct filter). */
  public synchronized int filterEvaluations() {
    return filterEvaluations;
  }

  @Override
  public String toString() {
    return "Delivery[" + channel + "@" + offset + "/" + epoch + ", " + frame.length + " B]";
  }
}
