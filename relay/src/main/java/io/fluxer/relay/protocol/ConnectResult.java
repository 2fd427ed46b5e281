package io.fluxer.relay.protocol;

import java.util.Map;

/**
 * The reply to connect.
 *
 * @param ttl seconds until the connection token expires, when {@code expires}
 * @param data raw JSON or {@code null}
 * @param subs server-side subscriptions by channel
 * @param ping seconds between server pings, 0 for none
 */
public record ConnectResult(String client, String version, boolean expires, long ttl, String data,
                            Map<String, SubscribeResult> subs, int ping, boolean pong, String session,
                            String node) {
  public ConnectResult {
    subs = subs == null ? Map.of() : Map.copyOf(subs);
  }
}
