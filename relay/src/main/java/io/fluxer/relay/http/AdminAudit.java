package io.fluxer.relay.http;

import io.fluxer.common.Addresses;
import io.fluxer.common.cluster.ControlSeal;
import io.fluxer.relay.engine.FailureLog;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.lang.System.Logger.Level;
import java.util.function.Function;

/**
 * The relay's own admin actions in the audit log: API keys created or revoked, namespaces changed,
 * users disconnected or unsubscribed through the server API. Each is logged here ({@code audit: …},
 * INFO) and sent, sealed like every control request, to control-api's {@value #OP}, which writes it
 * to the same audit table as the control plane's actions. Without a control plane the log line is
 * the only record. Only names, statuses and the caller go out: never a key, a token or a body.
 */
final class AdminAudit {
  static final String OP = "audit.record";
  private static final long TIMEOUT_MILLIS = 10_000;
  private static final System.Logger LOG = System.getLogger(AdminAudit.class.getName());
  private static final FailureLog FAILURES = new FailureLog(LOG, "audit record not sent to control-api", 60_000);

  private final Vertx vertx;
  private final ControlSeal seal;
  private final String node;
  private final DeliveryOptions options = new DeliveryOptions().setSendTimeout(TIMEOUT_MILLIS);

  AdminAudit(Vertx vertx, ControlSeal seal, String node) {
    this.vertx = vertx;
    this.seal = seal;
    this.node = node;
  }

  /**
   * A route handler, placed after the credentials check, that records {@code action} on
   * {@code target} once the answer is sent: {@code ok} for 2xx, {@code refused} for 4xx,
   * {@code failed} for 5xx, with the status.
   */
  Handler<RoutingContext> onAnswer(String action, Function<RoutingContext, String> target) {
    return rc -> {
      Principal caller = rc.get(ApiAuth.PRINCIPAL);
      rc.addEndHandler(ar -> {
        int status = rc.response().getStatusCode();
        JsonObject detail = new JsonObject().put("status", status);
        if (!rc.response().ended()) {
          detail.put("answered", false); // the caller left first: the action may have run all the same
        }
        record(caller, action, target.apply(rc), result(status), detail);
      });
      rc.next();
    };
  }

  /** {@code ok}, {@code refused} or {@code failed} for an HTTP status. */
  static String result(int status) {
    return status >= 500 ? "failed" : status >= 400 ? "refused" : "ok";
  }

  /** Logs the action and hands it to control-api; never fails and never waits. */
  void record(Principal caller, String action, String target, String result, JsonObject detail) {
    String actor = caller == null ? "unknown" : caller.name();
    JsonObject details = detail == null ? new JsonObject() : detail.copy();
    details.put("node", node);
    LOG.log(Level.INFO, "audit: " + actor + " " + action + " '" + target + "': " + result
        + (details.getValue("status") == null ? "" : " (" + details.getValue("status") + ")"));
    JsonObject message = new JsonObject().put("op", OP).put("path", new JsonObject()).put("query", new JsonObject())
        .put("actor", new JsonObject().put("name", actor)
            .put("role", caller == null || caller.role() == null ? null : caller.role().id())
            .put("api_key", caller != null && caller.apiKey()))
        .put("body", new JsonObject().put("action", action).put("target", target).put("result", result)
            .put("detail", details));
    String address = Addresses.control(OP);
    vertx.eventBus().<JsonObject>request(address, seal.seal(address, message), options).onComplete(ar -> {
      if (ar.failed() && !(ar.cause() instanceof ReplyException re && re.failureType() == ReplyFailure.NO_HANDLERS)) {
        FAILURES.logThrottled(String.valueOf(ar.cause().getMessage()));
      } else if (ar.succeeded() && ar.result().body() != null && ar.result().body().getInteger("status", 500) >= 300) {
        FAILURES.logThrottled("control-api answered " + ar.result().body().getInteger("status", 500) + " for " + action);
      }
    });
  }
}
