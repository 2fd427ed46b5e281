package io.fluxer.control.deploy;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link Deployer} watches a deployment converge.
 *
 * @param pollInterval   how often the services and their tasks are read while converging
 * @param deadline       how long a deployment (or the rollback after it) may take to converge before it fails
 * @param defaultMonitor how long a converged state must hold when the spec sets no
 *                       {@code UpdateConfig.Monitor} (the engine's own default is 5 s)
 * @param maxMonitor     the longest hold, whatever the spec asks
 * @param publishTimeout how long a publication to {@code deploy:*} may wait for the relay
 */
public record DeployerOptions(Duration pollInterval, Duration deadline, Duration defaultMonitor, Duration maxMonitor,
                              Duration publishTimeout) {

  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(120);
  public static final Duration DEFAULT_MONITOR = Duration.ofSeconds(5);
  public static final Duration DEFAULT_MAX_MONITOR = Duration.ofSeconds(30);
  public static final Duration DEFAULT_PUBLISH_TIMEOUT = Duration.ofSeconds(5);

  public DeployerOptions {
    positive(pollInterval, "pollInterval");
    positive(deadline, "deadline");
    Objects.requireNonNull(defaultMonitor, "defaultMonitor");
    Objects.requireNonNull(maxMonitor, "maxMonitor");
    if (defaultMonitor.isNegative() || maxMonitor.isNegative()) {
      throw new IllegalArgumentException("monitor durations must not be negative");
    }
    positive(publishTimeout, "publishTimeout");
  }

  public static DeployerOptions defaults() {
    return new DeployerOptions(DEFAULT_POLL_INTERVAL, DEFAULT_DEADLINE, DEFAULT_MONITOR, DEFAULT_MAX_MONITOR,
        DEFAULT_PUBLISH_TIMEOUT);
  }

  public DeployerOptions withDeadline(Duration d) {
    return new DeployerOptions(pollInterval, d, defaultMonitor, maxMonitor, publishTimeout);
  }

  public DeployerOptions withPollInterval(Duration d) {
    return new DeployerOptions(d, deadline, defaultMonitor, maxMonitor, publishTimeout);
  }

  /** The hold a spec asks for ({@code UpdateConfig.Monitor} in nanoseconds; null: the default), at most {@link #maxMonitor}. */
  public Duration monitor(Long specNanos) {
    Duration asked = specNanos == null ? defaultMonitor : Duration.ofNanos(Math.max(0, specNanos));
    return asked.compareTo(maxMonitor) > 0 ? maxMonitor : asked;
  }

  private static void positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }
}
