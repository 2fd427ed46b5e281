package io.fluxer.control;

import io.fluxer.control.api.ControlApi;
import io.fluxer.control.api.HookOps;
import io.fluxer.control.api.HookOptions;
import io.fluxer.control.api.RegistryOps;
import io.fluxer.control.api.StackOps;
import io.fluxer.control.deploy.DeployEvents;
import io.fluxer.control.deploy.Deployer;
import io.fluxer.control.deploy.DeployerOptions;
import io.fluxer.control.docker.SwarmClient;
import io.fluxer.control.events.SwarmEvents;
import io.fluxer.control.logs.LogAccess;
import io.fluxer.control.logs.LogFollowers;
import io.fluxer.control.logs.ServiceLogs;
import io.fluxer.control.stack.StackPolicy;
import io.fluxer.control.store.ControlStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * control-api's parts wired together: the store, the swarm client, the deployer publishing through
 * the relay, every operation on {@link ControlApi}, and the live streams ({@code logs:<service>}
 * while relays announce interest, {@code swarm:events}). Create it on the context the deployments
 * should run on, {@code api().register(vertx.eventBus())}, then {@link #startStreams()}.
 */
public final class ControlPlane {
  private final Vertx vertx;
  private final ControlApi api;
  private final Deployer deployer;
  private final ServiceLogs logs;
  private final LogAccess access;
  private final LogFollowers followers;
  private MessageConsumer<JsonObject> accessConsumer;
  private final SwarmEvents events;

  private ControlPlane(Vertx vertx, ControlApi api, Deployer deployer, ServiceLogs logs, LogAccess access, LogFollowers followers,
                       SwarmEvents events) {
    this.vertx = vertx;
    this.api = api;
    this.deployer = deployer;
    this.logs = logs;
    this.access = access;
    this.followers = followers;
    this.events = events;
  }

  public static ControlPlane create(Vertx vertx, ControlStore store, SwarmClient client, DeployerOptions options) {
    return create(vertx, store, client, options, StackPolicy.DEFAULT, HookOptions.defaults(), PlaneOptions.defaults());
  }

  public static ControlPlane create(Vertx vertx, ControlStore store, SwarmClient client, DeployerOptions options,
                                    StackPolicy policy, HookOptions hooks, PlaneOptions plane) {
    Deployer deployer = new Deployer(vertx, client, store, new DeployEvents(vertx.eventBus(), options.publishTimeout()),
        options);
    LogAccess access = new LogAccess(client, store, plane.logsAllowedServices());
    ServiceLogs logs = ServiceLogs.create(vertx, client, access);
    ControlApi api = new ControlApi(store);
    new StackOps(store, client, deployer, policy).registerOn(api);
    new HookOps(store, deployer, policy, hooks).registerOn(api);
    new RegistryOps(store).registerOn(api);
    logs.registerOn(api);
    return new ControlPlane(vertx, api, deployer, logs, access, LogFollowers.create(vertx, client, access),
        SwarmEvents.create(vertx, client));
  }

  public ControlApi api() {
    return api;
  }

  public Deployer deployer() {
    return deployer;
  }

  /**
   * Answers the relay's log access questions ({@link LogAccess}), starts following log interest on
   * {@code fluxer.control.interest} and the engine's events.
   */
  public Future<Void> startStreams() {
    return access.register(vertx.eventBus()).compose(c -> {
      accessConsumer = c;
      return followers.start();
    }).compose(v -> events.start());
  }

  /** Stops the live streams and the log queries (before the swarm client closes). */
  public Future<Void> stop() {
    Future<Void> unregistered = accessConsumer == null ? Future.succeededFuture() : accessConsumer.unregister();
    return Future.join(unregistered, followers.stop(), events.stop()).eventually(logs::close).mapEmpty();
  }
}
