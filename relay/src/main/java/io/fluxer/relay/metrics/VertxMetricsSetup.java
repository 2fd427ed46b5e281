package io.fluxer.relay.metrics;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;

/**
 * Builds a {@link Vertx} that reports its own metrics (HTTP server and WebSocket connections, event
 * bus, pools, Netty event loops, JVM) to a Prometheus registry. A relay node started on it adds
 * Fluxer's meters to that registry, and {@code /metrics} serves both.
 */
public final class VertxMetricsSetup {
  private VertxMetricsSetup() {}

  /** Micrometer metrics with the Prometheus backend, JVM and Netty binders on. */
  public static MicrometerMetricsOptions options() {
    MicrometerMetricsOptions options = new MicrometerMetricsOptions()
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        .setJvmMetricsEnabled(true)
        .setNettyMetricsEnabled(true);
    options.setEnabled(true);
    return options;
  }

  /** A Vert.x instance with {@code options} and the metrics of {@link #options()}. */
  public static Vertx create(VertxOptions options) {
    return Vertx.builder()
        .with(options.setMetricsOptions(options()))
        .withMetrics(new MicrometerMetricsFactory())
        .build();
  }
}
