package io.fluxer.relay.api;

import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.Publication;
import io.fluxer.relay.protocol.StreamPosition;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/** Results as JSON, with the server API's field names; empty, zero and false fields are left out. */
final class ApiJson {
  private ApiJson() {}

  /** {@code {offset, epoch}}, each only when set (a publish without history has neither). */
  static JsonObject position(StreamPosition p) {
    JsonObject json = new JsonObject();
    if (p.offset() > 0) {
      json.put("offset", p.offset());
    }
    if (!p.epoch().isEmpty()) {
      json.put("epoch", p.epoch());
    }
    return json;
  }

  static JsonObject publication(Publication p) {
    JsonObject json = new JsonObject().put("data", raw(p.data()));
    if (p.offset() > 0) {
      json.put("offset", p.offset());
    }
    if (p.info() != null) {
      json.put("info", clientInfo(p.info()));
    }
    if (!p.tags().isEmpty()) {
      JsonObject tags = new JsonObject();
      for (Map.Entry<String, String> e : p.tags().entrySet()) {
        tags.put(e.getKey(), e.getValue());
      }
      json.put("tags", tags);
    }
    return json;
  }

  static JsonObject clientInfo(ClientInfo info) {
    JsonObject json = new JsonObject().put("user", info.user()).put("client", info.client());
    if (info.connInfo() != null) {
      json.put("conn_info", raw(info.connInfo()));
    }
    if (info.chanInfo() != null) {
      json.put("chan_info", raw(info.chanInfo()));
    }
    return json;
  }

  /** Raw JSON text as a value to embed. */
  private static Object raw(String json) {
    return Json.decodeValue(json);
  }
}
