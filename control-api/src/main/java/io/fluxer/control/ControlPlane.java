package io.fluxer.control;

import io.fluxer.control.api.ControlApi;
import io.fluxer.control.api.HookOps;
import io.fluxer.control.api.HookOptions;
import io.fluxer.control.api.StackOps;
import io.fluxer.control.deploy.DeployEvents;
import io.fluxer.control.deploy.Deployer;
import io.fluxer.control.deploy.DeployerOptions;
import io.fluxer.control.docker.SwarmClient;
import io.fluxer.control.events.SwarmEvents;
import io.fluxer.control.logs.LogFollowers;
import io.fluxer.control.logs.ServiceLogs;
import io.fluxer.control.store.ControlStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/**
 * control-api's parts wired together: the store, the swarm client, the deployer publishing through
 * the relay, every operation on {@link ControlApi}, and the live streams ({@code logs:<service>}
 * while relays announce interest, {@code swarm:events}). Create it on the context the deployments
 * should run on, {@code api().register(vertx.eventBus())}, then {@link #startStreams()}.
 */
public final class ControlPlane {
  private final ControlApi api;
  private final Deployer deployer;
  private final ServiceLogs logs;
  private final LogFollowers followers;
  private final SwarmEvents events;

  private ControlPlane(ControlApi api, Deployer deployer, ServiceLogs logs, LogFollowers followers,
                       SwarmEvents events) {
    this.api = api;
    this.deployer = deployer;
    this.logs = logs;
    this.followers = followers;
    this.events = events;
  }

  public static ControlPlane create(Vertx vertx, ControlStore store, SwarmClient client, DeployerOptions options) {
    return create(vertx, store, client, options, HookOptions.defaults());
  }

  public static ControlPlane create(Vertx vertx, ControlStore store, SwarmClient client, DeployerOptions options,
                                    HookOptions hooks) {
    Deployer deployer = new Deployer(vertx, client, store, new DeployEvents(vertx.eventBus(), options.publishTimeout()),
        options);
    ServiceLogs logs = ServiceLogs.create(vertx, client);
    ControlApi api = new ControlApi(store);
    new StackOps(store, client, deployer).registerOn(api);
    new HookOps(store, deployer, hooks).registerOn(api);
    logs.registerOn(api);
    return new ControlPlane(api, deployer, logs, LogFollowers.create(vertx, client), SwarmEvents.create(vertx, client));
  }

  public ControlApi api() {
    return api;
  }

  public Deployer deployer() {
    return deployer;
  }

  /** Starts following log interest on {@code fluxer.control.interest} and the engine's events. */
  public Future<Void> startStreams() {
    return followers.start().compose(v -> events.start());
  }

  /** Stops the live streams and the log queries (before the swarm client closes). */
  public Future<Void> stop() {
    return Future.join(followers.stop(), events.stop()).eventually(logs::close).mapEmpty();
  }
}
