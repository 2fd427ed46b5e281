package io.fluxer.control;

import io.fluxer.control.docker.SwarmClient;
import io.fluxer.control.store.ControlStore;
import io.fluxer.relay.config.PostgresOptions;
import io.fluxer.relay.store.PgPools;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.lang.System.Logger.Level;
import java.util.List;

/**
 * The control plane running in a Vert.x instance (clustered with the relays, or the dev node's own):
 * PostgreSQL checked and migrated, the Docker engine checked to be an active swarm manager, then
 * deployments a stopped control-api left unfinished marked failed, then every
 * {@code fluxer.control.<op>} consumer registered. Refuses to start, saying why, without
 * PostgreSQL or without a swarm manager.
 */
public final class ControlService {
  private static final System.Logger LOG = System.getLogger(ControlService.class.getName());

  private final ControlPlane plane;
  private final Pool pool;
  private final SwarmClient client;
  private final List<MessageConsumer<JsonObject>> consumers;

  private ControlService(ControlPlane plane, Pool pool, SwarmClient client,
                         List<MessageConsumer<JsonObject>> consumers) {
    this.plane = plane;
    this.pool = pool;
    this.client = client;
    this.consumers = consumers;
  }

  public static Future<ControlService> start(Vertx vertx, PostgresOptions postgres, ControlOptions options) {
    if (!postgres.enabled()) {
      return Future.failedFuture(new IllegalStateException("the control plane needs PostgreSQL for stacks, "
          + "revisions, deployments and the audit log: set postgres.url (FLUXER_POSTGRES_URL)"));
    }
    Pool pool = PgPools.create(vertx, postgres);
    SwarmClient client = SwarmClient.create(vertx, options.swarmClient());
    return ControlStore.start(vertx, pool, options.cipher())
        .recover(e -> Future.failedFuture(new IllegalStateException("PostgreSQL at " + where(postgres)
            + " cannot be used: " + e.getMessage(), e)))
        .compose(store -> swarmManager(client, options).map(store))
        .compose(store -> store.failUnfinished("control-api stopped while this deployment ran; deploy again")
            .map(failed -> {
              failed.forEach(d -> LOG.log(Level.WARNING, "deployment " + d.id() + " of " + d.stack()
                  + " was left unfinished by a stopped control-api: marked failed"));
              return store;
            }))
        .compose(store -> {
          ControlPlane plane = ControlPlane.create(vertx, store, client, options.deployer(), options.hooks());
          return plane.api().register(vertx.eventBus())
              .compose(consumers -> plane.startStreams().map(v -> new ControlService(plane, pool, client, consumers)));
        })
        .onFailure(e -> client.close().eventually(pool::close));
  }

  /** Unregisters the operations, stops the live streams, then closes the Docker client and the pool. */
  public Future<Void> stop() {
    return Future.join(consumers.stream().map(MessageConsumer::unregister).toList())
        .eventually(plane::stop)
        .eventually(client::close)
        .eventually(pool::close)
        .mapEmpty();
  }

  private static Future<Void> swarmManager(SwarmClient client, ControlOptions options) {
    return client.info()
        .recover(e -> Future.failedFuture(new IllegalStateException("the Docker engine at " + options.dockerHost()
            + " does not answer (" + e.getMessage() + "): control-api drives a swarm through it", e)))
        .compose(info -> {
          JsonObject swarm = info.getJsonObject("Swarm", new JsonObject());
          if (!"active".equals(swarm.getString("LocalNodeState")) || !swarm.getBoolean("ControlAvailable", false)) {
            return Future.failedFuture(new IllegalStateException("the Docker engine at " + options.dockerHost()
                + " is not a swarm manager (swarm state " + swarm.getString("LocalNodeState") + "): run "
                + "`docker swarm init` or point control.docker_host at a manager"));
          }
          return Future.succeededFuture();
        });
  }

  private static String where(PostgresOptions postgres) {
    var o = postgres.connectOptions();
    return o.getHost() + ":" + o.getPort() + "/" + o.getDatabase();
  }
}
