package io.fluxer.relay;

import io.fluxer.common.config.ConfigException;
import io.fluxer.common.config.DevDefaults;
import io.fluxer.common.launch.Launch;
import io.fluxer.relay.api.ServerApi;
import io.fluxer.relay.api.ServerApiBus;
import io.fluxer.relay.auth.ApiKeys;
import io.fluxer.relay.auth.JwtSigner;
import io.fluxer.relay.auth.TokenVerifier;
import io.fluxer.relay.channel.Namespaces;
import io.fluxer.relay.cli.Cli;
import io.fluxer.relay.client.LocalFanout;
import io.fluxer.relay.client.NodeDeliveries;
import io.fluxer.relay.client.RelayContext;
import io.fluxer.relay.cluster.NodeDirectory;
import io.fluxer.relay.config.ConfigLoader;
import io.fluxer.relay.config.RelayConfig;
import io.fluxer.relay.config.TokenOptions;
import io.fluxer.relay.engine.Broker;
import io.fluxer.relay.engine.PresenceManager;
import io.fluxer.relay.engines.Engines;
import io.fluxer.relay.http.HttpApi;
import io.fluxer.relay.metrics.FluxerMetrics;
import io.fluxer.relay.node.RelayNode;
import io.fluxer.relay.stats.NodeStats;
import io.fluxer.relay.stats.StatsCollector;
import io.fluxer.relay.stats.StatsHistory;
import io.fluxer.relay.stats.StatsPublisher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Command line: {@code fluxer [serve] [--dev] [--cluster] [--config FILE]}, or one of the tools of
 * {@link Cli} ({@code version}, {@code genconfig}, {@code checkconfig}, {@code gentoken},
 * {@code checktoken}, {@code hash-password}, {@code health}; docs/cli.md). The config file may also come
 * from {@code FLUXER_CONFIG}; {@code FLUXER_*} variables override it. {@code --dev} starts from the
 * embedded dev defaults and prints a token for user {@code dev}. {@code --cluster} (or
 * {@code cluster.enabled}) joins the Hazelcast cluster described by {@code cluster.*}.
 */
public final class Main {
  /** The dev API key (admin) in the embedded dev defaults. */
  public static final String DEV_API_KEY = "fluxer-dev-api-key-not-for-production";
  /** The dashboard's dev admin password; fluxer-dev.json holds its bcrypt hash, {@link #DEV_ADMIN_HASH}. */
  public static final String DEV_ADMIN_PASSWORD = "fluxer-dev-admin";
  static final String DEV_ADMIN_HASH = "$2a$10$CoDygbizbJCI966GaFWXr.tIiRfxxXU9sq5GILAGtBRd6ODuirtDa";

  private static final String USAGE = Cli.HELP.strip();
  private static final String PROGRAM = "fluxer";

  private Main() {}

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && Cli.isCommand(args[0])) {
      System.exit(Cli.run(args, Cli.Io.system()));
    }
    if (args.length > 0 && args[0].equals("serve")) {
      args = Arrays.copyOfRange(args, 1, args.length);
    }
    serve(args);
  }

  private static void serve(String[] args) throws Exception {
    boolean dev = false;
    boolean cluster = false;
    String configFile = System.getenv("FLUXER_CONFIG");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--dev" -> dev = true;
        case "--cluster" -> cluster = true;
        case "--config" -> {
          if (i + 1 >= args.length) {
            exit("--config needs a file");
          }
          configFile = args[++i];
        }
        case "-h", "--help" -> {
          System.out.println(USAGE);
          return;
        }
        default -> exit("unknown argument: " + args[i] + " (fluxer help lists the commands and options)");
      }
    }
    JsonObject base = dev ? DevDefaults.json() : new JsonObject();
    String file = configFile;
    // The `control` section is control-api's (fluxer-control reads the same file): accepted, not used.
    RelayConfig config = Launch.readConfig(PROGRAM, v -> ConfigLoader.load(v, base, file, Set.of("control"))).relay();
    String weak = dev ? null : config.token().productionProblem();
    if (weak != null) {
      throw Launch.exit(PROGRAM, weak);
    }
    if (cluster) {
      try {
        config = config.withCluster(config.cluster().withEnabled(true));
      } catch (ConfigException e) {
        throw Launch.exit(PROGRAM, e.getMessage());
      }
    }
    // Vert.x's own metrics (HTTP, WebSocket, event bus, pools, event loops, JVM) go to a Prometheus
    // registry, which the node adds its fluxer_* meters to and serves on /metrics.
    Vertx vertx = Launch.startVertx(PROGRAM, config.cluster());
    RelayNode node;
    try {
      node = Launch.await(startNode(vertx, config), 30);
    } catch (Exception e) {
      vertx.close();
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      exit("cannot start: " + cause.getMessage());
      return;
    }
    long drainMillis = config.server().shutdownDrain().toMillis();
    int stopSeconds = 10 + (int) config.server().shutdownDrain().toSeconds();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // on stderr, as the launcher's other messages: what `docker logs` shows of a stop
      long started = System.nanoTime();
      System.err.printf("%s: stopping: /ready answers 503 for %d ms, then clients are closed with 3001%n",
          PROGRAM, drainMillis);
      try {
        Launch.await(node.stop().eventually(vertx::close), stopSeconds);
        System.err.printf("%s: stopped in %d ms%n", PROGRAM, (System.nanoTime() - started) / 1_000_000);
      } catch (Exception e) {
        System.err.printf("%s: exiting without a clean stop: %s%n", PROGRAM, e);
      }
    }, "fluxer-shutdown"));
    System.out.printf("Fluxer relay %s listening on ws://%s:%d/connection/websocket (%d event loops%s)%n",
        RelayNode.VERSION, config.server().host(), node.port(), config.server().instances(),
        vertx.isClustered() ? ", clustered as node " + node.id() : "");
    if (dev) {
      devLines(config, node.port()).forEach(System.out::println);
    }
    System.out.flush();
  }

  /**
   * Builds a relay node's parts on {@code vertx}, hands each the narrow views it uses, and starts
   * the node with its HTTP APIs and its server API on the event bus: the one place where the relay
   * is wired (control-api's launcher starts its relay through here too). The future fails with the
   * reason when the port or config is bad.
   */
  public static Future<RelayNode> startNode(Vertx vertx, RelayConfig config) {
    if (vertx.isClustered() && !config.engine().redis()) {
      return Future.failedFuture(new ConfigException("engine.type", "cluster mode needs the Redis engines (set "
          + "engine.type to redis and engine.redis_url): with memory engines every node would keep its own history "
          + "and presence"));
    }
    FluxerMetrics metrics = null;
    try {
      String id = UUID.randomUUID().toString();
      metrics = FluxerMetrics.create(vertx, config.server().nodeName());
      Engines engines = Engines.create(vertx, config.engine());
      Broker broker = metrics.timed(engines.broker());
      LocalFanout fanout = new LocalFanout();
      NodeDeliveries deliveries = new NodeDeliveries(fanout);
      broker.setEventHandler(deliveries);
      PresenceManager presence = metrics.timed(engines.presence());
      // Redis presence entries expire unless refreshed: refresh three times per TTL.
      Duration presenceRefresh = config.engine().redis() ? config.engine().presenceTtl().dividedBy(3) : Duration.ZERO;
      RelayContext relay = new RelayContext(config.server().nodeName(), RelayNode.VERSION, config.client(),
          new Namespaces(config.channel().withReserved()), verifier(vertx, config.token()), broker, presence,
          presenceRefresh);
      NodeDirectory directory = vertx.isClustered()
          ? new NodeDirectory(vertx.eventBus(), id, config.cluster().nodeTimeout()) : null;
      Supplier<List<NodeStats>> otherNodes = directory == null ? List::of : directory::others;
      ApiKeys apiKeys = new ApiKeys(config.api().keys());
      RelayNode node = new RelayNode(vertx, config, id, relay, fanout, metrics, apiKeys, directory);

      StatsCollector stats = new StatsCollector(vertx, config.server().statsInterval(), node::info, node::ready,
          node.loops(), metrics);
      if (config.engine().redis()) {
        stats.probe("redis", engines.broker()::ping);
      }
      StatsHistory statsHistory = new StatsHistory(otherNodes, config.server().statsInterval());
      // each sample goes to sys:stats, the stats history and, clustered, to the other nodes as a heartbeat
      Consumer<NodeStats> statsListener = new StatsPublisher(broker).andThen(statsHistory);
      if (directory != null) {
        statsListener = statsListener.andThen(directory::announce);
      }

      ServerApi api = new ServerApi(relay, node.loops(), node::info, vertx.eventBus(),
          directory == null ? List::of : directory::otherIds, config.api().maxBatchSize());
      node.unregisterOnStop(ServerApiBus.register(vertx.eventBus(), api));
      node.unregisterOnStop(ServerApiBus.registerCommands(vertx.eventBus(), id, api));
      node.addRoutes(new HttpApi(new HttpApi.Parts(vertx, config, relay, node::ready, api, apiKeys,
          node::apiKeyChanges, node::namespaceChanges, node.loops(), stats, statsHistory, otherNodes,
          metrics))::mount);

      FluxerMetrics started = metrics;
      return node.start(stats, statsListener)
          .onSuccess(n -> started.start(vertx, n.loops(), deliveries, relay.tokens()));
    } catch (RuntimeException e) {
      if (metrics != null) {
        metrics.close();
      }
      return Future.failedFuture(e);
    }
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

  /**
   * What a dev node prints for its user: {@code FLUXER_DEV_TOKEN}, {@code FLUXER_DEV_API_KEY} and,
   * with the dashboard on and its dev admin account unchanged, {@code FLUXER_DEV_DASHBOARD} (the URL)
   * and {@code FLUXER_DEV_ADMIN=user:password}.
   */
  public static List<String> devLines(RelayConfig config, int port) {
    List<String> lines = new ArrayList<>();
    lines.add("FLUXER_DEV_TOKEN=" + devToken(config));
    lines.add("FLUXER_DEV_API_KEY=" + DEV_API_KEY);
    if (config.dashboard().enabled() && DEV_ADMIN_HASH.equals(config.dashboard().adminPasswordHash())) {
      lines.add("FLUXER_DEV_DASHBOARD=http://" + config.server().host() + ":" + port + "/dashboard/");
      lines.add("FLUXER_DEV_ADMIN=" + config.dashboard().adminUser() + ":" + DEV_ADMIN_PASSWORD);
    }
    return lines;
  }

  /**
   * A token for user {@code dev}, valid for at least 24 hours, signed with the configured HMAC
   * secret. Issued at the start of the current hour, so nodes started together (run_dev.sh
   * --cluster) print the same token.
   */
  public static String devToken(RelayConfig config) {
    if (config.token().hmacSecret() == null) {
      throw new ConfigException("token.hmac_secret_key", "dev mode needs an HMAC secret to sign the dev token");
    }
    long hour = Instant.now().truncatedTo(ChronoUnit.HOURS).getEpochSecond();
    JsonObject claims = new JsonObject()
        .put("sub", "dev")
        .put("iat", hour)
        .put("exp", hour + Duration.ofHours(25).toSeconds())
        .put("roles", new JsonArray().add("admin"));
    return JwtSigner.hmac("HS256", config.token().hmacSecret().getBytes(StandardCharsets.UTF_8)).sign(claims);
  }

  private static void exit(String message) {
    Launch.exit(PROGRAM, message);
  }
}
