package io.fluxer.relay.engine.redis;

import io.fluxer.relay.protocol.ClientInfo;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;

/**
 * How client info and tags are stored: small JSON objects. The raw JSON of {@code conn_info} and
 * {@code chan_info} is kept as a JSON string, so it comes back byte for byte.
 */
final class RedisCodec {
  private RedisCodec() {}

  /** {@code {"u":user,"c":client,"ci":conn_info,"hi":chan_info}}; absent infos are left out. */
  static String encodeInfo(ClientInfo info) {
    JsonObject json = new JsonObject().put("u", info.user()).put("c", info.client());
    if (info.connInfo() != null) {
      json.put("ci", info.connInfo());
    }
    if (info.chanInfo() != null) {
      json.put("hi", info.chanInfo());
    }
    return json.encode();
  }

  static ClientInfo decodeInfo(String text) {
    JsonObject json = new JsonObject(text);
    return new ClientInfo(json.getString("u"), json.getString("c"), json.getString("ci"), json.getString("hi"));
  }

  static String encodeTags(Map<String, String> tags) {
    JsonObject json = new JsonObject();
    tags.forEach(json::put);
    return json.encode();
  }

  static Map<String, String> decodeTags(String text) {
    Map<String, String> tags = new HashMap<>();
    new JsonObject(text).forEach(e -> tags.put(e.getKey(), String.valueOf(e.getValue())));
    return tags;
  }
}
