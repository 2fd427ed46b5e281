package io.fluxer.control;

import io.fluxer.control.api.ControlApi;
import io.fluxer.control.api.Takeover;
import io.fluxer.control.docker.SwarmClient;
import io.fluxer.control.store.ControlStore;
import io.fluxer.control.store.LeaderLock;
import io.fluxer.common.cluster.ControlSeal;
import io.fluxer.common.config.PostgresOptions;
import io.fluxer.common.store.PgPools;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.lang.System.Logger.Level;
import java.util.List;

/**
 * The control plane running in a Vert.x instance (clustered with the relays, or the dev node's own):
 * PostgreSQL checked and migrated, the Docker engine checked to be an active swarm manager, then the
 * leader lock ({@link LeaderLock}): only one control plane acts at a time, another waits as a
 * standby and takes over when the leader is gone. On taking the lock it carries on with the
 * deployments the previous leader left unfinished ({@link Takeover}), then registers every
 * {@code fluxer.control.<op>} consumer. Refuses to start, saying why, without PostgreSQL or without
 * a swarm manager.
 *
 * <p>A leader that loses its lock (its PostgreSQL session ended) stops acting at once: its
 * operations are unregistered, its streams stop, and the lost handler runs ({@code fluxer-control}
 * exits with status 3, so the swarm restarts it as a standby; a deployment it was running is carried
 * on by the new leader).
 */
public final class ControlService {
  private static final System.Logger LOG = System.getLogger(ControlService.class.getName());

  private final Vertx vertx;
  private final ControlStore store;
  private final Pool pool;
  private final SwarmClient client;
  private final ControlOptions options;
  private final LeaderLock lock;
  private final ControlSeal seal;
  private ControlPlane plane;
  private List<MessageConsumer<JsonObject>> consumers = List.of();
  private Runnable lostHandler = () -> { };

  private ControlService(Vertx vertx, ControlStore store, Pool pool, SwarmClient client, ControlOptions options,
                         LeaderLock lock, ControlSeal seal) {
    this.vertx = vertx;
    this.store = store;
    this.pool = pool;
    this.client = client;
    this.options = options;
    this.lock = lock;
    this.seal = seal;
  }

  /**
   * {@link #prepare}, then {@link #lead}: completes once this instance leads (it may wait as a standby first).
   *
   * @param seal the key relays seal control requests with; requests not sealed with it are refused
   */
  public static Future<ControlService> start(Vertx vertx, PostgresOptions postgres, ControlOptions options,
                                             ControlSeal seal) {
    return prepare(vertx, postgres, options, seal).compose(s -> s.lead().map(s));
  }

  /** Checks PostgreSQL (migrated) and the swarm manager; does not act yet. */
  public static Future<ControlService> prepare(Vertx vertx, PostgresOptions postgres, ControlOptions options,
                                               ControlSeal seal) {
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
        .map(store -> new ControlService(vertx, store, pool, client, options,
            new LeaderLock(vertx, postgres.connectOptions(), options.plane().standbyRetry()), seal))
        .onFailure(e -> client.close().eventually(pool::close));
  }

  /** What to do when the leader lock is lost after it was held (after this instance stopped acting). */
  public ControlService onLost(Runnable handler) {
    this.lostHandler = handler;
    return this;
  }

  /**
   * Waits for the leader lock, carries on with the deployments left unfinished, then serves every
   * operation and the live streams; completes once serving.
   */
  public Future<Void> lead() {
    lock.onLost(() -> stopActing().onComplete(v -> lostHandler.run()));
    return lock.acquire().compose(v -> {
      plane = ControlPlane.create(vertx, store, client, options.deployer(), options.stackPolicy(), options.hooks(),
          options.plane());
      // which instance leads, since when (the relay's GET /api/v1/control may pass it on)
      JsonObject leader = new JsonObject().put("available", true)
          .put("leader", System.getenv().getOrDefault("HOSTNAME", "unknown"))
          .put("leading_since", java.time.Instant.now().toString());
      plane.api().handle("control.status", r -> Future.succeededFuture(ControlApi.Reply.ok(leader.copy())));
      return Takeover.resume(store, plane.deployer(), options.stackPolicy());
    }).compose(resumed -> {
      resumed.forEach(d -> LOG.log(Level.WARNING, "deployment " + d.id() + " of " + d.stack()
          + " was left unfinished by the previous control plane: carried on"));
      return plane.api().requireSeal(seal).register(vertx.eventBus());
    }).compose(registered -> {
      consumers = registered;
      return plane.startStreams();
    }).onSuccess(v -> LOG.log(Level.INFO, "this control plane leads"));
  }

  /** Whether this instance holds the leader lock. */
  public boolean leading() {
    return lock.held();
  }

  /** Stops acting, lets the leader lock go, then closes the Docker client and the pool. */
  public Future<Void> stop() {
    return stopActing()
        .eventually(lock::release)
        .eventually(client::close)
        .eventually(pool::close)
        .mapEmpty();
  }

  /** Unregisters the operations and stops the live streams. */
  private Future<Void> stopActing() {
    List<MessageConsumer<JsonObject>> registered = consumers;
    consumers = List.of();
    ControlPlane running = plane;
    plane = null;
    return Future.join(registered.stream().map(MessageConsumer::unregister).toList())
        .eventually(() -> running == null ? Future.succeededFuture() : running.stop())
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
