package io.fluxer.control.deploy;

import io.fluxer.control.store.ControlStore.Deployment;
import io.fluxer.common.Addresses;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.time.Duration;

/**
 * Publishes deployment progress through the relay's server API on the event bus
 * ({@link Addresses#API}): state changes to {@code deploy:<stack>} and {@code deploy:all}, task
 * transitions to {@code deploy:<stack>}.
 *
 * <p>Publications leave one at a time, each after the relay answered the one before, so subscribers
 * see them in the order they were made. A relay that is missing or refuses (no {@code deploy}
 * namespace) costs a log line, never the deployment.
 */
public final class DeployEvents {
  private static final System.Logger LOG = System.getLogger(DeployEvents.class.getName());
  /** The channel of every stack's deployment states. */
  public static final String ALL = "deploy:all";

  private final EventBus bus;
  private final DeliveryOptions delivery;
  private Future<Void> tail = Future.succeededFuture();
  private boolean warned;

  public DeployEvents(EventBus bus, Duration timeout) {
    this.bus = bus;
    this.delivery = new DeliveryOptions().setSendTimeout(timeout.toMillis());
  }

  /** The channel of one stack's deployments. */
  public static String channel(String stack) {
    return "deploy:" + stack;
  }

  /**
   * {@code {"type": "state", "deployment", "stack", "revision", "kind", "trigger", "state", "message", "at"}}
   * to {@code deploy:<stack>} and {@code deploy:all}, plus {@code "rollback": "started"} on a
   * {@code failed} that a rollback follows (it ends {@code rolled_back}, or with a {@link #rollbackFailed}).
   * Completes when the relay answered (never fails).
   */
  public synchronized Future<Void> state(Deployment d, String message, String rollback) {
    JsonObject data = new JsonObject().put("type", "state").put("deployment", d.id().toString())
        .put("stack", d.stack()).put("revision", d.revision()).put("kind", d.kind()).put("trigger", d.trigger())
        .put("state", d.state().id()).put("message", message).put("at", d.updatedAt().toString());
    if (rollback != null) {
      data.put("rollback", rollback);
    }
    return send(new JsonObject().put("method", "broadcast").put("params", new JsonObject()
        .put("channels", new JsonArray().add(channel(d.stack())).add(ALL)).put("data", data)));
  }

  /**
   * {@code {"type": "rollback", "deployment", "stack", "result": "failed", "message"}} to
   * {@code deploy:<stack>}: the rollback a {@code failed} state announced did not bring the services
   * back; the deployment stays {@code failed} and nothing more follows.
   */
  public synchronized Future<Void> rollbackFailed(Deployment d, String message) {
    return task(d.stack(), new JsonObject().put("type", "rollback").put("deployment", d.id().toString())
        .put("stack", d.stack()).put("result", "failed").put("message", message));
  }

  /** A task transition ({@code "type": "task"}, see {@link Convergence}) to {@code deploy:<stack>}. */
  public synchronized Future<Void> task(String stack, JsonObject data) {
    return send(new JsonObject().put("method", "publish").put("params", new JsonObject()
        .put("channel", channel(stack)).put("data", data)));
  }

  private Future<Void> send(JsonObject request) {
    tail = tail.transform(ignored -> bus.<JsonObject>request(Addresses.API, request, delivery)
        .map(reply -> {
          JsonObject body = reply.body();
          if (body != null && body.containsKey("error")) {
            warn("the relay refused a deployment event: " + body.getValue("error"));
          }
          return (Void) null;
        })
        .recover(e -> {
          warn("no relay took a deployment event: " + e.getMessage());
          return Future.succeededFuture();
        }));
    return tail;
  }

  private void warn(String message) {
    // once at WARNING (a missing namespace would repeat it for every event), then at DEBUG
    LOG.log(warned ? Level.DEBUG : Level.WARNING, message);
    warned = true;
  }
}
