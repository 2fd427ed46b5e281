package io.fluxer.relay.http;

import io.fluxer.relay.client.OriginCheck;
import io.fluxer.relay.node.RelayNode;
import io.fluxer.common.cluster.ControlSeal;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.fluxer.relay.auth.IssuerStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;

/**
 * The relay's HTTP surface besides the WebSocket endpoint: {@code /health}, {@code /ready}, the
 * Centrifugo-compatible server API under {@code /api/<method>}, Fluxer's REST under {@code /api/v1/}
 * {@code /metrics} and the web dashboard under {@code /dashboard/}. One instance per node; its
 * handlers run on every server instance's event loop, so what they keep (the login throttle) is
 * thread-safe.
 *
 * <p>Request bodies are read only after the caller is authenticated (a route's credentials check runs
 * on a route of its own, before the one that reads the body), only into memory ({@link #body}: never
 * into Vert.x's {@code file-uploads/}) and only up to a limit; past it the answer is a JSON 413.
 */
public final class HttpApi {
  private static final System.Logger LOG = System.getLogger(HttpApi.class.getName());
  private final RelayNode node;
  private final ApiAuth auth;
  private final ServerApiHandler serverApi;
  private final OpsApiHandler opsApi;
  private final ControlGateway control;
  private final MetricsHandler metrics;
  private final DashboardHandler dashboard;
  private final ApiKeysHandler apiKeys;
  private final ConnectionTokenHandler connectionTokens;

  public HttpApi(RelayNode node) {
    this.node = node;
    this.auth = new ApiAuth(node.apiKeys(), node.context().tokens());
    ControlSeal seal = ControlSeal.of(node.vertx(), node.config().cluster());
    AdminAudit audit = new AdminAudit(node.vertx(), seal, node.name());
    this.serverApi = new ServerApiHandler(node, auth, audit);
    this.opsApi = new OpsApiHandler(node, auth, audit);
    this.control = new ControlGateway(auth, seal);
    this.metrics = new MetricsHandler(node);
    this.apiKeys = new ApiKeysHandler(auth, node.apiKeys(), node::apiKeyChanges, audit);
    this.connectionTokens = new ConnectionTokenHandler(auth, node.config().token(), node.context().tokens());
    this.dashboard = new DashboardHandler(node.vertx(), node.config().dashboard(), node.config().token(),
        node.context().tokens(), node.config().server().trustedProxies());
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
    connectionTokens.mount(router);
    opsApi.mount(router);
    dashboard.mount(router);
    router.route().failureHandler(failure(-1));
  }

  private void ready(RoutingContext rc) {
    boolean ready = node.ready();
    // Providers' key caches are shown, not counted: a provider that is down leaves the keys already
    // fetched working, and taking every relay out of the load balancer would end static-key clients too.
    JsonObject body = new JsonObject().put("status", ready ? "ready" : "not ready");
    List<IssuerStatus> issuers = node.context().tokens().issuerStatus();
    if (!issuers.isEmpty()) {
      JsonArray list = new JsonArray();
      issuers.forEach(i -> list.add(i.toJson()));
      body.put("issuers", list);
    }
    json(rc, ready ? 200 : 503, body);
  }

  private Handler<RoutingContext> cors() {
    return new Cors(new OriginCheck(node.config().api().corsAllowedOrigins()));
  }

  /**
   * Reads the request body, up to {@code limit} bytes, into memory; file uploads are not stored (Vert.x
   * would write them to {@code file-uploads/} and never delete them). A body over the limit fails the
   * route with 413, which {@link #failure} answers. Goes on a route after the credentials check.
   */
  static BodyHandler body(long limit) {
    return BodyHandler.create(false).setBodyLimit(limit);
  }

  /**
   * A failure handler answering JSON: 413 for a body over {@code bodyLimit} ({@code -1}: not told),
   * the failure's status otherwise, 500 (logged once at WARNING) for an unexpected exception. Nothing
   * about the failure reaches the client beyond its status.
   */
  static Handler<RoutingContext> failure(long bodyLimit) {
    return rc -> {
      int status = rc.statusCode() >= 400 ? rc.statusCode()
          : rc.failure() instanceof HttpException h ? h.getStatusCode() : 500;
      if (status >= 500) {
        LOG.log(System.Logger.Level.WARNING, "HTTP " + rc.request().method() + " " + rc.request().path()
            + " failed", rc.failure());
      }
      if (rc.response().ended() || rc.response().closed()) {
        return;
      }
      String message = status == 413
          ? "request body too large" + (bodyLimit < 0 ? "" : " (limit " + bodyLimit + " bytes)")
          : status >= 500 ? "internal server error" : HttpResponseStatus.valueOf(status).reasonPhrase();
      error(rc, status, message);
    };
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
