package io.fluxer.relay.http;

import io.fluxer.relay.node.RelayNode;
import io.vertx.ext.web.Router;

/** Placeholder: routes arrive with their implementation. */
final class OpsApiHandler {
  private final RelayNode node;
  private final ApiAuth auth;

  OpsApiHandler(RelayNode node, ApiAuth auth) {
    this.node = node;
    this.auth = auth;
  }

  void mount(Router router) {
  }
}
