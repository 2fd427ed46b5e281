package io.fluxer.control;

import io.fluxer.common.config.ConfigValues;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Who reads which logs, and how a standby control plane waits: part of the {@code control} section.
 *
 * @param logsAllowedServices swarm services (by name) whose logs viewers may read although no stack the
 *                            control plane manages holds them ({@code logs_allowed_services}, default none)
 * @param standbyRetry        how often a standby control plane tries to take the leader lock
 *                            ({@code standby_retry}, default 2 s)
 */
public record PlaneOptions(Set<String> logsAllowedServices, Duration standbyRetry) {
  static final Set<String> KEYS = Set.of("logs_allowed_services", "standby_retry");
  public static final Duration DEFAULT_STANDBY_RETRY = Duration.ofSeconds(2);

  public PlaneOptions {
    logsAllowedServices = Set.copyOf(logsAllowedServices);
  }

  public static PlaneOptions defaults() {
    return new PlaneOptions(Set.of(), DEFAULT_STANDBY_RETRY);
  }

  static PlaneOptions fromValues(ConfigValues v) {
    return new PlaneOptions(Set.copyOf(v.strings("logs_allowed_services", List.of())),
        v.duration("standby_retry", DEFAULT_STANDBY_RETRY, Duration.ofMillis(100)));
  }

  public PlaneOptions withLogsAllowedServices(Set<String> services) {
    return new PlaneOptions(services, standbyRetry);
  }

  public PlaneOptions withStandbyRetry(Duration retry) {
    return new PlaneOptions(logsAllowedServices, retry);
  }
}
