package io.fluxer.control;

import io.fluxer.control.api.ControlApi;
import io.fluxer.control.api.HookOps;
import io.fluxer.control.api.StackOps;
import io.fluxer.control.deploy.DeployEvents;
import io.fluxer.control.deploy.Deployer;
import io.fluxer.control.deploy.DeployerOptions;
import io.fluxer.control.docker.SwarmClient;
import io.fluxer.control.store.ControlStore;
import io.vertx.core.Vertx;

/**
 * control-api's parts wired together: the store, the swarm client, the deployer publishing through
 * the relay, and every operation on {@link ControlApi}. Create it on the context the deployments
 * should run on, then {@code api().register(vertx.eventBus())}.
 */
public final class ControlPlane {
  private final ControlApi api;
  private final Deployer deployer;

  private ControlPlane(ControlApi api, Deployer deployer) {
    this.api = api;
    this.deployer = deployer;
  }

  public static ControlPlane create(Vertx vertx, ControlStore store, SwarmClient client, DeployerOptions options) {
    Deployer deployer = new Deployer(vertx, client, store, new DeployEvents(vertx.eventBus(), options.publishTimeout()),
        options);
    ControlApi api = new ControlApi(store);
    new StackOps(store, client, deployer).registerOn(api);
    new HookOps(store, deployer).registerOn(api);
    return new ControlPlane(api, deployer);
  }

  public ControlApi api() {
    return api;
  }

  public Deployer deployer() {
    return deployer;
  }
}
