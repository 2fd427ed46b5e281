package io.fluxer.relay.node;

import io.fluxer.common.Addresses;
import io.fluxer.relay.auth.ApiKeyChanges;
import io.fluxer.relay.auth.ApiKeys;
import io.fluxer.relay.channel.NamespaceChanges;
import io.fluxer.relay.client.EmulationRegistry;
import io.fluxer.relay.client.EventLoops;
import io.fluxer.relay.client.LocalFanout;
import io.fluxer.relay.client.NodeInfo;
import io.fluxer.relay.client.RelayContext;
import io.fluxer.relay.client.RelayServerVerticle;
import io.fluxer.relay.client.ServerLoops;
import io.fluxer.relay.cluster.NodeDirectory;
import io.fluxer.relay.config.RelayConfig;
import io.fluxer.relay.metrics.FluxerMetrics;
import io.fluxer.relay.stats.NodeStats;
import io.fluxer.relay.stats.StatsCollector;
import io.fluxer.relay.store.StoredApiKeys;
import io.fluxer.relay.store.StoredNamespaces;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.ext.web.Router;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One relay node's lifecycle: starts, in order, its stores, token providers, one
 * {@link RelayServerVerticle} per event loop (all on the same port), its cluster membership and its
 * periodic chores, and stops them again with a drain. The parts themselves are built and handed to
 * each other by {@code io.fluxer.relay.Main#startNode}; this class reaches none of them on their behalf.
 */
public final class RelayNode {
  /** The relay's version ({@link NodeInfo#VERSION}), for the launchers. */
  public static final String VERSION = NodeInfo.VERSION;

  private final Vertx vertx;
  private final RelayConfig config;
  private final RelayContext relay;
  private final String id;
  private final ServerLoops loops = new ServerLoops();
  private final List<String> deployments = new ArrayList<>();
  private final List<Consumer<Router>> routes = new ArrayList<>();
  /** Node-wide event bus consumers, unregistered on stop. */
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private volatile boolean ready;
  /** Who the node is; its address and port once the servers listen. */
  private volatile NodeInfo info;
  /** How API namespace changes are made: in memory, or through PostgreSQL once {@link #startStore} ran. */
  private volatile NamespaceChanges namespaceChanges;
  private StoredNamespaces storedNamespaces;
  /** The node's API keys; created at run time in memory, or through PostgreSQL once {@link #startStore} ran. */
  private final ApiKeys apiKeys;
  private volatile ApiKeyChanges apiKeyChanges;
  private StoredApiKeys storedApiKeys;
  private final FluxerMetrics metrics;
  /** The negative ports asking Vert.x for a random port shared by one node's instances ({@link #deployServers}). */
  private static final java.util.concurrent.atomic.AtomicInteger SHARED_RANDOM_PORTS =
      new java.util.concurrent.atomic.AtomicInteger();
  /** Set by {@link #start}. */
  private StatsCollector stats;
  private final NodeDirectory directory;
  private final ControlInterest controlInterest;
  /** Sessions of this node's emulated transports, which {@code POST /emulation} reaches. */
  private final EmulationRegistry emulation;
  /** Hands broker events to the hubs of this node's event loops. */
  private final LocalFanout fanout;

  /**
   * A node, not started, with id {@code id}, the engines and namespaces of {@code relay}, its
   * {@code fanout} (the broker's events reach the loops through it), its {@code metrics}, its
   * {@code apiKeys} and, clustered, its {@code directory} of the other nodes ({@code null}: not clustered).
   */
  public RelayNode(Vertx vertx, RelayConfig config, String id, RelayContext relay, LocalFanout fanout,
      FluxerMetrics metrics, ApiKeys apiKeys, NodeDirectory directory) {
    this.vertx = vertx;
    this.config = config;
    this.id = id;
    this.relay = relay;
    this.fanout = fanout;
    this.metrics = metrics;
    this.apiKeys = apiKeys;
    this.directory = directory;
    this.info = new NodeInfo(id, config.server().nodeName(), VERSION, System.currentTimeMillis(),
        hostPort(config.server().host(), config.server().port()), 0);
    this.namespaceChanges = NamespaceChanges.inMemory(relay.namespaces());
    this.apiKeyChanges = ApiKeyChanges.inMemory(apiKeys);
    this.emulation = new EmulationRegistry(vertx, id);
    this.controlInterest = new ControlInterest(vertx, loops, id);
  }

  /**
   * Starts the node: stores, token providers, listeners, cluster membership; then it is ready, and
   * {@code stats} samples to {@code statsListener}. Fails with the reason (after undoing what had
   * started) when the port or a store is bad.
   */
  public Future<RelayNode> start(StatsCollector stats, Consumer<NodeStats> statsListener) {
    this.stats = stats;
    try {
      consumers.add(emulation.listen());
    } catch (RuntimeException e) {
      failedStart();
      return Future.failedFuture(e);
    }
    return startStore()
        .compose(v -> relay.tokens().start()) // providers' keys before clients: a provider down only logs
        .compose(v -> deployServers())
        .compose(v -> directory == null ? Future.succeededFuture() : directory.start())
        .onSuccess(v -> ready = true)
        .onSuccess(v -> stats.start(statsListener))
        .onSuccess(v -> controlInterest.start())
        .onFailure(e -> failedStart()).map(this);
  }

  /**
   * With {@code postgres.url}: migrates the schema, seeds and loads the namespaces and loads the API
   * keys from PostgreSQL before any client can connect, then follows changes (notices on the event
   * bus, periodic reload).
   */
  private Future<Void> startStore() {
    if (!config.postgres().enabled()) {
      return Future.succeededFuture();
    }
    return StoredNamespaces.start(vertx, config.postgres(), relay.namespaces(), config.channel(), id)
        .recover(e -> Future.failedFuture(new IllegalStateException(
            "cannot start the namespace store: " + e.getMessage(), e)))
        .map(stored -> {
          storedNamespaces = stored;
          namespaceChanges = stored;
          stats.probe("postgres", stored::ping);
          consumers.add(vertx.eventBus().consumer(Addresses.NAMESPACES, message -> stored.requestReload()));
          return null;
        })
        .compose(v -> StoredApiKeys.start(vertx, config.postgres(), apiKeys, id)
            .recover(e -> Future.failedFuture(new IllegalStateException(
                "cannot start the API key store: " + e.getMessage(), e))))
        .map(stored -> {
          storedApiKeys = stored;
          apiKeyChanges = stored;
          consumers.add(vertx.eventBus().consumer(Addresses.API_KEYS, message -> stored.requestReload()));
          return null;
        });
  }

  private void failedStart() {
    relay.tokens().close();
    metrics.close();
    consumers.forEach(MessageConsumer::unregister);
    consumers.clear();
    if (storedNamespaces != null) {
      storedNamespaces.close();
    }
    if (storedApiKeys != null) {
      storedApiKeys.close();
    }
    if (directory != null) {
      directory.leave();
    }
  }

  /** Adds HTTP routes to every server instance; call before {@link #start}. */
  public void addRoutes(Consumer<Router> mount) {
    if (!loops.isEmpty()) {
      throw new IllegalStateException("routes must be added before the servers start");
    }
    routes.add(mount);
  }

  /** An event bus consumer of the node's, unregistered when it stops (after the drain). */
  public void unregisterOnStop(MessageConsumer<?> consumer) {
    consumers.add(consumer);
  }

  private Future<Void> deployServers() {
    // Instances share one listening port. Vert.x shares a random port among the servers asking for
    // the same negative number, so port 0 becomes a negative number of this node's own: with -1 for
    // every node, two nodes in one Vert.x would share one port and take each other's clients.
    int bindPort = config.server().port() == 0 ? -SHARED_RANDOM_PORTS.incrementAndGet() : config.server().port();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < config.server().instances(); i++) {
      chain = chain.compose(v -> deployServer(bindPort).mapEmpty());
    }
    return chain.compose(v -> {
      int port = loops.port();
      // once, on a worker: finding the host name may ask DNS, which an event loop must not wait for
      return vertx.executeBlocking(() -> findAddress(port), false)
          .onSuccess(found -> info = info.listening(port, found)).mapEmpty();
    });
  }

  private Future<RelayServerVerticle> deployServer(int onPort) {
    List<Consumer<Router>> mounts = List.copyOf(routes);
    RelayServerVerticle verticle = new RelayServerVerticle(relay, config.server().withPort(onPort),
        router -> mounts.forEach(m -> m.accept(router)), emulation, fanout);
    metrics.bind(verticle.hub());
    return vertx.deployVerticle(verticle, new DeploymentOptions()).map(deploymentId -> {
      deployments.add(deploymentId);
      loops.add(verticle);
      return verticle;
    });
  }

  /**
   * Stops the node: {@code /ready} answers 503 for {@code server.shutdown_drain} so load balancers
   * stop sending new clients, then every client is closed with 3001 and the listeners stop. Until
   * then the node's clients get every publication, of this node and of the others.
   */
  public Future<Void> stop() {
    ready = false;
    if (stats != null) {
      stats.stop();
    }
    controlInterest.stop();
    if (directory != null) {
      directory.leave();
    }
    long drain = config.server().shutdownDrain().toMillis();
    Promise<Void> drained = Promise.promise();
    if (drain > 0 && !deployments.isEmpty()) {
      vertx.setTimer(drain, t -> drained.complete());
    } else {
      drained.complete();
    }
    return drained.future().compose(v -> {
      List<Future<Void>> undeploys = new ArrayList<>();
      for (String deploymentId : deployments) {
        undeploys.add(vertx.undeploy(deploymentId));
      }
      deployments.clear();
      return Future.join(undeploys);
    }).andThen(ar -> {
      // only now: while the node drains, its clients still get what the other nodes publish
      consumers.forEach(MessageConsumer::unregister);
      consumers.clear();
    }).compose(v -> relay.broker().close())
        .compose(v -> relay.presence().close())
        .compose(v -> storedNamespaces == null ? Future.<Void>succeededFuture() : storedNamespaces.close())
        .compose(v -> storedApiKeys == null ? Future.<Void>succeededFuture() : storedApiKeys.close())
        .andThen(ar -> relay.tokens().close())
        .andThen(ar -> metrics.close()).mapEmpty();
  }

  /** Whether the node accepts clients: listeners and engines up, not shutting down. */
  public boolean ready() {
    return ready;
  }

  /**
   * Who the node is. Its {@code address}, {@code host:port} clients reach it on, is the server host,
   * or, when it listens on every interface, the address the node has in the cluster (else its host
   * name); found once, when the servers start listening (before that, the configured host).
   */
  public NodeInfo info() {
    return info;
  }

  public String id() {
    return id;
  }

  /** The port the servers listen on (0 before they do). */
  public int port() {
    return info.port();
  }

  /** The node's event loops, to read or act on their sessions there. */
  public EventLoops loops() {
    return loops;
  }

  /** How namespace changes from the API are made: in memory, or, with PostgreSQL, stored there and spread to every node. */
  public NamespaceChanges namespaceChanges() {
    return namespaceChanges;
  }

  /** How API keys are created and revoked: in memory, or through PostgreSQL. */
  public ApiKeyChanges apiKeyChanges() {
    return apiKeyChanges;
  }

  // ---- for tests: what they deliver through or look at

  /** The node's engines, namespaces and token verifier. */
  public RelayContext context() {
    return relay;
  }

  /**
   * What hands publications, joins and leaves to this node's loops; a test delivers through it what
   * would come from another node, or registers a sink to see every delivery.
   */
  public LocalFanout fanout() {
    return fanout;
  }

  /** The sessions of this node's emulated transports (SSE, HTTP streaming). */
  public EmulationRegistry emulation() {
    return emulation;
  }

  /** This node's Prometheus metrics, which {@code /metrics} serves. */
  public FluxerMetrics metrics() {
    return metrics;
  }

  private String findAddress(int port) {
    String host = config.server().host();
    if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) {
      String clusterHost = vertx.isClustered() ? ((VertxInternal) vertx).clusterManager().clusterHost() : null;
      host = clusterHost != null ? clusterHost : localHostName();
    }
    return hostPort(host, port);
  }

  private static String hostPort(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  private static String localHostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
