package io.fluxer.control.stack;

import io.vertx.core.json.JsonObject;
import java.util.Objects;

/**
 * A secret or a config the stack's services use. Both are immutable in swarm, so a stack-owned one
 * is named after its content: {@code <stack>_<key>_<first 10 hex of SHA-256 of the data>} (or
 * {@code <name>_<hash>} when the file gives {@code name:}). A changed value gets a new name; the
 * services that use it are updated to the new name; the old version can be removed afterwards.
 *
 * @param kind secret or config
 * @param key the name in the stack file's {@code secrets:}/{@code configs:}
 * @param name the swarm object's name
 * @param external whether it must already exist (referenced by name, never created)
 * @param spec the Engine API's SecretSpec/ConfigSpec JSON ({@code {Name, Labels, Data}} with Data in
 *     base64) for {@code POST /secrets/create} or {@code /configs/create}; null when external. The
 *     accessor returns a copy.
 */
public record SwarmObjectPlan(Kind kind, String key, String name, boolean external, JsonObject spec) {
  public enum Kind {
    SECRET, CONFIG;

    String word() {
      return this == SECRET ? "secret" : "config";
    }
  }

  public SwarmObjectPlan {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(name, "name");
    if (external != (spec == null)) {
      throw new IllegalArgumentException("an external " + kind.word() + " has no spec, any other has one");
    }
    spec = spec == null ? null : spec.copy();
  }

  @Override
  public JsonObject spec() {
    return spec == null ? null : spec.copy();
  }

  /**
   * The name {@code docker stack deploy} gives the same object: {@link #name} without its
   * {@code _<hash>} version ({@code <stack>_<key>}, or the {@code name:} given); an external one's
   * name as it is.
   */
  public String unversionedName() {
    return external ? name : name.substring(0, name.lastIndexOf('_'));
  }

  /** Metadata only: never the data, so the result can be logged or returned to a client. */
  public JsonObject toJson() {
    return new JsonObject().put("key", key).put("name", name).put("external", external);
  }
}
