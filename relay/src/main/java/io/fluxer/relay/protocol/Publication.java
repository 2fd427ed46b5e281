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
 */
public record Publication(long offset, String data, ClientInfo info, Map<String, String> tags) {
  public Publication {
    Objects.requireNonNull(data, "data");
    tags = tags == null ? Map.of() : Map.copyOf(tags);
  }
}
