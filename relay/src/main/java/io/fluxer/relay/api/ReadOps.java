package io.fluxer.relay.api;

import io.fluxer.relay.api.ApiRequests.ChannelOnly;
import io.fluxer.relay.api.ApiRequests.History;
import io.fluxer.relay.client.RelayContext;
import io.fluxer.relay.config.NamespaceOptions;
import io.fluxer.relay.engine.HistoryFilter;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.Publication;
import io.fluxer.relay.protocol.ProtocolError;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * {@code history}, {@code history_remove}, {@code presence} and {@code presence_stats}: a namespace
 * without history or presence answers 108.
 */
final class ReadOps {
  private final RelayContext relay;

  ReadOps(RelayContext relay) {
    this.relay = relay;
  }

  Future<JsonObject> history(History r) {
    NamespaceOptions ns = withHistory(r.channel());
    int limit = r.limit() < 0 || r.limit() > ns.historySize() ? ns.historySize() : r.limit();
    return relay.broker().history(r.channel(), new HistoryFilter(r.since(), limit, r.reverse())).map(h -> {
      JsonArray pubs = new JsonArray();
      for (Publication p : h.publications()) {
        pubs.add(ApiJson.publication(p));
      }
      return new JsonObject().put("publications", pubs)
          .put("offset", h.position().offset())
          .put("epoch", h.position().epoch());
    });
  }

  Future<JsonObject> historyRemove(ChannelOnly r) {
    withHistory(r.channel());
    return relay.broker().removeHistory(r.channel()).map(v -> new JsonObject());
  }

  Future<JsonObject> presence(ChannelOnly r) {
    withPresence(r.channel());
    return relay.presence().presence(r.channel()).map(clients -> {
      JsonObject presence = new JsonObject();
      for (Map.Entry<String, ClientInfo> e : clients.entrySet()) {
        presence.put(e.getKey(), ApiJson.clientInfo(e.getValue()));
      }
      return new JsonObject().put("presence", presence);
    });
  }

  Future<JsonObject> presenceStats(ChannelOnly r) {
    withPresence(r.channel());
    return relay.presence().presenceStats(r.channel()).map(s -> new JsonObject()
        .put("num_clients", s.numClients())
        .put("num_users", s.numUsers()));
  }

  private NamespaceOptions withHistory(String channel) {
    NamespaceOptions ns = ChannelCheck.resolve(relay.namespaces(), channel);
    if (ns.historySize() == 0) {
      throw new ApiError(ProtocolError.NOT_AVAILABLE);
    }
    return ns;
  }

  private void withPresence(String channel) {
    if (!ChannelCheck.resolve(relay.namespaces(), channel).presence()) {
      throw new ApiError(ProtocolError.NOT_AVAILABLE);
    }
  }
}
