package io.fluxer.relay.config;

import io.fluxer.common.config.ConfigException;
import io.fluxer.common.config.ConfigValues;
import io.fluxer.common.config.Subnet;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
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
 * @param trustedProxies networks of the reverse proxies whose {@code X-Forwarded-For} names the client
 *     (the dashboard login's throttle, the connection rate); empty: the header is ignored and the TCP peer is the client
 */
public record ServerOptions(String host, int port, int instances, String nodeName, Duration shutdownDrain,
                            Duration statsInterval, ServerLimitOptions limits, List<Subnet> trustedProxies) {
  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8000;

  public ServerOptions {
    if (host == null || host.isBlank()) {
      throw new ConfigException("server.host", "must not be empty");
    }
    trustedProxies = List.copyOf(trustedProxies);
  }

  public static ServerOptions defaults() {
    return fromJson(new JsonObject());
  }

  static ServerOptions fromJson(JsonObject json) {
    Set<String> keys = new HashSet<>(Set.of("host", "port", "instances", "node_name", "shutdown_drain",
        "stats_interval", "trusted_proxies"));
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
        ServerLimitOptions.from(v),
        subnets("server.trusted_proxies", v.strings("trusted_proxies", List.of())));
  }

  private static List<Subnet> subnets(String key, List<String> cidrs) {
    try {
      return cidrs.stream().map(c -> Subnet.parse(c.strip())).toList();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key, e.getMessage() + " (a list of networks in CIDR notation, e.g. 10.0.0.0/8)");
    }
  }

  public ServerOptions withPort(int newPort) {
    return new ServerOptions(host, newPort, instances, nodeName, shutdownDrain, statsInterval, limits, trustedProxies);
  }

  public ServerOptions withInstances(int n) {
    return new ServerOptions(host, port, n, nodeName, shutdownDrain, statsInterval, limits, trustedProxies);
  }
}
