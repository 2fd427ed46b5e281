package io.fluxer.relay.stats;

import io.fluxer.relay.client.HubSnapshot;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Counts and monotonic counters of a node (its event loops' hubs summed) or of a cluster (nodes
 * summed).
 *
 * @param connections connected sessions (after connect)
 * @param users users connected, counted per event loop and summed: a user with connections on two
 *     loops counts twice
 * @param subscriptions channel subscriptions
 * @param channels channels with at least one subscriber; distinct within a node, summed over nodes
 * @param messagesIn protocol commands received
 * @param bytesIn bytes received in WebSocket messages
 * @param messagesOut protocol messages written (replies and pushes)
 * @param bytesOut bytes of those messages
 * @param connects connects accepted since start
 * @param slowDisconnects clients closed with 3008 because they did not read fast enough
 * @param disconnects closes by code since start (0: closed by the client)
 */
public record Totals(int connections, int users, int subscriptions, int channels, long messagesIn, long bytesIn,
                     long messagesOut, long bytesOut, long connects, long slowDisconnects,
                     Map<Integer, Long> disconnects) {
  /** Nothing counted yet. */
  public static final Totals ZERO = new Totals(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, Map.of());

  public Totals {
    disconnects = Map.copyOf(disconnects);
  }

  /** Sums the snapshots of one node's event loops; a channel subscribed on several loops counts once. */
  public static Totals of(List<HubSnapshot> snapshots) {
    Totals sum = ZERO;
    Set<String> channels = new HashSet<>();
    for (HubSnapshot s : snapshots) {
      channels.addAll(s.channels().keySet());
      sum = sum.plus(new Totals(s.connections(), s.users(), s.subscriptions(), 0, s.messagesIn(), s.bytesIn(),
          s.messagesOut(), s.bytesOut(), s.connects(), s.slowDisconnects(), s.disconnects()));
    }
    return sum.withChannels(channels.size());
  }

  /**
   * Sums the counts of one node's event loops ({@link io.fluxer.relay.client.Hub#counts()}, no
   * channel maps) with the node's distinct channels counted elsewhere.
   */
  public static Totals of(List<HubSnapshot> counts, int distinctChannels) {
    Totals sum = ZERO;
    for (HubSnapshot s : counts) {
      sum = sum.plus(new Totals(s.connections(), s.users(), s.subscriptions(), 0, s.messagesIn(), s.bytesIn(),
          s.messagesOut(), s.bytesOut(), s.connects(), s.slowDisconnects(), s.disconnects()));
    }
    return sum.withChannels(distinctChannels);
  }

  /** Field-by-field sum (disconnects merged by code). */
  public Totals plus(Totals o) {
    Map<Integer, Long> codes = new HashMap<>(disconnects);
    o.disconnects.forEach((code, n) -> codes.merge(code, n, Long::sum));
    return new Totals(connections + o.connections, users + o.users, subscriptions + o.subscriptions,
        channels + o.channels, messagesIn + o.messagesIn, bytesIn + o.bytesIn, messagesOut + o.messagesOut,
        bytesOut + o.bytesOut, connects + o.connects, slowDisconnects + o.slowDisconnects, codes);
  }

  /** Every disconnect counted, whatever its code. */
  public long disconnectCount() {
    return disconnects.values().stream().mapToLong(Long::longValue).sum();
  }

  private Totals withChannels(int n) {
    return new Totals(connections, users, subscriptions, n, messagesIn, bytesIn, messagesOut, bytesOut, connects,
        slowDisconnects, disconnects);
  }

  /** Reads what {@link #writeTo} wrote (another node's stats, from the event bus). */
  static Totals fromJson(JsonObject json) {
    Map<Integer, Long> codes = new HashMap<>();
    JsonObject d = json.getJsonObject("disconnects", new JsonObject());
    for (String code : d.fieldNames()) {
      codes.put(Integer.valueOf(code), d.getLong(code));
    }
    return new Totals(json.getInteger("connections", 0), json.getInteger("users", 0),
        json.getInteger("subscriptions", 0), json.getInteger("channels", 0), json.getLong("messages_in", 0L),
        json.getLong("bytes_in", 0L), json.getLong("messages_out", 0L), json.getLong("bytes_out", 0L),
        json.getLong("connects", 0L), json.getLong("slow_client_drops", 0L), codes);
  }

  /** Adds the counts to {@code json} under their snake_case names; returns it. */
  JsonObject writeTo(JsonObject json) {
    JsonObject codes = new JsonObject();
    new TreeMap<>(disconnects).forEach((code, n) -> codes.put(String.valueOf(code), n));
    return json.put("connections", connections)
        .put("users", users)
        .put("subscriptions", subscriptions)
        .put("channels", channels)
        .put("messages_in", messagesIn)
        .put("messages_out", messagesOut)
        .put("bytes_in", bytesIn)
        .put("bytes_out", bytesOut)
        .put("connects", connects)
        .put("disconnects", codes)
        .put("slow_client_drops", slowDisconnects);
  }
}
