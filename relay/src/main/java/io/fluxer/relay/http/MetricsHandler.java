package io.fluxer.relay.http;

import io.fluxer.relay.node.RelayNode;
import io.vertx.ext.web.Router;

/** Placeholder: {@code /metrics} arrives with its implementation. */
final class MetricsHandler {
  private final RelayNode node;

  MetricsHandler(RelayNode node) {
    this.node = node;
  }

  void mount(Router router) {
  }
}
