package io.fluxer.control;

import io.fluxer.common.cluster.ControlSeal;
import io.fluxer.common.config.ClusterOptions;
import io.fluxer.common.config.ConfigFile;
import io.fluxer.common.config.DevDefaults;
import io.fluxer.common.config.PostgresOptions;
import io.fluxer.common.launch.Launch;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Command line: {@code fluxer-control [--dev] [--cluster] [--config FILE]}, reading the same
 * configuration file as the relays: its {@code postgres}, {@code cluster} and {@code control}
 * sections ({@link ControlOptions}). It joins the relays' Hazelcast cluster on a swarm manager and
 * serves {@code fluxer.control.<op>}; it opens no port. {@code --dev} starts from the embedded dev
 * defaults plus a dev {@code control.secret_key}.
 *
 * <p>This is the control plane's composition root: it builds the {@link ControlService} from the
 * configuration. {@code fluxer-control --relay} (a relay node and the control plane in one JVM, for
 * development) is wired by the distribution's launcher, which depends on both; control-api itself
 * depends only on the common module.
 *
 * <p>It refuses to start, saying why, without {@code postgres.url}, without a key, or when the Docker
 * engine is not an active swarm manager. While another control plane holds the leader lock it waits
 * as a standby (see {@link ControlService}); it exits with status 3 if it loses the lock.
 */
public final class ControlMain {
  public static final String PROGRAM = "fluxer-control";
  private static final String USAGE = "usage: fluxer-control [--relay] [--dev] [--cluster] [--config FILE]";
  /** The sections of the shared file the control plane reads. */
  private static final Set<String> SECTIONS = Set.of("postgres", "cluster", "control");

  private ControlMain() {}

  /** What the command line asked for. */
  public record Args(boolean relay, boolean dev, boolean cluster, String configFile) {
    /** Parses {@code args}; prints the usage and exits on {@code --help} or a bad argument. */
    public static Args parse(String[] args) {
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
            System.exit(0);
          }
          default -> throw Launch.exit(PROGRAM, "unknown argument: " + args[i] + " (" + USAGE + ")");
        }
      }
      return new Args(relay, dev, cluster, configFile);
    }

    /** The embedded dev defaults with {@code --dev}, else nothing. */
    public JsonObject base() {
      return dev ? devDefaults() : new JsonObject();
    }
  }

  /** The control plane's part of the configuration. */
  public record Settings(PostgresOptions postgres, ClusterOptions cluster, ControlOptions control) {
    /** Validates the sections; {@code --cluster} turns the cluster on. */
    static Settings of(JsonObject sections, boolean cluster) {
      ClusterOptions clusterOptions = ClusterOptions.fromJson(sections.getJsonObject("cluster"));
      return new Settings(PostgresOptions.fromJson(sections.getJsonObject("postgres")),
          cluster ? clusterOptions.withEnabled(true) : clusterOptions,
          ControlOptions.fromJson(sections.getJsonObject("control")));
    }
  }

  public static void main(String[] args) {
    Args parsed = Args.parse(args);
    if (parsed.relay()) {
      throw Launch.exit(PROGRAM, "--relay needs the relay too: run bin/fluxer-control of the distribution, whose "
          + "launcher has both");
    }
    JsonObject base = parsed.base();
    Settings settings = Launch.readConfig(PROGRAM, v -> ConfigFile.load(v, base, parsed.configFile(), SECTIONS,
            ConfigFile.SECTIONS)
        // validation may read *_file secrets from disk: off the event loop
        .compose(tree -> v.executeBlocking(() -> Settings.of(tree, parsed.cluster()), false)));
    String problem = startProblem(settings.postgres(), settings.cluster(), false);
    if (problem != null) {
      throw Launch.exit(PROGRAM, problem);
    }
    Vertx vertx = Launch.startVertx(PROGRAM, settings.cluster());
    ControlService service = startOrExit(vertx, settings.postgres(), settings.control(), settings.cluster(),
        Future::succeededFuture);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        Launch.await(service.stop().eventually(vertx::close), 10);
      } catch (Exception ignored) {
        // exiting anyway
      }
    }, "fluxer-control-shutdown"));
    announce(service, drivingLine(settings.control(), vertx));
  }

  /**
   * Prepares the control plane on {@code vertx}; on failure stops what {@code onFailure} names (a relay
   * node started beside it), closes Vert.x and exits with the reason.
   */
  public static ControlService startOrExit(Vertx vertx, PostgresOptions postgres, ControlOptions control,
                                           ClusterOptions cluster, Supplier<Future<Void>> onFailure) {
    try {
      return Launch.await(ControlService.prepare(vertx, postgres, control, ControlSeal.of(vertx, cluster)), 60);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      try {
        Launch.await(onFailure.get().eventually(vertx::close), 30);
      } catch (Exception ignored) {
        // exiting anyway
      }
      throw Launch.exit(PROGRAM, "cannot start the control plane: " + cause.getMessage());
    }
  }

  /**
   * Prints what drives which swarm, then waits for the lead: a second control plane waits here as a
   * standby until the leader is gone; one that loses the lead exits (status 3) and the swarm restarts
   * it, as a standby.
   */
  public static void announce(ControlService service, String driving) {
    System.out.println(driving);
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
    System.out.flush();
  }

  /** The start line: which Docker engine the control plane drives. */
  public static String drivingLine(ControlOptions control, Vertx vertx) {
    return String.format("Fluxer control plane driving the swarm at %s%s", control.dockerHost(),
        vertx.isClustered() ? " (clustered)" : "");
  }

  /**
   * Why this configuration cannot run the control plane, or null.
   *
   * @param relay whether a relay node runs in the same JVM (then it needs no cluster to be reached)
   */
  public static String startProblem(PostgresOptions postgres, ClusterOptions cluster, boolean relay) {
    if (!postgres.enabled()) {
      return "the control plane needs PostgreSQL for stacks, revisions, deployments and the audit log: set "
          + "postgres.url (FLUXER_POSTGRES_URL)";
    }
    if (!relay && !cluster.enabled()) {
      return "alone, the control plane must join the relays' cluster (--cluster or cluster.enabled) to be "
          + "reached; --relay runs it beside a relay node in one JVM";
    }
    return null;
  }

  /** The embedded dev defaults plus a dev {@code control.secret_key} (not for production). */
  public static JsonObject devDefaults() {
    try (InputStream in = ControlMain.class.getResourceAsStream("control-dev.json")) {
      if (in == null) {
        throw new IOException("control-dev.json missing from the classpath");
      }
      return DevDefaults.json().mergeIn(new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw Launch.exit(PROGRAM, e.getMessage());
    }
  }
}
