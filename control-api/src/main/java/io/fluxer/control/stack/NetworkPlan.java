package io.fluxer.control.stack;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * A network the stack's services attach to.
 *
 * @param key the network's name in the stack file ({@code default}, {@code backend})
 * @param name the swarm network name ({@code <stack>_backend}, or the {@code name:} given)
 * @param external whether the network must already exist (it is then neither created nor removed)
 * @param spec the Engine API's NetworkCreate JSON ({@code POST /networks/create}); null when external.
 *     The accessor returns a copy.
 */
public record NetworkPlan(String key, String name, boolean external, JsonObject spec) {
  public NetworkPlan {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(name, "name");
    if (external != (spec == null)) {
      throw new IllegalArgumentException("an external network has no spec, any other has one");
    }
    spec = spec == null ? null : spec.copy();
  }

  @Override
  public JsonObject spec() {
    return spec == null ? null : spec.copy();
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("key", key).put("name", name).put("external", external);
    if (spec != null) {
      json.put("spec", spec.copy());
    }
    return json;
  }
}
