package io.fluxer.relay.client;

import java.util.Map;

/**
 * What one event loop's hub holds and has counted, taken on that loop.
 *
 * @param connections connected sessions (after connect)
 * @param users distinct users among them
 * @param subscriptions channel subscriptions of those sessions
 * @param channels channels with at least one local subscriber, with their subscriber counts
 * @param disconnects closes by code (0: closed by the client)
 * @param publications for each channel of {@code channels}, the publications this loop delivered to
 *     it since it got its first subscriber on this loop (empty when {@code channels} is)
 */
public record HubSnapshot(int connections, int users, int subscriptions, Map<String, Integer> channels,
                          long messagesIn, long bytesIn, long messagesOut, long bytesOut, long connects,
                          long slowDisconnects, Map<Integer, Long> disconnects, Map<String, Long> publications) {
  /** A snapshot without publication counts. */
  public HubSnapshot(int connections, int users, int subscriptions, Map<String, Integer> channels,
                     long messagesIn, long bytesIn, long messagesOut, long bytesOut, long connects,
                     long slowDisconnects, Map<Integer, Long> disconnects) {
    this(connections, users, subscriptions, channels, messagesIn, bytesIn, messagesOut, bytesOut, connects,
        slowDisconnects, disconnects, Map.of());
  }
}
