package io.fluxer.relay.http;

import io.fluxer.relay.metrics.FluxerMetrics;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET /metrics}: the node's registry in the Prometheus text format (OpenMetrics when the
 * scraper asks for it): Fluxer's {@code fluxer_*} meters, plus Vert.x's and the JVM's when the node
 * runs on a metrics-enabled Vert.x. The text is built on a worker thread, so a large scrape never
 * holds up the event loop's clients. Not behind an API key, like the usual Prometheus endpoint;
 * keep the port private or filter the path at the proxy.
 */
final class MetricsHandler {
  /** The Prometheus text exposition format. */
  static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";
  /** The OpenMetrics text format, served when the {@code Accept} header asks for it. */
  static final String OPENMETRICS_FORMAT = "application/openmetrics-text; version=1.0.0; charset=utf-8";

  private final FluxerMetrics metrics;

  MetricsHandler(FluxerMetrics metrics) {
    this.metrics = metrics;
  }

  void mount(Router router) {
    router.get("/metrics").handler(this::scrape);
  }

  private void scrape(RoutingContext rc) {
    String accept = rc.request().getHeader(HttpHeaders.ACCEPT);
    String format = accept != null && accept.contains("application/openmetrics-text") ? OPENMETRICS_FORMAT : TEXT_FORMAT;
    rc.vertx().executeBlocking(() -> metrics.scrape(format), false).onComplete(ar -> {
      if (ar.succeeded()) {
        rc.response().putHeader(HttpHeaders.CONTENT_TYPE, format).end(ar.result());
      } else {
        rc.fail(ar.cause());
      }
    });
  }
}
