package io.fluxer.relay.engine;

import io.fluxer.relay.protocol.StreamPosition;

/**
 * Which publications to read from a channel's history.
 *
 * @param since return only publications after this position ({@code null}: from the start, or from the
 *     end when {@code reverse})
 * @param limit at most this many publications; {@link #NO_LIMIT} for all, 0 for none (position only)
 * @param reverse newest first
 */
public record HistoryFilter(StreamPosition since, int limit, boolean reverse) {
  public static final int NO_LIMIT = -1;

  public HistoryFilter {
    if (limit < NO_LIMIT) {
      throw new IllegalArgumentException("limit must be >= -1");
    }
  }

  /** Only the current stream position. */
  public static HistoryFilter positionOnly() {
    return new HistoryFilter(null, 0, false);
  }

  /** Everything after {@code since}, oldest first, at most {@code limit}. */
  public static HistoryFilter since(StreamPosition since, int limit) {
    return new HistoryFilter(since, limit, false);
  }
}
