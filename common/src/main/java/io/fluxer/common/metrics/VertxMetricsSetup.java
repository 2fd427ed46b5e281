package io.fluxer.common.metrics;

import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.micrometer.VertxPrometheusOptions;
import java.util.List;

/**
 * Builds a {@link Vertx} that reports its own metrics (HTTP server and WebSocket connections, event
 * bus, pools, Netty event loops, JVM) to a Prometheus registry. A relay node started on it adds
 * Fluxer's meters to that registry, and {@code /metrics} serves both.
 */
public final class VertxMetricsSetup {
  private VertxMetricsSetup() {}

  /**
   * Vert.x's gauges of open HTTP and WebSocket connections: the relay takes accepted WebSockets
   * over from Vert.x (see {@code WebSocketTransport}), so Vert.x never sees them close and both
   * gauges would only grow. {@code fluxer_connections} counts the WebSocket connections instead.
   */
  static final List<String> STALE_VERTX_GAUGES =
      List.of("vertx.http.server.active.ws.connections", "vertx.http.server.active.connections");

  /** Micrometer metrics with the Prometheus backend, JVM and Netty binders on. */
  public static MicrometerMetricsOptions options() {
    MicrometerMetricsOptions options = new MicrometerMetricsOptions()
        .setPrometheusOptions(new VertxPrometheusOptions().setEnabled(true))
        .setJvmMetricsEnabled(true)
        .setNettyMetricsEnabled(true);
    options.setEnabled(true);
    return options;
  }

  private static PrometheusMeterRegistry registry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(MeterFilter.deny(id -> STALE_VERTX_GAUGES.contains(id.getName())));
    return registry;
  }

  /** A Vert.x instance with {@code options} and the metrics of {@link #options()}. */
  public static Vertx create(VertxOptions options) {
    return Vertx.builder()
        .with(options.setMetricsOptions(options()))
        .withMetrics(new MicrometerMetricsFactory(registry()))
        .build();
  }

  /** A clustered Vert.x instance with {@code options}, the metrics of {@link #options()} and {@code manager}. */
  public static Future<Vertx> createClustered(VertxOptions options, ClusterManager manager) {
    return Vertx.builder()
        .with(options.setMetricsOptions(options()))
        .withMetrics(new MicrometerMetricsFactory(registry()))
        .withClusterManager(manager)
        .buildClustered();
  }
}
