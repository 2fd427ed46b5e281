package io.fluxer.relay;

import io.fluxer.relay.auth.JwtSigner;
import io.fluxer.relay.cli.Cli;
import io.fluxer.relay.config.ConfigException;
import io.fluxer.relay.config.DevDefaults;
import io.fluxer.relay.config.RelayConfig;
import io.fluxer.relay.node.RelayNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

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
    JsonObject base;
    try {
      base = dev ? devDefaults() : new JsonObject();
    } catch (IOException e) {
      throw Launch.exit(PROGRAM, e.getMessage());
    }
    // The `control` section is control-api's (fluxer-control reads the same file): accepted, not used.
    RelayConfig config = Launch.readConfig(PROGRAM, base, configFile, Set.of("control")).relay();
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
    Vertx vertx = Launch.startVertx(PROGRAM, config);
    RelayNode node;
    try {
      node = Launch.await(RelayNode.start(vertx, config), 30);
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

  /** The embedded dev defaults ({@link DevDefaults}); control-api's launcher starts from them too. */
  public static JsonObject devDefaults() throws IOException {
    return DevDefaults.read();
  }

  private static void exit(String message) {
    Launch.exit(PROGRAM, message);
  }
}
