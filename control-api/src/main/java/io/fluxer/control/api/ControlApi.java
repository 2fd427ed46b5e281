package io.fluxer.control.api;

import io.fluxer.control.store.ControlStore;
import io.fluxer.common.Addresses;
import io.fluxer.common.cluster.ControlSeal;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * control-api's side of the gateway: one event bus consumer per operation on
 * {@code fluxer.control.<op>}, each answering {@code {"status", "body"}}. A handler's
 * {@link ControlError} becomes its status and error body; anything else a 500 that is logged.
 *
 * <p>With {@link #requireSeal}, as control-api runs, a request acts only when its seal verifies
 * ({@link ControlSeal}: made by a relay holding {@code cluster.signing_key}, for this address and this
 * very message, recently, once); any other answers {@value #REFUSED_STATUS} with a fixed message and
 * changes nothing.
 */
public final class ControlApi {
  private static final System.Logger LOG = System.getLogger(ControlApi.class.getName());
  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 500;
  static final int REFUSED_STATUS = 403;
  static final String REFUSED_MESSAGE = "control request refused: it is not sealed by a relay of this cluster";

  /** What an operation answers: an HTTP status and a JSON body. */
  public record Reply(int status, JsonObject body) {
    public static Reply ok(JsonObject body) {
      return new Reply(200, body);
    }
  }

  private final ControlStore store;
  private final Map<String, Function<ControlRequest, Future<Reply>>> ops = new LinkedHashMap<>();
  private ControlSeal seal;

  public ControlApi(ControlStore store) {
    this.store = store;
    ops.put("control.status", r -> Future.succeededFuture(Reply.ok(new JsonObject().put("available", true))));
    ops.put("stack.revision", this::revision);
    ops.put("deployment.list", this::deployments);
    ops.put("deployment.inspect", this::deployment);
    AuditOps audit = new AuditOps(store);
    ops.put("audit.list", audit::list);
    ops.put("audit.record", audit::record);
  }

  /** Adds (or replaces) the handler of {@code op}; call before {@link #register}. */
  public ControlApi handle(String op, Function<ControlRequest, Future<Reply>> handler) {
    ops.put(op, handler);
    return this;
  }

  /** Acts only on requests sealed with {@code seal}'s key; call before {@link #register}. */
  public ControlApi requireSeal(ControlSeal seal) {
    this.seal = seal;
    return this;
  }

  /** The operations served. */
  public List<String> operations() {
    return List.copyOf(ops.keySet());
  }

  /** Registers one consumer per operation; completes once every registration reached the cluster. */
  public Future<List<MessageConsumer<JsonObject>>> register(EventBus bus) {
    List<MessageConsumer<JsonObject>> consumers = new ArrayList<>();
    ops.forEach((op, handler) -> consumers.add(bus.consumer(Addresses.control(op), m -> serve(handler, m))));
    return Future.all(consumers.stream().map(MessageConsumer::completion).toList()).map(v -> consumers);
  }

  private void serve(Function<ControlRequest, Future<Reply>> handler, Message<JsonObject> m) {
    JsonObject body = m.body() == null ? new JsonObject() : m.body();
    if (seal != null) {
      String problem = seal.check(m.address(), body);
      if (problem != null) {
        seal.logRefused(m.address(), problem);
        m.reply(new JsonObject().put("status", REFUSED_STATUS)
            .put("body", new ControlError(REFUSED_STATUS, REFUSED_MESSAGE, null).body()));
        return;
      }
    }
    Future<Reply> reply;
    try {
      reply = handler.apply(ControlRequest.fromJson(body));
    } catch (RuntimeException e) {
      reply = Future.failedFuture(e);
    }
    reply.onComplete(ar -> {
      if (ar.succeeded()) {
        m.reply(new JsonObject().put("status", ar.result().status()).put("body", ar.result().body()));
      } else if (ar.cause() instanceof ControlError e) {
        m.reply(new JsonObject().put("status", e.status()).put("body", e.body()));
      } else {
        LOG.log(Level.WARNING, "control operation " + m.address() + " failed", ar.cause());
        m.reply(new JsonObject().put("status", 500).put("body", new ControlError(500,
            "internal error: " + ar.cause().getMessage(), null).body()));
      }
    });
  }

  /** One stored revision's stack file as deployed, with who stored it and when; never its env or files. */
  private Future<Reply> revision(ControlRequest r) {
    String stack = r.pathParam("name");
    String param = r.pathParam("revision");
    long n = param != null && param.matches("[0-9]{1,10}") ? Long.parseLong(param) : 0;
    if (n < 1 || n > Integer.MAX_VALUE) {
      throw ControlError.badRequest("revision must be a positive integer, got '" + param + "'");
    }
    int revision = (int) n;
    return store.revisionFile(stack, revision).compose(found -> found.isPresent()
        ? Future.succeededFuture(Reply.ok(found.get()))
        : store.revisions(stack).compose(all -> Future.failedFuture(ControlError.notFound(all.isEmpty()
            ? "no stack " + stack : "stack " + stack + " has no revision " + revision))));
  }

  private Future<Reply> deployments(ControlRequest r) {
    String stack = r.query().getString("stack");
    int limit = r.queryInt("limit", DEFAULT_LIMIT, 1, MAX_LIMIT);
    return store.deployments(stack == null || stack.isEmpty() ? null : stack, limit).map(list -> {
      JsonArray out = new JsonArray();
      list.forEach(d -> out.add(d.toJson()));
      return Reply.ok(new JsonObject().put("deployments", out));
    });
  }

  private Future<Reply> deployment(ControlRequest r) {
    UUID id;
    try {
      id = UUID.fromString(r.pathParam("id"));
    } catch (IllegalArgumentException | NullPointerException e) {
      throw ControlError.badRequest("'" + r.pathParam("id") + "' is not a deployment id");
    }
    return store.deployment(id).map(d -> Reply.ok(d.orElseThrow(() -> ControlError.notFound("no deployment " + id))
        .toJson()));
  }
}
