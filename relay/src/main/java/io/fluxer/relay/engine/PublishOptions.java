package io.fluxer.relay.engine;

import io.fluxer.relay.protocol.ClientInfo;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * How to publish: who published, tags, and how much history the channel keeps.
 *
 * @param info publisher or {@code null}
 * @param historySize publications kept; 0 keeps no history (the publication gets offset 0)
 * @param historyTtl how long a publication stays in history
 * @param historyMetaTtl how long the stream's epoch and top offset survive without publications
 * @param idempotencyKey publish at most once per key within the broker's idempotency window, or {@code null}
 * @param delta for delta delivery ({@link io.fluxer.relay.protocol.Publication#delta})
 */
public record PublishOptions(ClientInfo info, Map<String, String> tags, int historySize, Duration historyTtl,
                             Duration historyMetaTtl, String idempotencyKey, boolean delta) {
  public static final Duration DEFAULT_HISTORY_META_TTL = Duration.ofDays(30);

  public PublishOptions {
    tags = tags == null ? Map.of() : Map.copyOf(tags);
    if (historySize < 0) {
      throw new IllegalArgumentException("historySize must be >= 0");
    }
    Objects.requireNonNull(historyTtl, "historyTtl");
    Objects.requireNonNull(historyMetaTtl, "historyMetaTtl");
    if (historySize > 0 && historyTtl.isZero()) {
      throw new IllegalArgumentException("historyTtl must be > 0 when historySize > 0");
    }
  }

  public PublishOptions(ClientInfo info, Map<String, String> tags, int historySize, Duration historyTtl,
                        Duration historyMetaTtl, String idempotencyKey) {
    this(info, tags, historySize, historyTtl, historyMetaTtl, idempotencyKey, false);
  }

  /** No history, no info: fan-out only. */
  public static PublishOptions noHistory() {
    return new PublishOptions(null, Map.of(), 0, Duration.ZERO, DEFAULT_HISTORY_META_TTL, null);
  }

  public static PublishOptions withHistory(int size, Duration ttl) {
    return new PublishOptions(null, Map.of(), size, ttl, DEFAULT_HISTORY_META_TTL, null);
  }

  public PublishOptions withInfo(ClientInfo publisher) {
    return new PublishOptions(publisher, tags, historySize, historyTtl, historyMetaTtl, idempotencyKey, delta);
  }

  public PublishOptions withTags(Map<String, String> newTags) {
    return new PublishOptions(info, newTags, historySize, historyTtl, historyMetaTtl, idempotencyKey, delta);
  }

  public PublishOptions withDelta(boolean forDelta) {
    return new PublishOptions(info, tags, historySize, historyTtl, historyMetaTtl, idempotencyKey, forDelta);
  }

  public boolean keepsHistory() {
    return historySize > 0;
  }
}
