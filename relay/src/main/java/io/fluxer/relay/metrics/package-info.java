/**
 * Prometheus metrics of a relay node: Fluxer's own {@code fluxer_*} meters ({@link
 * io.fluxer.relay.metrics.FluxerMetrics}), the engine timing decorators, and the Vert.x metrics
 * setup ({@link io.fluxer.common.metrics.VertxMetricsSetup}) that adds Vert.x's and the JVM's meters
 * to the same {@code /metrics} scrape.
 */
package io.fluxer.relay.metrics;
