package io.fluxer.control.logs;

import io.fluxer.control.docker.DockerEngineException;
import io.fluxer.control.docker.InspectedService;
import io.fluxer.control.docker.SwarmClient;
import io.fluxer.control.store.ControlStore;
import io.fluxer.common.Addresses;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.util.Optional;
import java.util.Set;

/**
 * Whose logs may be read ({@code logs:<service>} and {@code GET /api/v1/services/{id}/logs}): the
 * services of stacks the control plane manages (their {@value SwarmClient#STACK_NAMESPACE_LABEL}
 * label names a stack the store has revisions of and that was not removed), and the services named in
 * {@code control.logs_allowed_services}. Other services (the databases, the relays themselves, what
 * was created by hand) are treated as if they did not exist.
 *
 * <p>The relay asks on {@link Addresses#CONTROL_LOGS_ACCESS} before a client subscribes to a
 * {@code logs:} channel: {@code {"service": nameOrId}} → {@code {"allowed": true|false}}.
 */
public final class LogAccess {
  private static final System.Logger LOG = System.getLogger(LogAccess.class.getName());

  private final SwarmClient client;
  private final ControlStore store;
  private final Set<String> allowed;

  public LogAccess(SwarmClient client, ControlStore store, Set<String> allowed) {
    this.client = client;
    this.store = store;
    this.allowed = Set.copyOf(allowed);
  }

  /** The service, when it exists and its logs may be read; empty otherwise (never fails for a missing one). */
  public Future<Optional<InspectedService>> readable(String idOrName) {
    if (idOrName == null || LogInterest.service(LogInterest.channel(idOrName)) == null) {
      return Future.succeededFuture(Optional.empty());
    }
    return client.inspectService(idOrName)
        .compose(service -> allows(service).map(yes -> yes ? Optional.of(service) : Optional.<InspectedService>empty()))
        .recover(e -> e instanceof DockerEngineException de && de.isNotFound()
            ? Future.succeededFuture(Optional.empty()) : Future.failedFuture(e));
  }

  /** Answers the relay's questions on {@link Addresses#CONTROL_LOGS_ACCESS}. */
  public Future<MessageConsumer<JsonObject>> register(EventBus bus) {
    MessageConsumer<JsonObject> consumer = bus.consumer(Addresses.CONTROL_LOGS_ACCESS, m -> {
      Object service = m.body() == null ? null : m.body().getValue("service");
      readable(service instanceof String s ? s : null).onComplete(ar -> {
        if (ar.succeeded()) {
          m.reply(new JsonObject().put("allowed", ar.result().isPresent()));
        } else {
          LOG.log(Level.WARNING, "cannot tell whether the logs of " + service + " may be read: "
              + ar.cause().getMessage());
          m.fail(500, "cannot tell whether the logs may be read");
        }
      });
    });
    return consumer.completion().map(consumer);
  }

  private Future<Boolean> allows(InspectedService service) {
    if (allowed.contains(service.name())) {
      return Future.succeededFuture(true);
    }
    String stack = service.spec().getJsonObject("Labels", new JsonObject()).getString(SwarmClient.STACK_NAMESPACE_LABEL);
    return stack == null || stack.isEmpty() ? Future.succeededFuture(false) : store.manages(stack);
  }
}
