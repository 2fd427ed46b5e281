package io.fluxer.relay;

import io.fluxer.relay.cluster.HazelcastSetup;
import io.fluxer.relay.config.ConfigException;
import io.fluxer.relay.config.ConfigLoader;
import io.fluxer.relay.config.RelayConfig;
import io.fluxer.relay.metrics.VertxMetricsSetup;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What a Fluxer process does before it serves, shared by the relay ({@link Main}) and control-api's
 * launcher: read the configuration, start Vert.x (clustered with Hazelcast when
 * {@code cluster.enabled}), wait on start-up futures, and stop with a message naming the problem.
 */
public final class Launch {
  /** Hazelcast logs dozens of INFO lines per member through JUL; kept here so the levels stick. */
  private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");
  /** Warns at every start that the CP subsystem is off: Fluxer does not use it. */
  private static final Logger HAZELCAST_CP_LOG = Logger.getLogger("com.hazelcast.cp.CPSubsystem");

  private Launch() {}

  /**
   * Reads the configuration with a short-lived Vert.x (the process's own may have to be clustered);
   * exits with the problem when it is invalid.
   *
   * @param base what the file and environment override (dev defaults), or an empty object
   * @param extraSections sections besides the relay's that the process reads itself
   */
  public static ConfigLoader.Loaded readConfig(String program, JsonObject base, String configFile,
                                               Set<String> extraSections) {
    Vertx reader = Vertx.vertx();
    try {
      return await(ConfigLoader.load(reader, base, configFile, extraSections), 30);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw exit(program, cause instanceof ConfigException ? cause.getMessage()
          : "cannot read configuration: " + cause);
    } finally {
      reader.close();
    }
  }

  /**
   * Vert.x for this process: joined to the Hazelcast cluster {@code cluster.*} describes when enabled
   * (waiting up to two minutes), else standalone; both report Vert.x's metrics to Prometheus.
   */
  public static Vertx startVertx(String program, RelayConfig config) {
    if (!config.cluster().enabled()) {
      return VertxMetricsSetup.create(new VertxOptions());
    }
    HAZELCAST_LOG.setLevel(Level.WARNING);
    HAZELCAST_CP_LOG.setLevel(Level.SEVERE);
    try {
      return await(HazelcastSetup.start(new VertxOptions(), config.cluster()), 120);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw exit(program, "cannot join the cluster: " + cause.getMessage());
    }
  }

  /** Waits for a start-up or shutdown step. */
  public static <T> T await(Future<T> future, int seconds) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
  }

  /** Prints {@code program: message} to stderr and exits with status 2; declared to return for {@code throw}. */
  public static IllegalStateException exit(String program, String message) {
    System.err.println(program + ": " + message);
    System.exit(2);
    return new IllegalStateException(message);
  }
}
