package io.fluxer.relay.node;

import io.fluxer.common.Addresses;
import io.fluxer.relay.api.ServerApi;
import io.fluxer.relay.api.ServerApiBus;
import io.fluxer.relay.auth.ApiKeyChanges;
import io.fluxer.relay.auth.ApiKeys;
import io.fluxer.relay.auth.TokenVerifier;
import io.fluxer.relay.channel.NamespaceChanges;
import io.fluxer.relay.channel.Namespaces;
import io.fluxer.relay.client.ClientSession;
import io.fluxer.relay.client.EmulationRegistry;
import io.fluxer.relay.client.Hub;
import io.fluxer.relay.client.HubSnapshot;
import io.fluxer.relay.client.LocalFanout;
import io.fluxer.relay.client.NodeDeliveries;
import io.fluxer.relay.client.RelayContext;
import io.fluxer.relay.client.RelayServerVerticle;
import io.fluxer.relay.cluster.NodeDirectory;
import io.fluxer.common.config.ConfigException;
import io.fluxer.relay.config.RelayConfig;
import io.fluxer.relay.config.TokenOptions;
import io.fluxer.relay.engine.Broker;
import io.fluxer.relay.engine.PresenceManager;
import io.fluxer.relay.engines.Engines;
import io.fluxer.relay.http.HttpApi;
import io.fluxer.relay.metrics.FluxerMetrics;
import io.fluxer.relay.protocol.Disconnect;
import io.fluxer.relay.stats.NodeStats;
import io.fluxer.relay.stats.StatsCollector;
import io.fluxer.relay.stats.StatsHistory;
import io.fluxer.relay.stats.StatsPublisher;
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
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * One relay node: the engines, the token verifier and one {@link RelayServerVerticle} per event loop,
 * all listening on the same port, plus the node-wide operations the HTTP APIs use (inspecting the
 * hubs, acting on a user's connections, readiness).
 */
public final class RelayNode {
  public static final String VERSION = "0.1.0";

  private final Vertx vertx;
  private final RelayConfig config;
  private final RelayContext relay;
  private final String id = UUID.randomUUID().toString();
  private final long startedAtMillis = System.currentTimeMillis();
  private final List<RelayServerVerticle> servers = new ArrayList<>();
  private final List<String> deployments = new ArrayList<>();
  private final List<Consumer<Router>> routes = new ArrayList<>();
  /** Node-wide event bus consumers, unregistered on stop. */
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private volatile boolean ready;
  /** How API namespace changes are made: in memory, or through PostgreSQL once {@link #startStore} ran. */
  private volatile NamespaceChanges namespaceChanges;
  private StoredNamespaces storedNamespaces;
  /** The node's API keys; created at run time in memory, or through PostgreSQL once {@link #startStore} ran. */
  private final ApiKeys apiKeys;
  private volatile ApiKeyChanges apiKeyChanges;
  private StoredApiKeys storedApiKeys;
  private int port;
  /** {@link #address()}, found once the servers listen. */
  private volatile String address;
  private FluxerMetrics metrics;
  /** The negative ports asking Vert.x for a random port shared by one node's instances ({@link #deployServers}). */
  private static final java.util.concurrent.atomic.AtomicInteger SHARED_RANDOM_PORTS =
      new java.util.concurrent.atomic.AtomicInteger();
  private final StatsCollector stats;
  private final StatsHistory statsHistory;
  private NodeDirectory directory;
  private final ControlInterest controlInterest = new ControlInterest(this);
  /** Sessions of this node's emulated transports, which {@code POST /emulation} reaches. */
  private final EmulationRegistry emulation;
  /** Hands broker events to the hubs of this node's event loops. */
  private final LocalFanout fanout;
  /** The broker's event handler: what reached this node. */
  private NodeDeliveries deliveries;

  private RelayNode(Vertx vertx, RelayConfig config, RelayContext relay, LocalFanout fanout) {
    this.vertx = vertx;
    this.fanout = fanout;
    this.config = config;
    this.relay = relay;
    this.stats = new StatsCollector(this);
    this.statsHistory = new StatsHistory(() -> directory == null ? List.of() : directory.others(),
        config.server().statsInterval());
    this.namespaceChanges = NamespaceChanges.inMemory(relay.namespaces());
    this.apiKeys = new ApiKeys(config.api().keys());
    this.apiKeyChanges = ApiKeyChanges.inMemory(apiKeys);
    this.emulation = new EmulationRegistry(vertx, id);
  }

  /**
   * Starts a node on {@code vertx} with its HTTP APIs; the future fails with the reason when the port
   * or config is bad.
   */
  public static Future<RelayNode> start(Vertx vertx, RelayConfig config) {
    return start(vertx, config, node -> {
      node.addRoutes(new HttpApi(node)::mount);
      ServerApi api = new ServerApi(node);
      node.consumers.add(ServerApiBus.register(vertx.eventBus(), api));
      node.consumers.add(ServerApiBus.registerCommands(vertx.eventBus(), node.id(), api));
    });
  }

  /**
   * Starts a node; {@code beforeListen} runs once the engines exist and before any listener, e.g.
   * to add HTTP routes with {@link #addRoutes}.
   */
  public static Future<RelayNode> start(Vertx vertx, RelayConfig config, Consumer<RelayNode> beforeListen) {
    RelayNode node;
    FluxerMetrics metrics = null;
    if (vertx.isClustered() && !config.engine().redis()) {
      return Future.failedFuture(new ConfigException("engine.type", "cluster mode needs the Redis engines (set "
          + "engine.type to redis and engine.redis_url): with memory engines every node would keep its own history "
          + "and presence"));
    }
    try {
      metrics = FluxerMetrics.create(vertx, config.server().nodeName());
      Engines engines = Engines.create(vertx, config.engine());
      Broker broker = metrics.timed(engines.broker());
      LocalFanout fanout = new LocalFanout();
      NodeDeliveries deliveries = new NodeDeliveries(fanout);
      broker.setEventHandler(deliveries);
      PresenceManager presence = metrics.timed(engines.presence());
      // Redis presence entries expire unless refreshed: refresh three times per TTL.
      Duration presenceRefresh = config.engine().redis() ? config.engine().presenceTtl().dividedBy(3) : Duration.ZERO;
      RelayContext relay = new RelayContext(config.server().nodeName(), VERSION, config.client(),
          new Namespaces(config.channel().withReserved()), verifier(vertx, config.token()), broker, presence,
          presenceRefresh);
      node = new RelayNode(vertx, config, relay, fanout);
      if (config.engine().redis()) {
        node.stats.probe("redis", engines.broker()::ping);
      }
      node.deliveries = deliveries;
      node.metrics = metrics;
      if (vertx.isClustered()) {
        node.directory = new NodeDirectory(vertx.eventBus(), node.id, config.cluster().nodeTimeout());
      }
      beforeListen.accept(node);
      node.consumers.add(node.emulation.listen());
    } catch (RuntimeException e) {
      if (metrics != null) {
        metrics.close();
      }
      return Future.failedFuture(e);
    }
    return node.startStore()
        .compose(v -> node.relay.tokens().start()) // providers' keys before clients: a provider down only logs
        .compose(v -> node.deployServers())
        .compose(v -> node.directory == null ? Future.succeededFuture() : node.directory.start())
        .onSuccess(v -> node.ready = true)
        .onSuccess(v -> node.stats.start(node.statsListener()))
        .onSuccess(v -> node.controlInterest.start())
        .onSuccess(v -> node.metrics.start(node)).onFailure(e -> node.failedStart()).map(node);
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

  /** Each stats sample goes to {@code sys:stats}, the stats history and, clustered, to the other nodes as a heartbeat. */
  private Consumer<NodeStats> statsListener() {
    Consumer<NodeStats> channel = new StatsPublisher(relay.broker()).andThen(statsHistory);
    NodeDirectory nodes = directory;
    return nodes == null ? channel : channel.andThen(nodes::announce);
  }

  /** Adds HTTP routes to every server instance; call from {@code beforeListen}. */
  public void addRoutes(Consumer<Router> mount) {
    if (!servers.isEmpty()) {
      throw new IllegalStateException("routes must be added before the servers start");
    }
    routes.add(mount);
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
      port = servers.get(0).actualPort();
      // once, on a worker: finding the host name may ask DNS, which an event loop must not wait for
      return vertx.executeBlocking(this::findAddress, false).onSuccess(found -> address = found).mapEmpty();
    });
  }

  private Future<RelayServerVerticle> deployServer(int onPort) {
    List<Consumer<Router>> mounts = List.copyOf(routes);
    RelayServerVerticle verticle = new RelayServerVerticle(relay, config.server().withPort(onPort),
        router -> mounts.forEach(m -> m.accept(router)), emulation, fanout);
    metrics.bind(verticle.hub());
    return vertx.deployVerticle(verticle, new DeploymentOptions()).map(deploymentId -> {
      deployments.add(deploymentId);
      servers.add(verticle);
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
    stats.stop();
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

  /** Publications the broker handed to this node since it started, its own and other nodes'. */
  public long publicationsReceived() {
    return deliveries.publicationsReceived();
  }

  /** The sessions of this node's emulated transports (SSE, HTTP streaming). */
  /**
   * What hands publications, joins and leaves to this node's loops; a test delivers through it what
   * would come from another node, or registers a sink to see every delivery.
   */
  public LocalFanout fanout() {
    return fanout;
  }

  public EmulationRegistry emulation() {
    return emulation;
  }

  /** Whether the node accepts clients: listeners and engines up, not shutting down. */
  public boolean ready() {
    return ready;
  }

  /** Runs {@code action} on every server instance's event loop with its hub; one result per instance. */
  public <T> Future<List<T>> inspect(Function<Hub, T> action) {
    List<Future<T>> results = new ArrayList<>();
    for (RelayServerVerticle s : servers) {
      results.add(s.onLoop(action));
    }
    return Future.all(results).map(all -> all.<T>list());
  }

  /** Snapshots of every instance's hub. */
  public Future<List<HubSnapshot>> snapshots() {
    return inspect(Hub::snapshot);
  }

  /** Each event loop's counts without its channels ({@link Hub#counts()}): cheap enough for every stats tick. */
  public Future<List<HubSnapshot>> counts() {
    return inspect(Hub::counts);
  }

  /**
   * Runs {@code action} on each of a user's connections on this node (only {@code clientId} when not
   * empty), each on its own event loop; completes with how many connections it ran on.
   */
  public Future<Integer> forEachSession(String user, String clientId, Consumer<ClientSession> action) {
    return inspect(hub -> {
      List<ClientSession> sessions = hub.sessionsOf(user, clientId);
      sessions.forEach(action);
      return sessions.size();
    }).map(counts -> counts.stream().mapToInt(Integer::intValue).sum());
  }

  /** Closes a user's connections (or one of them) with {@code disconnect}. */
  public Future<Integer> disconnect(String user, String clientId, Disconnect disconnect) {
    return forEachSession(user, clientId, s -> s.close(disconnect));
  }

  public int port() {
    return port;
  }

  public String id() {
    return id;
  }

  public String name() {
    return config.server().nodeName();
  }

  public long startedAtMillis() {
    return startedAtMillis;
  }

  public Vertx vertx() {
    return vertx;
  }

  public RelayConfig config() {
    return config;
  }

  public RelayContext context() {
    return relay;
  }

  /**
   * How namespace changes from the API are made: straight into this node's memory, or, with
   * PostgreSQL, stored there first and then spread to every node.
   */
  /** The node's API keys, configured and managed. */
  public ApiKeys apiKeys() {
    return apiKeys;
  }

  /** How API keys are created and revoked: in memory, or through PostgreSQL. */
  public ApiKeyChanges apiKeyChanges() {
    return apiKeyChanges;
  }

  public NamespaceChanges namespaceChanges() {
    return namespaceChanges;
  }

  /** This node's stats: totals from its hubs and per-second rates ({@code server.stats_interval}). */
  /** The cluster's figures over the last hour, sample by sample, as this node saw them. */
  public StatsHistory statsHistory() {
    return statsHistory;
  }

  public StatsCollector stats() {
    return stats;
  }

  /** The other nodes of the cluster; {@code null} when the node is not clustered. */
  public NodeDirectory directory() {
    return directory;
  }

  /**
   * {@code host:port} clients reach this node on: the server host, or, when it listens on every
   * interface, the address the node has in the cluster (else its host name). Found once, when the
   * servers start listening; before that, the configured host.
   */
  public String address() {
    String found = address;
    return found != null ? found : hostPort(config.server().host());
  }

  private String findAddress() {
    String host = config.server().host();
    if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) {
      String clusterHost = vertx.isClustered() ? ((VertxInternal) vertx).clusterManager().clusterHost() : null;
      host = clusterHost != null ? clusterHost : localHostName();
    }
    return hostPort(host);
  }

  private String hostPort(String host) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  private static String localHostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  /** This node's Prometheus metrics, which {@code /metrics} serves. */
  public FluxerMetrics metrics() {
    return metrics;
  }

  /** Sessions connected to this node, across its event loops. */
  public int sessionCount() {
    return servers.stream().mapToInt(s -> s.hub().sessionCount()).sum();
  }

  /**
   * Sessions per server instance (event loop). A snapshot read from outside the loops: for
   * tests and stats, not for decisions.
   */
  public List<Integer> sessionsPerInstance() {
    return servers.stream().map(s -> s.hub().sessionCount()).toList();
  }

  private static TokenVerifier verifier(Vertx vertx, TokenOptions token) {
    if (token.hasAnyKey()) {
      return TokenVerifier.create(vertx, token);
    }
    // Anonymous-only node: a random secret nobody knows, so no token can ever verify.
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    return TokenVerifier.create(new TokenOptions(Base64.getEncoder().encodeToString(secret), null, null,
        null, null, 0));
  }
}
