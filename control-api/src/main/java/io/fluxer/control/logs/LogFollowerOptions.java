package io.fluxer.control.logs;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link LogFollowers} follows and publishes.
 *
 * @param pollInterval    how often a followed service's tasks are listed again (new tasks, gone ones)
 * @param batchWindow     how long lines wait to leave together in one publication
 * @param batchLines      the most lines in one publication
 * @param maxPendingLines lines a channel may have waiting before further ones are dropped (counted)
 * @param maxStreams      task log streams open at once, over all services (one thread each)
 * @param publishTimeout  how long the relay may take to answer a publication
 */
public record LogFollowerOptions(Duration pollInterval, Duration batchWindow, int batchLines, int maxPendingLines,
                                 int maxStreams, Duration publishTimeout) {

  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(2);
  public static final Duration DEFAULT_BATCH_WINDOW = Duration.ofMillis(100);
  public static final int DEFAULT_BATCH_LINES = 100;
  public static final int DEFAULT_MAX_PENDING_LINES = 5_000;
  public static final int DEFAULT_MAX_STREAMS = 64;
  public static final Duration DEFAULT_PUBLISH_TIMEOUT = Duration.ofSeconds(5);

  public LogFollowerOptions {
    Objects.requireNonNull(pollInterval, "pollInterval");
    Objects.requireNonNull(batchWindow, "batchWindow");
    Objects.requireNonNull(publishTimeout, "publishTimeout");
    if (pollInterval.toMillis() < 1) {
      throw new IllegalArgumentException("pollInterval must be at least 1 ms: " + pollInterval);
    }
    if (batchWindow.isNegative()) {
      throw new IllegalArgumentException("batchWindow must not be negative: " + batchWindow);
    }
    if (batchLines < 1 || maxPendingLines < batchLines) {
      throw new IllegalArgumentException("need 1 <= batchLines <= maxPendingLines: " + batchLines + ", "
          + maxPendingLines);
    }
    if (maxStreams < 1) {
      throw new IllegalArgumentException("maxStreams must be at least 1: " + maxStreams);
    }
    if (publishTimeout.toMillis() < 1) {
      throw new IllegalArgumentException("publishTimeout must be at least 1 ms: " + publishTimeout);
    }
  }

  public static LogFollowerOptions defaults() {
    return new LogFollowerOptions(DEFAULT_POLL_INTERVAL, DEFAULT_BATCH_WINDOW, DEFAULT_BATCH_LINES,
        DEFAULT_MAX_PENDING_LINES, DEFAULT_MAX_STREAMS, DEFAULT_PUBLISH_TIMEOUT);
  }

  public LogFollowerOptions withPollInterval(Duration interval) {
    return new LogFollowerOptions(interval, batchWindow, batchLines, maxPendingLines, maxStreams, publishTimeout);
  }

  public LogFollowerOptions withMaxStreams(int max) {
    return new LogFollowerOptions(pollInterval, batchWindow, batchLines, maxPendingLines, max, publishTimeout);
  }
}
