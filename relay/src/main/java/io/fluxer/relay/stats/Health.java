package io.fluxer.relay.stats;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A node's health at a stats sample: the publish-to-write latency of its last interval (from the
 * broker handing a publication over to an event loop queueing it to subscribers) and its engines'
 * last probes.
 */
public record Health(Latency publishToWrite, List<EngineHealth> engines) {
  public static final Health NONE = new Health(Latency.NONE, List.of());

  public Health {
    engines = List.copyOf(engines);
  }

  public void writeTo(JsonObject json) {
    JsonArray list = new JsonArray();
    engines.forEach(e -> list.add(e.toJson()));
    json.put("publish_to_write", publishToWrite.toJson()).put("engines", list);
  }

  public static Health fromJson(JsonObject json) {
    List<EngineHealth> engines = new ArrayList<>();
    JsonArray list = json.getJsonArray("engines", new JsonArray());
    for (int i = 0; i < list.size(); i++) {
      if (list.getValue(i) instanceof JsonObject e) {
        engines.add(EngineHealth.fromJson(e));
      }
    }
    return new Health(Latency.fromJson(json.getJsonObject("publish_to_write")), engines);
  }
}
