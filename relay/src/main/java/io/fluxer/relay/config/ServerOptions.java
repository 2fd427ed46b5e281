package io.fluxer.relay.config;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * Where the relay listens.
 *
 * @param port TCP port; 0 picks a free one
 * @param instances server verticle instances, one per event loop
 * @param nodeName name reported to clients and in stats
 * @param shutdownDrain on shutdown, how long {@code /ready} answers 503 before clients are closed
 * @param statsInterval how often node stats are published to {@code sys:stats}; 0 turns that off
 * @param limits timeouts, the internal port and the per-address connection rate
 */
public record ServerOptions(String host, int port, int instances, String nodeName, Duration shutdownDrain,
                            Duration statsInterval, ServerLimitOptions limits) {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8000;

  public ServerOptions {
    if (host == null || host.isBlank()) {
      throw new ConfigException("server.host", "must not be empty");
    }
  }

  public static ServerOptions defaults() {
    return fromJson(new JsonObject());
  }

  static ServerOptions fromJson(JsonObject json) {
    Set<String> keys = new HashSet<>(Set.of("host", "port", "instances", "node_name", "shutdown_drain",
        "stats_interval"));
    keys.addAll(ServerLimitOptions.KEYS);
    ConfigValues v = new ConfigValues(json, "server", keys);
    int cores = Runtime.getRuntime().availableProcessors();
    return new ServerOptions(
        v.string("host", DEFAULT_HOST),
        v.integer("port", DEFAULT_PORT, 0, 65535),
        v.integer("instances", cores, 1, 1024),
        v.string("node_name", "fluxer-" + Integer.toHexString((int) (Math.random() * 0xFFFFF))),
        v.duration("shutdown_drain", Duration.ofSeconds(1), Duration.ZERO),
        v.duration("stats_interval", Duration.ofSeconds(1), Duration.ZERO),
        ServerLimitOptions.from(v));
  }

  public ServerOptions withPort(int newPort) {
    return new ServerOptions(host, newPort, instances, nodeName, shutdownDrain, statsInterval, limits);
  }

  public ServerOptions withInstances(int n) {
    return new ServerOptions(host, port, n, nodeName, shutdownDrain, statsInterval, limits);
  }
}
