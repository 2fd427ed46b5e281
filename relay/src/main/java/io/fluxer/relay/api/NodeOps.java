package io.fluxer.relay.api;

import io.fluxer.relay.api.ApiRequests.Channels;
import io.fluxer.relay.channel.Glob;
import io.fluxer.relay.client.ClientSession;
import io.fluxer.relay.client.EventLoops;
import io.fluxer.relay.client.Hub;
import io.fluxer.relay.client.HubSnapshot;
import io.fluxer.relay.client.NodeInfo;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** {@code channels} and {@code info}: what this node's event loops hold, summed over the loops. */
final class NodeOps {
  private final EventLoops loops;
  private final Supplier<NodeInfo> self;

  NodeOps(EventLoops loops, Supplier<NodeInfo> self) {
    this.loops = loops;
    this.self = self;
  }

  /** Channels with local subscribers whose name matches the pattern, with their subscriber counts. */
  Future<JsonObject> channels(Channels r) {
    Glob glob = Glob.compile(r.pattern());
    return loops.snapshots().map(snapshots -> {
      Map<String, Integer> counts = new TreeMap<>();
      for (HubSnapshot loop : snapshots) {
        loop.channels().forEach((channel, n) -> {
          if (glob.matches(channel)) {
            counts.merge(channel, n, Integer::sum);
          }
        });
      }
      JsonObject channels = new JsonObject();
      counts.forEach((channel, n) -> channels.put(channel, new JsonObject().put("num_clients", n)));
      return new JsonObject().put("channels", channels);
    });
  }

  /** Channels of several nodes' {@link #channels} results, with their subscriber counts summed. */
  static JsonObject mergeChannels(List<JsonObject> results) {
    Map<String, Integer> counts = new TreeMap<>();
    for (JsonObject r : results) {
      JsonObject channels = r.getJsonObject("channels", new JsonObject());
      for (String channel : channels.fieldNames()) {
        counts.merge(channel, channels.getJsonObject(channel).getInteger("num_clients", 0), Integer::sum);
      }
    }
    JsonObject channels = new JsonObject();
    counts.forEach((channel, n) -> channels.put(channel, new JsonObject().put("num_clients", n)));
    return new JsonObject().put("channels", channels);
  }

  /** The {@code nodes} of several nodes' {@link #info} results in one list, by name. */
  static JsonObject mergeInfo(List<JsonObject> results) {
    List<JsonObject> nodes = new ArrayList<>();
    for (JsonObject r : results) {
      r.getJsonArray("nodes", new JsonArray()).forEach(n -> nodes.add((JsonObject) n));
    }
    nodes.sort(Comparator.comparing((JsonObject n) -> n.getString("name", "")).thenComparing(n -> n.getString("uid", "")));
    return new JsonObject().put("nodes", new JsonArray(new ArrayList<>(nodes)));
  }

  /** This node's numbers: its one entry in {@code nodes} ({@link #mergeInfo} joins the cluster's). */
  Future<JsonObject> info() {
    return loops.inspect(LoopView::of).map(views -> {
      int clients = 0;
      int subs = 0;
      Set<String> users = new HashSet<>();
      Set<String> channels = new HashSet<>();
      for (LoopView loop : views) {
        clients += loop.snapshot().connections();
        subs += loop.snapshot().subscriptions();
        users.addAll(loop.users());
        channels.addAll(loop.snapshot().channels().keySet());
      }
      NodeInfo node = self.get();
      long uptime = Math.max(0, (System.currentTimeMillis() - node.startedAtMillis()) / 1000);
      JsonObject entry = new JsonObject()
          .put("uid", node.id())
          .put("name", node.name())
          .put("version", node.version())
          .put("num_clients", clients)
          .put("num_users", users.size())
          .put("num_channels", channels.size())
          .put("num_subs", subs)
          .put("uptime", uptime);
      return new JsonObject().put("nodes", new JsonArray().add(entry));
    });
  }

  /** One event loop's snapshot plus its connected users, taken on that loop. */
  private record LoopView(HubSnapshot snapshot, Set<String> users) {
    static LoopView of(Hub hub) {
      List<ClientSession> sessions = hub.sessions();
      Set<String> users = sessions.stream().filter(ClientSession::connected).map(ClientSession::user)
          .collect(Collectors.toSet());
      return new LoopView(hub.snapshot(), users);
    }
  }
}
