package io.fluxer.relay.protocol;

import java.util.Map;
import java.util.Objects;

/**
 * One publication in a channel.
 *
 * @param offset position in the channel stream, 0 when the channel keeps no history
 * @param data raw JSON text, embedded as-is on the wire
 * @param info publisher, or {@code null} when published by the server
 * @param tags string tags, never {@code null}
 * @param delta published for delta delivery (the server API's {@code delta: true}, or the
 *     namespace's {@code delta_publish}): subscribers that negotiated delta compression get it as a
 *     delta against the publication they had before. Travels with the live publication only;
 *     history does not keep it
 */
public record Publication(long offset, String data, ClientInfo info, Map<String, String> tags, boolean delta) {
  public Publication {
    Objects.requireNonNull(data, "data");
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }

  /** A publication not meant for delta delivery (and any read back from history). */
  public Publication(long offset, String data, ClientInfo info, Map<String, String> tags) {
    this(offset, data, info, tags, false);
  }
}
