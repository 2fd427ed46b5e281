package io.fluxer.control.events;

import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * Where the engine's event stream got to, so a broken stream resumes without a gap or a double.
 *
 * <p>The engine does not deliver events strictly in time order (swarm events are logged a little after
 * they happen), so a new stream starts {@value #SLACK_NANOS} ns before the newest event seen
 * ({@code since}, which the engine takes as inclusive), and the events of that overlap that were
 * already delivered are recognised by {@link SwarmEvent#key} and skipped. Not thread-safe: the
 * reading thread owns it.
 */
final class EventCursor {
  static final long SLACK_NANOS = 2_000_000_000L;

  private long newest;
  private final Map<String, Long> recent = new HashMap<>();

  /** Starts at {@code startNanos} (epoch nanoseconds): earlier events are not wanted. */
  EventCursor(long startNanos) {
    this.newest = startNanos;
  }

  /** The {@code since} of the next stream, in epoch nanoseconds. */
  long sinceNanos() {
    return newest - SLACK_NANOS;
  }

  /**
   * Whether the event was not delivered yet (and, if so, remembers it). A replayed event is never older
   * than {@link #sinceNanos()}, and every event delivered from then on is remembered; a live event that
   * comes late (older than that) is new.
   */
  boolean first(JsonObject raw) {
    long at = SwarmEvent.timeNanos(raw);
    if (recent.putIfAbsent(SwarmEvent.key(raw), at) != null) {
      return false;
    }
    if (at > newest) {
      newest = at;
      long floor = newest - SLACK_NANOS;
      recent.values().removeIf(t -> t < floor);
    }
    return true;
  }
}
