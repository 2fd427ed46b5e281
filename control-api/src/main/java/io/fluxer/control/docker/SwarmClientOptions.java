package io.fluxer.control.docker;

import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import java.time.Duration;
import java.util.Objects;

/**
 * How {@link SwarmClient} reaches the engine.
 *
 * @param dockerHost       the engine's URI ({@code unix:///var/run/docker.sock}, {@code tcp://host:2375})
 * @param workerPoolSize   threads of the {@value SwarmClient#WORKER_NAME} worker pool the blocking calls run on
 * @param connectTimeout   to connect to the engine
 * @param responseTimeout  for request/response calls; the typed client of {@link SwarmClient#call} has
 *                         none, so that it can follow log and event streams
 * @param updateAttempts   how many times an update is sent when the engine answers "update out of sequence"
 */
public record SwarmClientOptions(String dockerHost, int workerPoolSize, Duration connectTimeout,
                                 Duration responseTimeout, int updateAttempts) {

  public static final String DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";
  public static final int DEFAULT_WORKER_POOL_SIZE = 4;
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_RESPONSE_TIMEOUT = Duration.ofSeconds(60);
  public static final int DEFAULT_UPDATE_ATTEMPTS = 5;

  public SwarmClientOptions {
    Objects.requireNonNull(dockerHost, "dockerHost");
    if (!dockerHost.matches("(unix|tcp|npipe)://.+")) {
      throw new IllegalArgumentException("dockerHost must be unix://, tcp:// or npipe://: " + dockerHost);
    }
    if (workerPoolSize < 1) {
      throw new IllegalArgumentException("workerPoolSize must be at least 1: " + workerPoolSize);
    }
    requirePositive(connectTimeout, "connectTimeout");
    requirePositive(responseTimeout, "responseTimeout");
    if (updateAttempts < 1) {
      throw new IllegalArgumentException("updateAttempts must be at least 1: " + updateAttempts);
    }
  }

  public static SwarmClientOptions defaults() {
    return new SwarmClientOptions(DEFAULT_DOCKER_HOST, DEFAULT_WORKER_POOL_SIZE, DEFAULT_CONNECT_TIMEOUT,
        DEFAULT_RESPONSE_TIMEOUT, DEFAULT_UPDATE_ATTEMPTS);
  }

  public SwarmClientOptions withDockerHost(String host) {
    return new SwarmClientOptions(host, workerPoolSize, connectTimeout, responseTimeout, updateAttempts);
  }

  public SwarmClientOptions withUpdateAttempts(int attempts) {
    return new SwarmClientOptions(dockerHost, workerPoolSize, connectTimeout, responseTimeout, attempts);
  }

  /** The engine's client configuration for {@link #dockerHost} (TLS from the usual DOCKER_* settings). */
  public DefaultDockerClientConfig clientConfig() {
    return DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(dockerHost).build();
  }

  /**
   * An HTTP client to the engine keeping up to {@code maxConnections} open; {@code responseTimeout}
   * null for none (log and event streams stay open as long as they follow).
   */
  public DockerHttpClient httpClient(int maxConnections, Duration responseTimeout) {
    DefaultDockerClientConfig config = clientConfig();
    ApacheDockerHttpClient.Builder builder = new ApacheDockerHttpClient.Builder()
        .dockerHost(config.getDockerHost())
        .sslConfig(config.getSSLConfig())
        .maxConnections(maxConnections)
        .connectionTimeout(connectTimeout);
    return (responseTimeout == null ? builder : builder.responseTimeout(responseTimeout)).build();
  }

  private static void requirePositive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive: " + d);
    }
  }
}
