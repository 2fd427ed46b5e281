package io.fluxer.relay.config;

import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * Where the relay listens.
 *
 * @param port TCP port; 0 picks a free one
 * @param instances server verticle instances, one per event loop
 * @param nodeName name reported to clients and in stats
 */
public record ServerOptions(String host, int port, int instances, String nodeName) {
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
    ConfigValues v = new ConfigValues(json, "server", Set.of("host", "port", "instances", "node_name"));
    int cores = Runtime.getRuntime().availableProcessors();
    return new ServerOptions(
        v.string("host", DEFAULT_HOST),
        v.integer("port", DEFAULT_PORT, 0, 65535),
        v.integer("instances", cores, 1, 1024),
        v.string("node_name", "fluxer-" + Integer.toHexString((int) (Math.random() * 0xFFFFF))));
  }

  public ServerOptions withPort(int newPort) {
    return new ServerOptions(host, newPort, instances, nodeName);
  }

  public ServerOptions withInstances(int n) {
    return new ServerOptions(host, port, n, nodeName);
  }
}
