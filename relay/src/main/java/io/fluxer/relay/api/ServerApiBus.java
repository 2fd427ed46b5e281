package io.fluxer.relay.api;

import io.fluxer.common.Addresses;
import io.fluxer.relay.protocol.ProtocolError;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

/**
 * Serves the {@link ServerApi} on the event bus address {@link Addresses#API}, for cluster members
 * such as control-api that publish through the relay. The bus is inside the cluster, so calls run
 * with full rights; the answer is the same JSON the HTTP API returns.
 */
public final class ServerApiBus {
  private ServerApiBus() {}

  public static MessageConsumer<Object> register(EventBus bus, ServerApi api) {
    return bus.consumer(Addresses.API, message -> handle(api, message));
  }

  /**
   * Serves the node-targeted commands of node {@code nodeId} ({@link Addresses#command}): the
   * node-local part of a server API method called on another node.
   */
  public static MessageConsumer<Object> registerCommands(EventBus bus, String nodeId, ServerApi api) {
    return bus.consumer(Addresses.command(nodeId), message -> {
      if (!(message.body() instanceof JsonObject body) || !(body.getValue("method") instanceof String method)
          || (body.getValue("params") != null && !(body.getValue("params") instanceof JsonObject))) {
        message.reply(error("bad request: body must be {\"method\": string, \"params\": object}"));
        return;
      }
      api.local(method, body.getJsonObject("params")).onComplete(ar -> message.reply(
          ar.succeeded() ? ar.result() : error(ProtocolError.INTERNAL.message())));
    });
  }

  private static void handle(ServerApi api, Message<Object> message) {
    if (!(message.body() instanceof JsonObject body) || !(body.getValue("method") instanceof String method)) {
      message.reply(error("bad request: body must be {\"method\": string, \"params\": object}"));
      return;
    }
    Object params = body.getValue("params");
    if (params != null && !(params instanceof JsonObject)) {
      message.reply(error("bad request: params must be an object"));
      return;
    }
    api.call(method, params == null ? new JsonObject() : (JsonObject) params).onComplete(ar -> message.reply(
        ar.succeeded() ? ar.result() : error(ProtocolError.INTERNAL.message())));
  }

  private static JsonObject error(String message) {
    return new JsonObject().put("error", new JsonObject().put("code", ProtocolError.BAD_REQUEST.code()).put("message", message));
  }
}
