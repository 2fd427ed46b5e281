package io.fluxer.relay.http;

import io.fluxer.relay.api.ServerApi;
import io.fluxer.relay.auth.ApiKeyChanges;
import io.fluxer.relay.auth.ApiKeys;
import io.fluxer.relay.auth.IssuerStatus;
import io.fluxer.relay.channel.NamespaceChanges;
import io.fluxer.relay.client.EventLoops;
import io.fluxer.relay.client.OriginCheck;
import io.fluxer.common.cluster.ControlSeal;
import io.fluxer.relay.client.RelayContext;
import io.fluxer.relay.config.RelayConfig;
import io.fluxer.relay.metrics.FluxerMetrics;
import io.fluxer.relay.stats.NodeStats;
import io.fluxer.relay.stats.StatsCollector;
import io.fluxer.relay.stats.StatsHistory;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
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
  private final RelayConfig config;
  private final RelayContext relay;
  private final BooleanSupplier ready;
  private final ApiAuth auth;
  private final ServerApiHandler serverApi;
  private final OpsApiHandler opsApi;
  private final ControlGateway control;
  private final MetricsHandler metrics;
  private final DashboardHandler dashboard;
  private final ApiKeysHandler apiKeys;
  private final ConnectionTokenHandler connectionTokens;

  /**
   * What the HTTP surface uses of its node, and nothing else.
   *
   * @param relay the node's engines, namespaces and token verifier
   * @param ready whether the node accepts clients ({@code /ready})
   * @param serverApi the server API, shared with the event bus
   * @param apiKeyChanges how API keys are changed now (in memory, or through PostgreSQL once it is up)
   * @param namespaceChanges how namespaces are changed now (likewise)
   * @param loops the node's event loops, for channel counts
   * @param otherNodes the cluster's other nodes as of their last heartbeats (empty when not clustered)
   */
  public record Parts(Vertx vertx, RelayConfig config, RelayContext relay, BooleanSupplier ready,
      ServerApi serverApi, ApiKeys apiKeys, Supplier<ApiKeyChanges> apiKeyChanges,
      Supplier<NamespaceChanges> namespaceChanges, EventLoops loops, StatsCollector stats,
      StatsHistory statsHistory, Supplier<List<NodeStats>> otherNodes, FluxerMetrics metrics) {}

  public HttpApi(Parts parts) {
    Vertx vertx = parts.vertx();
    this.config = parts.config();
    this.relay = parts.relay();
    this.ready = parts.ready();
    this.auth = new ApiAuth(parts.apiKeys(), relay.tokens());
    ControlSeal seal = ControlSeal.of(vertx, config.cluster());
    AdminAudit audit = new AdminAudit(vertx, seal, config.server().nodeName());
    this.serverApi = new ServerApiHandler(parts.serverApi(), config.client().maxMessageSize(), auth, audit);
    boolean namespacesLocalOnly = vertx.isClustered() && !config.postgres().enabled();
    this.opsApi = new OpsApiHandler(relay, parts.loops(), parts.stats()::current, parts.statsHistory(),
        parts.otherNodes(), parts.namespaceChanges(), namespacesLocalOnly, auth, audit);
    this.control = new ControlGateway(auth, seal);
    this.metrics = new MetricsHandler(parts.metrics());
    this.apiKeys = new ApiKeysHandler(auth, parts.apiKeys(), parts.apiKeyChanges(), audit);
    this.connectionTokens = new ConnectionTokenHandler(auth, config.token(), relay.tokens());
    this.dashboard = new DashboardHandler(vertx, config.dashboard(), config.token(), relay.tokens(),
        config.server().trustedProxies());
  }

  /** Adds the routes to one server instance's router. */
  public void mount(Router router) {
    if (!config.api().corsAllowedOrigins().isEmpty()) {
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
    boolean ready = this.ready.getAsBoolean();
    // Providers' key caches are shown, not counted: a provider that is down leaves the keys already
    // fetched working, and taking every relay out of the load balancer would end static-key clients too.
    JsonObject body = new JsonObject().put("status", ready ? "ready" : "not ready");
    List<IssuerStatus> issuers = relay.tokens().issuerStatus();
    if (!issuers.isEmpty()) {
      JsonArray list = new JsonArray();
      issuers.forEach(i -> list.add(i.toJson()));
      body.put("issuers", list);
    }
    json(rc, ready ? 200 : 503, body);
  }

  private Handler<RoutingContext> cors() {
    return new Cors(new OriginCheck(config.api().corsAllowedOrigins()));
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
