package io.fluxer.relay.http;

import io.fluxer.relay.api.ApiError;
import io.fluxer.relay.api.ApiMethod;
import io.fluxer.relay.api.ServerApi;
import io.fluxer.relay.config.Role;
import io.fluxer.relay.protocol.ProtocolError;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.EnumMap;
import java.util.Map;

/**
 * The Centrifugo-compatible server API over HTTP: {@code POST /api/<method>} with the params as the
 * JSON body, answered with HTTP 200 and the reply of {@link ServerApi} (errors included), or 503
 * when an engine is unavailable for now (error 100 with {@code "temporary": true}). Reading
 * methods need {@code viewer}, the others {@code ops} (401/403 from {@link ApiAuth}); a body over the
 * limit answers 413. {@code /api/v1/...} is left to Fluxer's own REST.
 */
final class ServerApiHandler {
  /** Smallest body limit; a larger {@code client.max_message_size} raises it (×16). */
  static final long MIN_BODY_LIMIT = 1 << 20;
  private static final int MAX_AUDITED_LENGTH = 200;
  private static final String PATH = "/api/(?<method>(?!v1$)[^/]+)";

  private final ServerApi api;
  private final long bodyLimit;
  private final Map<Role, Handler<RoutingContext>> guards = new EnumMap<>(Role.class);
  private final AdminAudit audit;

  /** {@code maxMessageSize}: {@code client.max_message_size}, which raises the body limit. */
  ServerApiHandler(ServerApi api, long maxMessageSize, ApiAuth auth, AdminAudit audit) {
    this.audit = audit;
    this.api = api;
    this.bodyLimit = Math.max(MIN_BODY_LIMIT, 16L * maxMessageSize);
    for (Role role : Role.values()) {
      guards.put(role, auth.require(role));
    }
  }

  void mount(Router router) {
    // credentials first, on a route of their own: the body of a caller who may not call is never read
    router.postWithRegex(PATH).handler(this::authorize);
    router.postWithRegex(PATH)
        .handler(HttpApi.body(bodyLimit))
        .handler(this::handle)
        .failureHandler(HttpApi.failure(bodyLimit));
  }

  /** Lets the call through with the method's role; unknown methods need {@code viewer} to learn so. */
  private void authorize(RoutingContext rc) {
    ApiMethod m = ApiMethod.of(rc.pathParam("method"));
    guards.get(m == null ? Role.VIEWER : m.role()).handle(rc);
  }

  private void handle(RoutingContext rc) {
    Principal caller = rc.get(ApiAuth.PRINCIPAL);
    JsonObject params;
    try {
      params = params(rc.body().buffer());
    } catch (ApiError e) {
      respond(rc, e.reply());
      return;
    }
    Context context = Vertx.currentContext();
    ServerApi.ConnectionActions actions = (m, p, reply) -> audited(caller, m, p, reply);
    api.call(rc.pathParam("method"), params, caller.role(), actions).onComplete(ar -> {
      JsonObject reply = ar.succeeded() ? ar.result() : ApiError.reply(ProtocolError.INTERNAL);
      if (Vertx.currentContext() == context) {
        respond(rc, reply);
      } else {
        context.runOnContext(v -> respond(rc, reply));
      }
    });
  }

  /**
   * {@code user.disconnect} or {@code user.unsubscribe} on the user, with the client and channel
   * when given: {@code ok}, or {@code refused} with the error's code (bad params), {@code failed} for 100.
   */
  private void audited(Principal caller, ApiMethod m, JsonObject params, JsonObject reply) {
    JsonObject detail = new JsonObject();
    for (String key : new String[] {"client", "channel"}) {
      if (params.getValue(key) instanceof String v && !v.isEmpty()) {
        detail.put(key, bounded(v));
      }
    }
    String result = "ok";
    if (reply.getValue("error") instanceof JsonObject error) {
      int code = error.getInteger("code", ProtocolError.INTERNAL.code());
      result = code == ProtocolError.INTERNAL.code() ? "failed" : "refused";
      detail.put("error", code);
    }
    String user = params.getValue("user") instanceof String u ? bounded(u) : "";
    audit.record(caller, m == ApiMethod.DISCONNECT ? "user.disconnect" : "user.unsubscribe", user, result, detail);
  }

  /** A value the caller chose, cut to what an audit row keeps. */
  private static String bounded(String value) {
    return value.length() <= MAX_AUDITED_LENGTH ? value : value.substring(0, MAX_AUDITED_LENGTH) + "…";
  }

  /** The body as a JSON object; an empty body is {@code {}}. */
  private static JsonObject params(Buffer body) {
    if (body == null || body.length() == 0) {
      return new JsonObject();
    }
    Object value;
    try {
      value = Json.decodeValue(body);
    } catch (DecodeException e) {
      throw ApiError.badRequest("malformed JSON: " + firstLine(e.getMessage()));
    }
    if (!(value instanceof JsonObject json)) {
      throw ApiError.badRequest("the body must be a JSON object");
    }
    return json;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }

  /**
   * 200 with the reply, or 503 with a {@code Retry-After} when the call failed only because an
   * engine is unavailable for now (the reply says {@code "temporary": true}).
   */
  private static void respond(RoutingContext rc, JsonObject reply) {
    if (rc.response().ended()) {
      return;
    }
    if (ServerApi.temporaryError(reply)) {
      rc.response().setStatusCode(503).putHeader(HttpHeaders.RETRY_AFTER, "1");
    } else {
      rc.response().setStatusCode(200);
    }
    rc.response().putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(reply.encode());
  }

}
