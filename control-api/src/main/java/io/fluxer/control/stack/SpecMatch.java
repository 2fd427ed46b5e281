package io.fluxer.control.stack;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Whether a service running on the swarm is what a stack file plans for it: the test for adopting a
 * stack that {@code docker stack deploy} made. Pure: the swarm's look-ups come in as maps.
 *
 * <p>Every value the plan sets must be in the running spec ({@code Spec} of {@code GET /services/{id}})
 * and equal; what the plan leaves out is not compared (the engine fills in defaults, the CLI adds
 * labels). A plan value that is empty, zero or false matches an absent one (the engine leaves empty
 * fields out). Object keys match regardless of case, as the engine reads them
 * ({@code HealthCheck} is stored as {@code Healthcheck}). Numbers match by value (durations are
 * nanoseconds on both sides). Lists whose order means nothing ({@link #SETS}) match element by element
 * whatever the order, and must have the same elements; other lists must match in order.
 *
 * <p>What differs between a CLI deploy and Fluxer's plan without meaning anything is normalised on the
 * running side first:
 * <ul>
 *   <li>network attachments name the network's ID: it is replaced by the network's name;</li>
 *   <li>a secret or config the CLI made is named {@code <stack>_<key>} (or {@code name:}), Fluxer's
 *       version {@code <stack>_<key>_<hash>}: the unversioned name stands for the planned object. A
 *       config's data (the engine gives it back) must equal the planned content; a secret's cannot be
 *       read back, so it is taken by its name, with a note. {@code SecretID}/{@code ConfigID} are
 *       not compared;</li>
 *   <li>an image the CLI pinned to the digest it resolved ({@code name:tag@sha256:…}) matches the
 *       planned {@code name:tag};</li>
 *   <li>the plan's own {@value SpecHash#LABEL} label is not expected on the running service.</li>
 * </ul>
 * Differences are key paths, never values (an environment variable or a label may hold a secret):
 * {@code TaskTemplate.ContainerSpec.Env[GREETING]}, list elements named by their identity.
 */
public final class SpecMatch {

  /** How a running service compares with its plan. */
  public record Result(List<String> differences, List<String> notes) {
    public Result {
      differences = List.copyOf(differences);
      notes = List.copyOf(notes);
    }

    public boolean equivalent() {
      return differences.isEmpty();
    }
  }

  /** The lists whose order means nothing, by key, with what names an element in a difference. */
  private static final Map<String, Function<Object, String>> SETS = Map.of(
      "Env", e -> String.valueOf(e).split("=", 2)[0],
      "Ports", SpecMatch::portId,
      "Networks", e -> memberText(e, "Target"),
      "Mounts", e -> memberText(e, "Target"),
      "Secrets", SpecMatch::fileId,
      "Configs", SpecMatch::fileId,
      "Aliases", String::valueOf,
      "Constraints", String::valueOf,
      "GenericResources", String::valueOf);

  private final Map<String, String> networkNames;
  private final Map<String, String> configData;
  private final Map<String, SwarmObjectPlan> secrets = new HashMap<>();
  private final Map<String, SwarmObjectPlan> configs = new HashMap<>();

  /**
   * @param plan the stack's plan (its secrets and configs, by versioned and unversioned name)
   * @param networkNames network ID → name, from {@code GET /networks}
   * @param configData config ID → its {@code Spec.Data} (base64), from {@code GET /configs}
   */
  public SpecMatch(StackPlan plan, Map<String, String> networkNames, Map<String, String> configData) {
    this.networkNames = Map.copyOf(networkNames);
    this.configData = Map.copyOf(configData);
    plan.secrets().forEach(p -> byNames(secrets, p));
    plan.configs().forEach(p -> byNames(configs, p));
  }

  /**
   * A match from the swarm's listings as the engine answers them: {@code networks} from
   * {@code GET /networks} ({@code Id}, {@code Name}), {@code configs} from {@code GET /configs}
   * ({@code ID}, {@code Spec.Data}).
   */
  public static SpecMatch ofListings(StackPlan plan, JsonArray networks, JsonArray configs) {
    return new SpecMatch(plan, index(networks, n -> n.getString("Id"), n -> n.getString("Name")),
        index(configs, c -> c.getString("ID"), c -> c.getJsonObject("Spec", new JsonObject()).getString("Data")));
  }

  /** The objects listed, as {@code key} → {@code value} (those with both). */
  private static Map<String, String> index(JsonArray objects, Function<JsonObject, String> key,
                                           Function<JsonObject, String> value) {
    Map<String, String> out = new HashMap<>();
    for (Object o : objects) {
      String k = key.apply((JsonObject) o);
      String v = value.apply((JsonObject) o);
      if (k != null && v != null) {
        out.put(k, v);
      }
    }
    return out;
  }

  private static void byNames(Map<String, SwarmObjectPlan> into, SwarmObjectPlan p) {
    into.put(p.unversionedName(), p);
    into.put(p.name(), p);
  }

  /** Compares the running service's {@code Spec} with the plan of that service. */
  public Result compare(ServicePlan planned, JsonObject runningSpec) {
    JsonObject want = planned.spec();
    want.getJsonObject("Labels", new JsonObject()).remove(SpecHash.LABEL);
    JsonObject have = runningSpec.copy();
    Set<String> differences = new LinkedHashSet<>();
    List<String> notes = new ArrayList<>();
    JsonObject task = object(have, "TaskTemplate");
    JsonObject container = object(task, "ContainerSpec");
    if (container.getValue("Image") instanceof String image) {
      String plannedImage = planned.image();
      if (!plannedImage.contains("@") && image.startsWith(plannedImage + "@")) {
        container.put("Image", plannedImage);
      }
    }
    if (task.getValue("Networks") instanceof JsonArray networks) {
      for (Object n : networks) {
        if (n instanceof JsonObject attachment && attachment.getValue("Target") instanceof String target) {
          attachment.put("Target", networkNames.getOrDefault(target, target));
        }
      }
    }
    String where = "TaskTemplate.ContainerSpec.";
    references(container, "Secrets", "SecretName", "SecretID", secrets, where, differences, notes);
    references(container, "Configs", "ConfigName", "ConfigID", configs, where, differences, notes);
    compare("", want, have, differences);
    return new Result(new ArrayList<>(differences), notes);
  }

  /**
   * Puts the planned name on each secret or config reference whose name stands for a planned object,
   * drops the IDs, and checks a config's data against the planned content.
   */
  private void references(JsonObject container, String field, String nameField, String idField,
                          Map<String, SwarmObjectPlan> plans, String where, Set<String> differences,
                          List<String> notes) {
    if (!(container.getValue(field) instanceof JsonArray refs)) {
      return;
    }
    for (Object o : refs) {
      if (!(o instanceof JsonObject ref)) {
        continue;
      }
      String id = (String) ref.remove(idField);
      String name = ref.getString(nameField);
      SwarmObjectPlan p = name == null ? null : plans.get(name);
      if (p == null) {
        continue; // not a planned object: the comparison reports it
      }
      ref.put(nameField, p.name());
      if (p.external()) {
        continue;
      }
      if (p.kind() == SwarmObjectPlan.Kind.CONFIG) {
        String data = id == null ? null : configData.get(id);
        byte[] planned = decode(p.spec().getString("Data"));
        if (data == null || planned == null || !Arrays.equals(decode(data), planned)) {
          differences.add(where + field + "[" + fileId(ref) + "].content");
        }
      } else if (!name.equals(p.name())) {
        String note = "secret " + name + " taken for " + p.name() + " by its name: swarm never gives a secret's "
            + "data back, so its content was not compared";
        if (!notes.contains(note)) {
          notes.add(note);
        }
      }
    }
  }

  // ---- the comparison

  private void compare(String path, Object want, Object have, Set<String> differences) {
    if (want == null) {
      return;
    }
    if (have == null) {
      if (!isEmpty(want)) {
        differences.add(path);
      }
      return;
    }
    if (want instanceof JsonObject w) {
      if (!(have instanceof JsonObject h)) {
        differences.add(path);
        return;
      }
      for (String key : w.fieldNames()) {
        compare(path.isEmpty() ? key : path + "." + key, w.getValue(key), member(h, key), differences);
      }
    } else if (want instanceof JsonArray w) {
      if (!(have instanceof JsonArray h)) {
        differences.add(path);
        return;
      }
      Function<Object, String> identity = SETS.get(path.substring(path.lastIndexOf('.') + 1));
      if (identity != null) {
        compareSets(path, w, h, identity, differences);
      } else if (w.size() != h.size()) {
        differences.add(path);
      } else {
        for (int i = 0; i < w.size(); i++) {
          compare(path + "[" + i + "]", w.getValue(i), h.getValue(i), differences);
        }
      }
    } else if (!sameScalar(want, have)) {
      differences.add(path);
    }
  }

  /** Pairs the elements by identity; an element without a partner on the other side is a difference. */
  private void compareSets(String path, JsonArray want, JsonArray have, Function<Object, String> identity,
                           Set<String> differences) {
    Map<String, Deque<Object>> running = new LinkedHashMap<>();
    for (Object h : have) {
      running.computeIfAbsent(identity.apply(h), k -> new ArrayDeque<>()).add(h);
    }
    for (Object w : want) {
      String id = identity.apply(w);
      Deque<Object> candidates = running.get(id);
      Object h = candidates == null ? null : candidates.poll();
      if (h == null) {
        differences.add(path + "[" + id + "]");
      } else {
        compare(path + "[" + id + "]", w, h, differences);
      }
    }
    running.forEach((id, left) -> {
      if (!left.isEmpty()) {
        differences.add(path + "[" + id + "]");
      }
    });
  }

  private static boolean sameScalar(Object want, Object have) {
    if (want instanceof Number w && have instanceof Number h) {
      return new BigDecimal(w.toString()).compareTo(new BigDecimal(h.toString())) == 0;
    }
    return Objects.equals(want, have);
  }

  /** What the engine leaves out of its answer: false, 0, "", and empty lists and objects. */
  private static boolean isEmpty(Object value) {
    if (value instanceof JsonObject o) {
      return o.stream().allMatch(e -> e.getValue() == null || isEmpty(e.getValue()));
    }
    if (value instanceof JsonArray a) {
      return a.isEmpty();
    }
    return Boolean.FALSE.equals(value) || "".equals(value)
        || value instanceof Number n && new BigDecimal(n.toString()).signum() == 0;
  }

  // ---- helpers

  /** A member by its key, or (as the engine reads JSON) by the key in another case. */
  private static Object member(JsonObject o, String key) {
    if (o.containsKey(key)) {
      return o.getValue(key);
    }
    for (String k : o.fieldNames()) {
      if (k.equalsIgnoreCase(key)) {
        return o.getValue(k);
      }
    }
    return null;
  }

  private static String memberText(Object element, String key) {
    return element instanceof JsonObject o ? String.valueOf(member(o, key)) : String.valueOf(element);
  }

  private static JsonObject object(JsonObject parent, String key) {
    return member(parent, key) instanceof JsonObject o ? o : new JsonObject();
  }

  /** A secret or config reference by the file it becomes in the container. */
  private static String fileId(Object ref) {
    return ref instanceof JsonObject o && member(o, "File") instanceof JsonObject file
        ? String.valueOf(member(file, "Name")) : String.valueOf(ref);
  }

  /** {@code 8080:80/tcp}, or {@code 80/tcp} when not published. */
  private static String portId(Object port) {
    if (!(port instanceof JsonObject p)) {
      return String.valueOf(port);
    }
    Object published = member(p, "PublishedPort");
    Object protocol = member(p, "Protocol");
    return (published == null ? "" : published + ":") + member(p, "TargetPort") + "/"
        + (protocol == null ? "tcp" : protocol);
  }

  /** The bytes of base64 text; null when it is not base64. */
  private static byte[] decode(String base64) {
    try {
      return Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
