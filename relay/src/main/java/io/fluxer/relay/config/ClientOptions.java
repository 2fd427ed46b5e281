package io.fluxer.relay.config;

import io.fluxer.common.config.ConfigException;
import io.fluxer.common.config.ConfigValues;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Limits and timings of client connections.
 *
 * @param allowedOrigins origins allowed to open a WebSocket ({@code *} for any, {@code *.example.com}
 *     patterns); an empty list allows only requests without an {@code Origin} header (non-browser)
 * @param pingInterval how often the server pings; advertised in the connect reply
 * @param pongTimeout how long after a ping the client may stay silent before close 3012
 * @param staleDelay how long a connection may stay without a connect command before close 3502
 * @param expiredCloseDelay grace after a token expires before close 3005 (or unsubscribe 2501)
 * @param maxMessageSize largest inbound WebSocket message in bytes
 * @param writeQueueMaxSize bytes queued for one client before it is closed as slow (3008)
 * @param maxBatchSize largest outbound frame built by coalescing messages, in bytes
 * @param channelLimit subscriptions one connection may hold
 * @param recoveryMaxPublications most publications returned by one recovery
 * @param writeDelay how long the server may hold a connection's first queued message to send more
 *     with it in one frame; 0 sends at the end of the event-loop turn
 * @param limits per-user and per-connection limits ({@code client.limits})
 */
public record ClientOptions(List<String> allowedOrigins, Duration pingInterval, Duration pongTimeout,
                            Duration staleDelay, Duration expiredCloseDelay, boolean allowAnonymous,
                            int maxMessageSize, int writeQueueMaxSize, int maxBatchSize, int channelLimit,
                            int recoveryMaxPublications, Duration writeDelay, LimitOptions limits) {

  public ClientOptions {
    allowedOrigins = List.copyOf(allowedOrigins);
    if (pongTimeout.compareTo(pingInterval) >= 0) {
      throw new ConfigException("client.pong_timeout", "must be shorter than client.ping_interval");
    }
  }

  public static ClientOptions defaults() {
    return fromJson(new JsonObject());
  }

  static ClientOptions fromJson(JsonObject json) {
    ConfigValues v = new ConfigValues(json, "client", Set.of("allowed_origins", "ping_interval",
        "pong_timeout", "stale_delay", "expired_close_delay", "allow_anonymous", "max_message_size",
        "write_queue_max_size", "max_batch_size", "channel_limit", "recovery_max_publications", "write_delay", "limits"));
    Duration ms = Duration.ofMillis(10);
    return new ClientOptions(
        v.strings("allowed_origins", List.of()),
        v.duration("ping_interval", Duration.ofSeconds(25), ms),
        v.duration("pong_timeout", Duration.ofSeconds(8), ms),
        v.duration("stale_delay", Duration.ofSeconds(10), ms),
        v.duration("expired_close_delay", Duration.ofSeconds(25), Duration.ZERO),
        v.bool("allow_anonymous", false),
        v.integer("max_message_size", 65536, 256, 64 << 20),
        v.integer("write_queue_max_size", 1 << 20, 1024, 1 << 30),
        v.integer("max_batch_size", 65536, 1024, 16 << 20),
        v.integer("channel_limit", 128, 1, 1_000_000),
        v.integer("recovery_max_publications", 300, 1, 1_000_000),
        v.duration("write_delay", Duration.ZERO, Duration.ZERO),
        LimitOptions.fromJson(v.object("limits")));
  }
}
