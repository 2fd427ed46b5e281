package io.fluxer.relay.api;

import io.fluxer.relay.api.ApiRequests.Broadcast;
import io.fluxer.relay.api.ApiRequests.Publish;
import io.fluxer.relay.api.ApiRequests.PublishSpec;
import io.fluxer.relay.client.RelayContext;
import io.fluxer.relay.config.NamespaceOptions;
import io.fluxer.relay.engine.PublishOptions;
import io.fluxer.relay.protocol.StreamPosition;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code publish} and {@code broadcast}: the server publishes as itself (no publisher info), with
 * the history size and TTL of the channel's namespace, whatever the namespace allows clients.
 */
final class PublishOps {
  private final RelayContext relay;

  PublishOps(RelayContext relay) {
    this.relay = relay;
  }

  Future<JsonObject> publish(Publish r) {
    return publishOne(r.channel(), r.spec()).map(ApiJson::position);
  }

  /** One reply per channel, in order; a channel's failure does not stop the others. */
  Future<JsonObject> broadcast(Broadcast r) {
    List<Future<JsonObject>> replies = new ArrayList<>(r.channels().size());
    for (String channel : r.channels()) {
      replies.add(ServerApi.guard(() -> publishOne(channel, r.spec()))
          .map(pos -> new JsonObject().put("result", ApiJson.position(pos)))
          .otherwise(ServerApi::errorReply));
    }
    return Future.join(replies).map(all -> {
      JsonArray responses = new JsonArray();
      replies.forEach(f -> responses.add(f.result()));
      return new JsonObject().put("responses", responses);
    });
  }

  private Future<StreamPosition> publishOne(String channel, PublishSpec spec) {
    NamespaceOptions ns = ChannelCheck.resolve(relay.namespaces(), channel);
    boolean history = ns.historySize() > 0 && !spec.skipHistory();
    PublishOptions base = history ? PublishOptions.withHistory(ns.historySize(), ns.historyTtl())
        : PublishOptions.noHistory();
    PublishOptions options = new PublishOptions(null, spec.tags(), base.historySize(), base.historyTtl(),
        base.historyMetaTtl(), spec.idempotencyKey(), spec.delta() || ns.deltaPublish());
    return relay.broker().publish(channel, spec.data(), options);
  }
}
