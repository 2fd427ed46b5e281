package io.fluxer.control;

import io.fluxer.relay.Launch;
import io.fluxer.relay.Main;
import io.fluxer.relay.cluster.ControlSeal;
import io.fluxer.relay.config.ConfigException;
import io.fluxer.relay.config.ConfigLoader;
import io.fluxer.relay.config.RelayConfig;
import io.fluxer.relay.node.RelayNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;

/**
 * Command line: {@code fluxer-control [--relay] [--dev] [--cluster] [--config FILE]}, reading the
 * same configuration as the relays plus its {@code control} section ({@link ControlOptions}).
 *
 * <ul>
 *   <li>Alone ({@code --cluster}, or {@code cluster.enabled}): joins the relays' Hazelcast cluster on
 *       a swarm manager and serves {@code fluxer.control.<op>}; it opens no port.</li>
 *   <li>{@code --relay}: a relay node and the control plane in one JVM (what
 *       {@code scripts/run_dev.sh --control} runs).</li>
 *   <li>{@code --dev}: the relay's embedded dev defaults plus a dev {@code control.secret_key}.</li>
 * </ul>
 * It refuses to start, saying why, without {@code postgres.url}, without a key, or when the Docker
 * engine is not an active swarm manager. While another control plane holds the leader lock it waits
 * as a standby (see {@link ControlService}); it exits with status 3 if it loses the lock.
 */
public final class ControlMain {
  private static final String PROGRAM = "fluxer-control";
  private static final String USAGE = "usage: fluxer-control [--relay] [--dev] [--cluster] [--config FILE]";

  private ControlMain() {}

  public static void main(String[] args) throws Exception {
    boolean relay = false;
    boolean dev = false;
    boolean cluster = false;
    String configFile = System.getenv("FLUXER_CONFIG");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--relay" -> relay = true;
        case "--dev" -> dev = true;
        case "--cluster" -> cluster = true;
        case "--config" -> {
          if (i + 1 >= args.length) {
            throw Launch.exit(PROGRAM, "--config needs a file");
          }
          configFile = args[++i];
        }
        case "-h", "--help" -> {
          System.out.println(USAGE);
          return;
        }
        default -> throw Launch.exit(PROGRAM, "unknown argument: " + args[i] + " (" + USAGE + ")");
      }
    }
    ConfigLoader.Loaded loaded = Launch.readConfig(PROGRAM, dev ? devDefaults() : new JsonObject(), configFile,
        Set.of("control"));
    RelayConfig config = loaded.relay();
    ControlOptions control;
    try {
      if (cluster) {
        config = config.withCluster(config.cluster().withEnabled(true));
      }
      control = ControlOptions.fromJson(loaded.section("control"));
    } catch (ConfigException e) {
      throw Launch.exit(PROGRAM, e.getMessage());
    }
    String problem = dev ? null : config.token().productionProblem();
    if (problem == null) {
      problem = startProblem(config, relay);
    }
    if (problem != null) {
      throw Launch.exit(PROGRAM, problem);
    }

    Vertx vertx = Launch.startVertx(PROGRAM, config);
    RelayNode node = null;
    ControlService service;
    try {
      if (relay) {
        node = Launch.await(Main.startNode(vertx, config), 30);
      }
      service = Launch.await(ControlService.prepare(vertx, config.postgres(), control,
          ControlSeal.of(vertx, config.cluster())), 60);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      Future<Void> stopped = node == null ? Future.succeededFuture() : node.stop();
      Launch.await(stopped.eventually(vertx::close), 30);
      throw Launch.exit(PROGRAM, "cannot start the control plane: " + cause.getMessage());
    }
    RelayNode started = node;
    int stopSeconds = 10 + (int) config.server().shutdownDrain().toSeconds();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        Future<Void> nodeStopped = started == null ? Future.succeededFuture() : started.stop();
        Launch.await(service.stop().eventually(() -> nodeStopped).eventually(vertx::close), stopSeconds);
      } catch (Exception ignored) {
        // exiting anyway
      }
    }, "fluxer-control-shutdown"));
    if (started != null) {
      System.out.printf("Fluxer relay %s listening on ws://%s:%d/connection/websocket%n", RelayNode.VERSION,
          config.server().host(), started.port());
    }
    System.out.printf("Fluxer control plane driving the swarm at %s%s%n", control.dockerHost(),
        vertx.isClustered() ? " (clustered)" : "");
    // a second control plane waits here as a standby until the leader is gone; one that loses the lead
    // exits (status 3): the swarm restarts it, as a standby
    service.onLost(() -> {
      System.err.println(PROGRAM + ": lost the leader lock (PostgreSQL session ended): exiting");
      System.exit(3);
    });
    service.lead().onComplete(ar -> {
      if (ar.succeeded()) {
        System.out.println("Fluxer control plane leading");
      } else {
        System.err.println(PROGRAM + ": cannot lead: " + ar.cause().getMessage());
        System.exit(3);
      }
    });
    if (dev && started != null) {
      Main.devLines(config, started.port()).forEach(System.out::println);
    }
    System.out.flush();
  }

  /** Why this configuration cannot run the control plane, or null. */
  static String startProblem(RelayConfig config, boolean relay) {
    if (!config.postgres().enabled()) {
      return "the control plane needs PostgreSQL for stacks, revisions, deployments and the audit log: set "
          + "postgres.url (FLUXER_POSTGRES_URL)";
    }
    if (!relay && !config.cluster().enabled()) {
      return "alone, the control plane must join the relays' cluster (--cluster or cluster.enabled) to be "
          + "reached; --relay runs it beside a relay node in one JVM";
    }
    return null;
  }

  /** The relay's dev defaults plus a dev {@code control.secret_key} (not for production). */
  static JsonObject devDefaults() {
    try (InputStream in = ControlMain.class.getResourceAsStream("control-dev.json")) {
      if (in == null) {
        throw new IOException("control-dev.json missing from the classpath");
      }
      return Main.devDefaults().mergeIn(new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw Launch.exit(PROGRAM, e.getMessage());
    }
  }
}
