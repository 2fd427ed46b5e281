package io.fluxer.relay.http;

import io.fluxer.relay.client.OriginCheck;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.Set;

/**
 * CORS for the HTTP APIs ({@code api.cors_allowed_origins}). Which origins pass is decided by the
 * same {@link OriginCheck} as the WebSocket's, never by a regular expression built from the
 * configuration; an allowed origin is then handled by Vert.x's {@link CorsHandler} (preflights,
 * headers, the origin echoed back). A request from another origin is refused with 403; one without
 * {@code Origin} (not a browser) passes untouched.
 */
final class Cors implements Handler<RoutingContext> {
  private final OriginCheck origins;
  /** Admits any origin: only requests {@link #origins} allowed get here. */
  private final CorsHandler headers = CorsHandler.create()
      .addOriginWithRegex(".+") // not ".*", which Vert.x answers with "*" instead of the origin
      .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.OPTIONS))
      .allowedHeaders(Set.of("Content-Type", "Authorization", "X-API-Key"))
      .allowCredentials(false);

  Cors(OriginCheck origins) {
    this.origins = origins;
  }

  @Override
  public void handle(RoutingContext rc) {
    String origin = rc.request().getHeader(HttpHeaders.ORIGIN);
    if (origin == null) {
      rc.next();
    } else if (origins.allows(origin, rc.request().getHeader(HttpHeaders.HOST))) {
      headers.handle(rc);
    } else {
      HttpApi.error(rc, 403, "origin not allowed: see api.cors_allowed_origins");
    }
  }
}
