package io.fluxer.relay.protocol;

import java.util.Objects;

/** A position in a channel's publication stream: offset of the newest publication and the stream's epoch. */
public record StreamPosition(long offset, String epoch) {
  public StreamPosition {
    if (offset < 0) {
      throw new IllegalArgumentException("offset must be >= 0");
    }
    Objects.requireNonNull(epoch, "epoch");
  }
}
