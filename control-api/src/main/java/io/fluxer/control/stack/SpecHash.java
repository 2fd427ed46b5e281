package io.fluxer.control.stack;

import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.TreeSet;

/**
 * A stable hash of a desired service spec, so that redeploying an unchanged stack changes nothing.
 *
 * <p>The rule: lowercase hex SHA-256 of the UTF-8 bytes of the spec's canonical JSON, where
 * <ul>
 *   <li>object members are sorted by name (code point order) at every level, written without
 *       whitespace; array order is kept (the plan already sorts what order does not matter for:
 *       Env, ports, secrets, configs, networks);</li>
 *   <li>members whose value is null are left out (absent and null mean the same to the engine);</li>
 *   <li>the top-level label {@value #LABEL} is left out (it carries the hash itself), and so are
 *       {@code SecretID} and {@code ConfigID} anywhere (the deployer fills them in after the plan
 *       is made; the versioned names they resolve already change with the content);</li>
 *   <li>scalars are written as Vert.x {@link Json#encode} writes them (numbers as integers when they
 *       are integral longs, strings JSON-escaped).</li>
 * </ul>
 * The hash covers only what the stack file asks for, never the engine's defaults: compare it with
 * the {@value #LABEL} label of the running service's spec, not with a hash of the inspected spec.
 * A change made outside Fluxer ({@code docker service update}) that keeps the label is not seen.
 */
public final class SpecHash {
  /** The service label that carries the hash of the spec Fluxer last deployed. */
  public static final String LABEL = "io.fluxer.spec-hash";

  private static final Set<String> IGNORED_ANYWHERE = Set.of("SecretID", "ConfigID");

  private SpecHash() {
  }

  /** The hash of a ServiceSpec in the Engine API's JSON shape. */
  public static String of(JsonObject serviceSpec) {
    StringBuilder out = new StringBuilder(1024);
    writeObject(serviceSpec, out, true);
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(out.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The canonical JSON text the hash is taken of (for tests and debugging). */
  static String canonical(JsonObject serviceSpec) {
    StringBuilder out = new StringBuilder(1024);
    writeObject(serviceSpec, out, true);
    return out.toString();
  }

  private static void writeObject(JsonObject object, StringBuilder out, boolean top) {
    out.append('{');
    boolean first = true;
    for (String name : new TreeSet<>(object.fieldNames())) {
      Object value = object.getValue(name);
      if (value == null || IGNORED_ANYWHERE.contains(name)) {
        continue;
      }
      if (top && name.equals("Labels") && value instanceof JsonObject labels && labels.containsKey(LABEL)) {
        value = labels.copy();
        ((JsonObject) value).remove(LABEL);
      }
      if (!first) {
        out.append(',');
      }
      first = false;
      out.append(Json.encode(name)).append(':');
      writeValue(value, out);
    }
    out.append('}');
  }

  private static void writeValue(Object value, StringBuilder out) {
    if (value instanceof JsonObject object) {
      writeObject(object, out, false);
    } else if (value instanceof JsonArray array) {
      out.append('[');
      for (int i = 0; i < array.size(); i++) {
        if (i > 0) {
          out.append(',');
        }
        Object item = array.getValue(i);
        if (item == null) {
          out.append("null");
        } else {
          writeValue(item, out);
        }
      }
      out.append(']');
    } else {
      out.append(Json.encode(value));
    }
  }
}
