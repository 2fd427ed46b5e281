package io.fluxer.control.stack;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Objects;

/**
 * One service of a stack, as the Engine API's ServiceSpec JSON (API 1.41), ready to be sent raw to
 * {@code POST /services/create} or {@code /services/{id}/update}.
 *
 * <p>Secret and config references carry {@code SecretName}/{@code ConfigName} only; the engine
 * needs their IDs: use {@link #specWithIds} once the objects exist. Network attachments carry the
 * network's name as {@code Target} (the engine resolves names). {@code Labels} already holds
 * {@link SpecHash#LABEL} with {@link #specHash()}.
 *
 * @param key the service's short name in the stack file ({@code web})
 * @param name the swarm service name ({@code <stack>_web})
 * @param spec the ServiceSpec; the accessor returns a copy
 * @param specHash {@link SpecHash#of} the spec
 */
public record ServicePlan(String key, String name, JsonObject spec, String specHash) {
  public ServicePlan {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(specHash, "specHash");
    spec = spec.copy();
  }

  @Override
  public JsonObject spec() {
    return spec.copy();
  }

  /** The image as written in the stack file. */
  public String image() {
    return spec.getJsonObject("TaskTemplate").getJsonObject("ContainerSpec").getString("Image");
  }

  /**
   * A copy of the spec with {@code SecretID} and {@code ConfigID} filled in from the deployer's
   * look-ups (swarm name → ID).
   *
   * @throws IllegalArgumentException naming a referenced secret or config missing from the maps
   */
  public JsonObject specWithIds(Map<String, String> secretIds, Map<String, String> configIds) {
    JsonObject copy = spec.copy();
    JsonObject container = copy.getJsonObject("TaskTemplate").getJsonObject("ContainerSpec");
    fill(container.getJsonArray("Secrets"), "SecretName", "SecretID", secretIds, "secret");
    fill(container.getJsonArray("Configs"), "ConfigName", "ConfigID", configIds, "config");
    return copy;
  }

  private void fill(JsonArray refs, String nameField, String idField, Map<String, String> ids, String what) {
    if (refs == null) {
      return;
    }
    for (int i = 0; i < refs.size(); i++) {
      JsonObject ref = refs.getJsonObject(i);
      String id = ids.get(ref.getString(nameField));
      if (id == null) {
        throw new IllegalArgumentException("service " + name + ": no ID for " + what + " " + ref.getString(nameField));
      }
      ref.put(idField, id);
    }
  }

  public JsonObject toJson() {
    return new JsonObject().put("key", key).put("name", name).put("specHash", specHash).put("spec", spec.copy());
  }
}
