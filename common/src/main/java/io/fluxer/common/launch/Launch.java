package io.fluxer.common.launch;

import io.fluxer.common.cluster.HazelcastSetup;
import io.fluxer.common.config.ClusterOptions;
import io.fluxer.common.config.ConfigException;
import io.fluxer.common.metrics.VertxMetricsSetup;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What a Fluxer process does before it serves, shared by the relay's and the control plane's
 * launchers: read the configuration, start Vert.x (clustered with Hazelcast when
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
   * @param read reads and validates the configuration on the Vert.x it is given
   */
  public static <T> T readConfig(String program, Function<Vertx, Future<T>> read) {
    Vertx reader = Vertx.vertx();
    try {
      return await(read.apply(reader), 30);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      throw exit(program, cause instanceof ConfigException ? cause.getMessage()
          : "cannot read configuration: " + cause);
    } finally {
      reader.close();
    }
  }

  /**
   * Vert.x for this process: joined to the Hazelcast cluster {@code cluster} describes when enabled
   * (waiting up to two minutes), else standalone; both report Vert.x's metrics to Prometheus.
   */
  public static Vertx startVertx(String program, ClusterOptions cluster) {
    if (!cluster.enabled()) {
      return VertxMetricsSetup.create(new VertxOptions());
    }
    HAZELCAST_LOG.setLevel(Level.WARNING);
    HAZELCAST_CP_LOG.setLevel(Level.SEVERE);
    try {
      return await(HazelcastSetup.start(new VertxOptions(), cluster), 120);
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
