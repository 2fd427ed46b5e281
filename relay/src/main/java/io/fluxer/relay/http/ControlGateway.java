package io.fluxer.relay.http;

import io.fluxer.common.Addresses;
import io.fluxer.common.cluster.ControlSeal;
import io.fluxer.relay.config.Role;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The control plane's HTTP face. control-api opens no port of its own: the relay authenticates
 * {@code /api/v1/stacks/...}, {@code /services/...}, {@code /deployments/...}, {@code /audit},
 * {@code /registries/...} and the stack webhooks, then forwards each request over the event bus to
 * {@code fluxer.control.<op>} (request/reply) and answers with the status and body control-api replies.
 *
 * <p>The message: {@code {"op", "actor": {name, role, api_key}, "path": {…}, "query": {…},
 * "body": <JSON or null>}}; webhooks carry {@code "raw_body"} (the exact text the signature covers)
 * and {@code "headers"} (the signature, event and delivery headers, by lower-case name) instead of an
 * actor. Every request is sealed ({@link ControlSeal}: an HMAC under {@code cluster.signing_key} over
 * the address and the whole message), and control-api acts only on requests whose seal verifies. The
 * reply: {@code {"status": 202, "body": {…}}}; a 429's {@code error.retry_after} becomes
 * {@code Retry-After}. No control-api on the bus answers 503; no reply in time answers 504.
 */
final class ControlGateway {
  static final long TIMEOUT_MILLIS = 30_000;
  /** The operation control-api answers at once; it tells whether the control plane runs. */
  static final String STATUS_OP = "control.status";
  private static final long STATUS_TIMEOUT_MILLIS = 3_000;
  private static final long MAX_BODY = 1024 * 1024;
  /** The headers the stack webhooks read (Fluxer's, GitHub's, GitLab's); no other is forwarded. */
  private static final List<String> HOOK_HEADERS = List.of("X-Fluxer-Signature", "X-Fluxer-Delivery",
      "X-Hub-Signature-256", "X-GitHub-Event", "X-GitHub-Delivery", "X-Gitlab-Token", "X-Gitlab-Event",
      "X-Gitlab-Event-UUID", "Idempotency-Key");
  /** A webhook path's last segment → its operation; {@code ""} is Fluxer's own signature. */
  private static final Map<String, String> HOOKS = Map.of("", "stack.hook", "/github", "stack.hook.github",
      "/gitlab", "stack.hook.gitlab");
  private static final System.Logger LOG = System.getLogger(ControlGateway.class.getName());

  /** One route: HTTP method and path, the control operation and the role it needs. */
  private record Route(HttpMethod method, String path, String op, Role role) {}

  private static final List<Route> ROUTES = List.of(
      new Route(HttpMethod.GET, "/api/v1/stacks", "stack.list", Role.VIEWER),
      new Route(HttpMethod.GET, "/api/v1/stacks/:name", "stack.inspect", Role.VIEWER),
      new Route(HttpMethod.GET, "/api/v1/stacks/:name/revisions/:revision", "stack.revision", Role.VIEWER),
      new Route(HttpMethod.PUT, "/api/v1/stacks/:name", "stack.deploy", Role.OPS),
      new Route(HttpMethod.DELETE, "/api/v1/stacks/:name", "stack.remove", Role.OPS),
      new Route(HttpMethod.POST, "/api/v1/stacks/:name/adopt", "stack.adopt", Role.OPS),
      new Route(HttpMethod.POST, "/api/v1/stacks/:name/plan", "stack.plan", Role.OPS),
      new Route(HttpMethod.POST, "/api/v1/stacks/:name/rollback", "stack.rollback", Role.OPS),
      new Route(HttpMethod.POST, "/api/v1/stacks/:name/hook", "stack.hook.rotate", Role.OPS),
      new Route(HttpMethod.DELETE, "/api/v1/stacks/:name/hook", "stack.hook.remove", Role.OPS),
      new Route(HttpMethod.POST, "/api/v1/services/:id/rollback", "service.rollback", Role.OPS),
      new Route(HttpMethod.POST, "/api/v1/services/:id/scale", "service.scale", Role.OPS),
      new Route(HttpMethod.POST, "/api/v1/services/:id/restart", "service.restart", Role.OPS),
      new Route(HttpMethod.GET, "/api/v1/services/:id/logs", "service.logs", Role.VIEWER),
      new Route(HttpMethod.GET, "/api/v1/deployments", "deployment.list", Role.VIEWER),
      new Route(HttpMethod.GET, "/api/v1/deployments/:id", "deployment.inspect", Role.VIEWER),
      new Route(HttpMethod.GET, "/api/v1/audit", "audit.list", Role.OPS),
      new Route(HttpMethod.GET, "/api/v1/registries", "registry.list", Role.OPS),
      new Route(HttpMethod.PUT, "/api/v1/registries/:host", "registry.put", Role.ADMIN),
      new Route(HttpMethod.DELETE, "/api/v1/registries/:host", "registry.remove", Role.ADMIN));

  private final ApiAuth auth;
  private final ControlSeal seal;
  private final DeliveryOptions options = new DeliveryOptions().setSendTimeout(TIMEOUT_MILLIS);

  ControlGateway(ApiAuth auth, ControlSeal seal) {
    this.auth = auth;
    this.seal = seal;
  }

  void mount(Router router) {
    for (Route r : ROUTES) {
      // Credentials first, so the body of a caller who may not call is never read. Two routes: Vert.x
      // Web wants a body handler before any other on one route (the request stays paused until then).
      router.route(r.method(), r.path()).handler(ControlGateway::noStore).handler(auth.require(r.role()));
      router.route(r.method(), r.path())
          .handler(HttpApi.body(MAX_BODY))
          .handler(rc -> forward(rc, r.op()))
          .failureHandler(HttpApi.failure(MAX_BODY));
    }
    router.get("/api/v1/control").handler(ControlGateway::noStore).handler(auth.require(Role.VIEWER))
        .handler(this::status);
    // Signed by the caller (checked by control-api), not authenticated here.
    HOOKS.forEach((suffix, op) -> {
      router.post("/api/v1/hooks/stacks/:name" + suffix).handler(ControlGateway::noStore);
      router.post("/api/v1/hooks/stacks/:name" + suffix)
          .handler(HttpApi.body(MAX_BODY))
          .handler(rc -> hook(rc, op))
          .failureHandler(HttpApi.failure(MAX_BODY));
    });
  }

  /**
   * Every answer of the control plane is marked {@code Cache-Control: no-store}: some carry secrets
   * (a stack's new webhook secret), and which ones is control-api's business.
   */
  private static void noStore(RoutingContext rc) {
    rc.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    rc.next();
  }

  private void forward(RoutingContext rc, String op) {
    Principal caller = rc.get(ApiAuth.PRINCIPAL);
    Object body;
    try {
      body = rc.body().length() == 0 ? null : rc.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      HttpApi.error(rc, 400, "the body must be a JSON object");
      return;
    }
    JsonObject message = base(rc, op)
        .put("actor", new JsonObject().put("name", caller.name()).put("role", caller.role().id())
            .put("api_key", caller.apiKey()))
        .put("body", body);
    send(rc, op, message);
  }

  /**
   * Whether a control-api answers on the event bus: {@code {"available": true|false}}, always 200,
   * so a page can ask before it calls the control plane (a 503 would show as a console error).
   */
  private void status(RoutingContext rc) {
    String address = Addresses.control(STATUS_OP);
    rc.vertx().eventBus().<JsonObject>request(address, seal.seal(address, new JsonObject().put("op", STATUS_OP)),
        new DeliveryOptions().setSendTimeout(STATUS_TIMEOUT_MILLIS)).onComplete(ar -> {
          if (!rc.response().ended()) {
            HttpApi.json(rc, 200, new JsonObject().put("available", ar.succeeded()));
          }
        });
  }

  private void hook(RoutingContext rc, String op) {
    JsonObject headers = new JsonObject();
    for (String name : HOOK_HEADERS) {
      String value = rc.request().getHeader(name);
      if (value != null) {
        headers.put(name.toLowerCase(Locale.ROOT), value);
      }
    }
    JsonObject message = base(rc, op)
        .put("raw_body", rc.body().length() == 0 ? "" : rc.body().asString())
        .put("headers", headers);
    send(rc, op, message);
  }

  private static JsonObject base(RoutingContext rc, String op) {
    JsonObject path = new JsonObject();
    rc.pathParams().forEach(path::put);
    JsonObject query = new JsonObject();
    rc.queryParams().forEach(e -> query.put(e.getKey(), e.getValue()));
    return new JsonObject().put("op", op).put("path", path).put("query", query);
  }

  private void send(RoutingContext rc, String op, JsonObject message) {
    String address = Addresses.control(op);
    rc.vertx().eventBus().<JsonObject>request(address, seal.seal(address, message), options).onComplete(ar -> {
      if (rc.response().ended()) {
        return;
      }
      if (ar.succeeded()) {
        JsonObject reply = ar.result().body();
        int status = reply == null ? 502 : reply.getInteger("status", 502);
        Object replyBody = reply == null ? null : reply.getValue("body");
        if (status == 429 && replyBody instanceof JsonObject o && o.getJsonObject("error") != null
            && o.getJsonObject("error").getValue("retry_after") instanceof Number wait) {
          rc.response().putHeader("Retry-After", String.valueOf(wait.longValue()));
        }
        HttpApi.json(rc, status, replyBody instanceof JsonObject o ? o
            : HttpApi.errorJson(502, "control-api gave no answer body for " + op));
      } else if (ar.cause() instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS) {
        HttpApi.error(rc, 503, "the control plane is not running: no control-api on the event bus");
      } else if (ar.cause() instanceof ReplyException re && re.failureType() == ReplyFailure.TIMEOUT) {
        HttpApi.error(rc, 504, "control-api did not answer " + op + " within "
            + TIMEOUT_MILLIS / 1000 + " s");
      } else {
        // the cause's text is internal (event bus, codec, cluster): the log has it, the client does not
        LOG.log(System.Logger.Level.WARNING, "control request " + op + " failed: " + ar.cause());
        HttpApi.error(rc, 502, "control-api failed to answer " + op);
      }
    });
  }
}
