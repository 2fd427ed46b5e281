package io.fluxer.relay.config;

import io.fluxer.common.config.ConfigException;
import io.fluxer.common.config.ConfigValues;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * Per-user and per-connection limits of the client protocol ({@code client.limits.*}). A value of 0
 * turns a limit off where the key's documentation says so.
 *
 * @param userConnectionLimit connections one user id may hold on this node; anonymous connections
 *     are not counted; 0 turns the limit off
 * @param maxCommandsPerFrame commands one {@code \n}-batched WebSocket message may carry
 * @param maxQueuedCommands commands a client may send while its connect is in flight
 * @param commandRate commands per second, per command kind, one connection may send on average
 *     (kinds: subscribe, publish, rpc, history/presence, other); 0 turns rate limiting off
 * @param commandBurst commands of one kind a connection may send at once before the rate applies
 * @param disconnectOnRateLimit over the rate: disconnect 3013 when true, else reply error 111
 */
public record LimitOptions(int userConnectionLimit, int maxCommandsPerFrame, int maxQueuedCommands,
                           int commandRate, int commandBurst, boolean disconnectOnRateLimit) {

  public static LimitOptions defaults() {
    return fromJson(new JsonObject());
  }

  static LimitOptions fromJson(JsonObject json) {
    ConfigValues v = new ConfigValues(json, "client.limits", Set.of("user_connection_limit",
        "max_commands_per_frame", "max_queued_commands", "command_rate", "command_burst",
        "command_rate_limit_action"));
    String action = v.string("command_rate_limit_action", "error");
    if (!action.equals("error") && !action.equals("disconnect")) {
      throw new ConfigException("client.limits.command_rate_limit_action",
          "must be error or disconnect, got '" + action + "'");
    }
    return new LimitOptions(
        v.integer("user_connection_limit", 100, 0, 1_000_000),
        v.integer("max_commands_per_frame", 256, 1, 1_000_000),
        v.integer("max_queued_commands", 256, 1, 1_000_000),
        v.integer("command_rate", 100, 0, 1_000_000),
        v.integer("command_burst", 500, 1, 1_000_000),
        action.equals("disconnect"));
  }
}
