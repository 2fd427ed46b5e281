package io.fluxer.relay.http;

import io.fluxer.relay.client.OriginCheck;
import io.fluxer.relay.node.RelayNode;
import io.fluxer.relay.cluster.ControlSeal;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.CorsHandler;
import java.util.Set;

/**
 * The relay's HTTP surface besides the WebSocket endpoint: {@code /health}, {@code /ready}, the
 * Centrifugo-compatible server API under {@code /api/<method>}, Fluxer's REST under {@code /api/v1/}
 * {@code /metrics} and the web dashboard under {@code /dashboard/}. One instance per node; its
 * handlers run on every server instance's event loop, so what they keep (the login throttle) is
 * thread-safe.
 */
public final class HttpApi {
  private final RelayNode node;
  private final ApiAuth auth;
  private final ServerApiHandler serverApi;
  private final OpsApiHandler opsApi;
  private final ControlGateway control;
  private final MetricsHandler metrics;
  private final DashboardHandler dashboard;
  private final ApiKeysHandler apiKeys;

  public HttpApi(RelayNode node) {
    this.node = node;
    this.auth = new ApiAuth(node.apiKeys(), node.context().tokens());
    this.serverApi = new ServerApiHandler(node, auth);
    this.opsApi = new OpsApiHandler(node, auth);
    this.control = new ControlGateway(auth, ControlSeal.of(node.vertx(), node.config().cluster()));
    this.metrics = new MetricsHandler(node);
    this.apiKeys = new ApiKeysHandler(auth, node.apiKeys(), node::apiKeyChanges);
    this.dashboard = new DashboardHandler(node.vertx(), node.config().dashboard(), node.config().token(),
        node.context().tokens());
  }

  /** Adds the routes to one server instance's router. */
  public void mount(Router router) {
    if (!node.config().api().corsAllowedOrigins().isEmpty()) {
      router.route().handler(cors());
    }
    router.get("/health").handler(rc -> json(rc, 200, new JsonObject().put("status", "ok")));
    router.get("/ready").handler(this::ready);
    metrics.mount(router);
    serverApi.mount(router);
    control.mount(router);
    apiKeys.mount(router);
    opsApi.mount(router);
    dashboard.mount(router);
  }

  private void ready(RoutingContext rc) {
    boolean ready = node.ready();
    json(rc, ready ? 200 : 503, new JsonObject().put("status", ready ? "ready" : "not ready"));
  }

  private CorsHandler cors() {
    CorsHandler cors = CorsHandler.create()
        .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE, HttpMethod.OPTIONS))
        .allowedHeaders(Set.of("Content-Type", "Authorization", "X-API-Key"))
        .allowCredentials(false);
    for (String origin : node.config().api().corsAllowedOrigins()) {
      cors.addOriginWithRegex(OriginCheck.toRegex(origin));
    }
    return cors;
  }

  /** Answers the protocol's error object ({@link #errorJson}) with that status. */
  static void error(RoutingContext rc, int status, String message) {
    json(rc, status, errorJson(status, message));
  }

  /** The protocol's error object, {@code {"error": {"code", "message"}}}. */
  static JsonObject errorJson(int status, String message) {
    return new JsonObject().put("error", new JsonObject().put("code", status).put("message", message));
  }

  /** The request body as a JSON object, or {@code null} when it is empty, not JSON or not an object. */
  static JsonObject jsonObjectBody(RoutingContext rc) {
    try {
      return rc.body().asJsonObject();
    } catch (RuntimeException e) {
      return null;
    }
  }

  static void json(RoutingContext rc, int status, JsonObject body) {
    rc.response().setStatusCode(status)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .end(body.encode());
  }
}
