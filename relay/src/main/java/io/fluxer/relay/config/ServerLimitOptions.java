package io.fluxer.relay.config;

import io.fluxer.common.config.ConfigValues;
import java.time.Duration;
import java.util.Set;

/**
 * Connection-level limits of the HTTP/WebSocket server, read from the {@code server} section.
 *
 * @param idleTimeout a connection with nothing read or written this long is closed; 0 never
 * @param headerTimeout a new connection must have sent a whole request head (request line and
 *     headers) this long after it opened, or it is closed; 0 never
 * @param internalPort when not 0, {@code /metrics} is served on this port only, together with
 *     {@code /health} and {@code /ready} (which stay on the public port too); 0: all on one port
 * @param connectionRate new WebSocket connections per second one client address may open on
 *     average; over it the upgrade is answered 503; 0 turns the limit off
 * @param connectionBurst WebSocket connections one address may open at once before the rate applies
 */
public record ServerLimitOptions(Duration idleTimeout, Duration headerTimeout, int internalPort,
                                 int connectionRate, int connectionBurst) {
  static final Set<String> KEYS = Set.of("idle_timeout", "header_timeout", "internal_port",
      "connection_rate", "connection_burst");

  static ServerLimitOptions from(ConfigValues v) {
    return new ServerLimitOptions(
        v.duration("idle_timeout", Duration.ofSeconds(60), Duration.ZERO),
        v.duration("header_timeout", Duration.ofSeconds(10), Duration.ZERO),
        v.integer("internal_port", 0, 0, 65535),
        v.integer("connection_rate", 50, 0, 1_000_000),
        v.integer("connection_burst", 200, 1, 10_000_000));
  }
}
