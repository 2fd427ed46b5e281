package io.fluxer.relay.http;

import io.fluxer.relay.node.RelayNode;
import io.vertx.ext.web.Router;

/** Placeholder: routes arrive with their implementation. */
final class ServerApiHandler {
  private final RelayNode node;
  private final ApiAuth auth;

  ServerApiHandler(RelayNode node, ApiAuth auth) {
    this.node = node;
    this.auth = auth;
  }

  void mount(Router router) {
  }
}
