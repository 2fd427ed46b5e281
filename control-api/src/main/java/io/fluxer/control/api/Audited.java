package io.fluxer.control.api;

import io.fluxer.control.api.ControlApi.Reply;
import io.fluxer.control.store.ControlStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.util.function.Function;

/**
 * Wraps an operation so that every call lands in the audit log: who asked what of which target, and
 * how it ended ({@code accepted} for a 202, {@code ok}, {@code refused} for a 4xx, {@code failed}),
 * with the status, the deployment and revision or the error. Refused calls are recorded too. An
 * audit record that cannot be written costs a log line, not the answer.
 */
final class Audited {
  private static final System.Logger LOG = System.getLogger(Audited.class.getName());

  private Audited() {}

  static Function<ControlRequest, Future<Reply>> by(ControlStore store, Function<ControlRequest, String> target,
                                                    Function<ControlRequest, Future<Reply>> handler) {
    return r -> {
      Future<Reply> reply;
      try {
        reply = handler.apply(r);
      } catch (RuntimeException e) {
        reply = Future.failedFuture(e);
      }
      return reply.transform(ar -> {
        JsonObject detail = new JsonObject();
        String result;
        if (ar.succeeded()) {
          int status = ar.result().status();
          result = status == 202 ? "accepted" : "ok";
          JsonObject body = ar.result().body();
          detail.put("status", status).put("deployment", body.getString("deployment"))
              .put("revision", body.getValue("revision"));
          if (body.getValue("stack") instanceof String stack) {
            detail.put("stack", stack);
          }
        } else if (ar.cause() instanceof ControlError e) {
          result = e.status() >= 500 ? "failed" : "refused";
          detail.put("status", e.status()).put("error", e.getMessage());
        } else {
          result = "failed";
          detail.put("status", 500).put("error", String.valueOf(ar.cause().getMessage()));
        }
        String what = target.apply(r);
        return store.audit(r.actorName(), r.op(), what == null ? "" : what, result, detail)
            .recover(e -> {
              LOG.log(Level.WARNING, "could not audit " + r.op() + " by " + r.actorName() + ": " + e.getMessage());
              return Future.succeededFuture();
            })
            .transform(v -> ar.succeeded() ? Future.succeededFuture(ar.result()) : Future.failedFuture(ar.cause()));
      });
    };
  }
}
