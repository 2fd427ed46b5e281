package io.fluxer.relay.protocol;

import java.util.List;
import java.util.Objects;

/** Publications read from history plus the stream's current top position. */
public record HistoryResult(StreamPosition position, List<Publication> publications) {
  public HistoryResult {
    Objects.requireNonNull(position, "position");
    publications = List.copyOf(publications);
  }
}
