package io.fluxer.control.stack;

import io.fluxer.control.stack.StackYaml.MapNode;
import io.fluxer.control.stack.StackYaml.Node;
import io.fluxer.control.stack.StackYaml.Scalar;
import io.fluxer.control.stack.SwarmObjectPlan.Kind;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * A stack file's top-level declarations: the {@code networks}, {@code volumes}, {@code secrets} and
 * {@code configs} sections, with their names, external objects (checked against the
 * {@link StackPolicy}), the secret and config plans (content from {@code file}, {@code environment} or
 * {@code content}, named by a hash of it), and, once the services have said which networks they use,
 * the network plans. {@link ServiceConverter} resolves the services' references here.
 */
final class StackDeclarations {

  /**
   * A declared network, volume, secret or config. In the maps below a key whose declaration failed
   * (and was reported) maps to null, so references to it add no second error.
   */
  record Declared(String key, String name, boolean external, MapNode node, int line) {
  }

  private final StackReader read;
  private final StackPolicy policy;
  private final boolean admin;
  private final Map<String, Declared> networks = new LinkedHashMap<>();
  private final Map<String, Declared> volumes = new LinkedHashMap<>();
  private final Map<String, Declared> secrets = new LinkedHashMap<>();
  private final Map<String, Declared> configs = new LinkedHashMap<>();
  private final Map<String, SwarmObjectPlan> secretPlans = new TreeMap<>();
  private final Map<String, SwarmObjectPlan> configPlans = new TreeMap<>();

  StackDeclarations(StackReader read, StackPolicy policy, boolean admin) {
    this.read = read;
    this.policy = policy;
    this.admin = admin;
  }

  /** Reads the four sections of the file's root, in this order; each problem is recorded and the rest goes on. */
  void declare(MapNode root) {
    declarations(root.get("networks"), "networks", networks, this::network);
    declarations(root.get("volumes"), "volumes", volumes, this::volume);
    declarations(root.get("secrets"), "secrets", secrets, n -> object(n, Kind.SECRET));
    declarations(root.get("configs"), "configs", configs, n -> object(n, Kind.CONFIG));
  }

  Map<String, Declared> networks() {
    return Collections.unmodifiableMap(networks);
  }

  Map<String, Declared> volumes() {
    return Collections.unmodifiableMap(volumes);
  }

  Map<String, Declared> secrets() {
    return Collections.unmodifiableMap(secrets);
  }

  Map<String, Declared> configs() {
    return Collections.unmodifiableMap(configs);
  }

  List<SwarmObjectPlan> secretPlans() {
    return List.copyOf(secretPlans.values());
  }

  List<SwarmObjectPlan> configPlans() {
    return List.copyOf(configPlans.values());
  }

  private void declarations(Node section, String what, Map<String, Declared> into, Function<MapEntry, Declared> declare) {
    if (section == null || section instanceof Scalar s && s.type == Scalar.Type.NULL) {
      return;
    }
    if (!(section instanceof MapNode map)) {
      read.problem(section, "must be a mapping of " + what + ", not " + section.kind());
      return;
    }
    for (Map.Entry<String, Node> e : map.entries.entrySet()) {
      if (e.getKey().startsWith("x-")) {
        continue;
      }
      if (!read.attempt(() -> into.put(e.getKey(), declare.apply(new MapEntry(e.getKey(), e.getValue()))))) {
        into.put(e.getKey(), null); // declared but broken: references to it add no second error
      }
    }
  }

  private record MapEntry(String key, Node node) {
  }

  private Declared network(MapEntry e) {
    MapNode map = read.optionalMap(e.node);
    String name = read.scoped(e.key);
    if (map == null) {
      return new Declared(e.key, name, false, null, e.node.line);
    }
    read.checkKeys(map, Set.of("driver", "driver_opts", "attachable", "internal", "labels", "external", "name", "ipam",
        "enable_ipv6"));
    boolean external = external(map);
    if (map.has("name")) {
      name = read.string(map.get("name"));
    } else if (external) {
      name = externalName(map, e.key);
    }
    if (name.length() > 63 || !Names.isDnsComponent(name)) {
      throw (map.has("name") ? map.get("name") : e.node).error("invalid network name"
          + (name.length() > 63 ? "" : " \"" + name + "\"")
          + ": letters, digits, '-' and '_', starting and ending with a letter or digit, at most 63 characters");
    }
    if (external) {
      onlyKeysWithExternal(map);
    }
    existing(map, e.key, StackPolicy.Existing.NETWORK, name, external);
    return new Declared(e.key, name, external, map, e.node.line);
  }

  private Declared volume(MapEntry e) {
    MapNode map = read.optionalMap(e.node);
    String name = read.scoped(e.key);
    if (map == null) {
      return new Declared(e.key, name, false, null, e.node.line);
    }
    read.checkKeys(map, Set.of("driver", "driver_opts", "labels", "external", "name"));
    boolean external = external(map);
    if (map.has("name")) {
      name = read.string(map.get("name"));
    } else if (external) {
      name = externalName(map, e.key);
    }
    if (external) {
      onlyKeysWithExternal(map);
    }
    existing(map, e.key, StackPolicy.Existing.VOLUME, name, external);
    if (!external && map.has("driver_opts") && (!map.has("driver") || read.string(map.get("driver")).equals("local"))) {
      localBind(map.get("driver_opts"));
    }
    return new Declared(e.key, name, external, map, e.node.line);
  }

  /**
   * Refuses an existing object the policy does not allow: declared {@code external: true}, or named
   * ({@code name:}) other than the stack's own {@code <stack>_<key>}, which may exist already.
   */
  private void existing(MapNode map, String key, StackPolicy.Existing kind, String name, boolean external) {
    if (!external && name.equals(read.scoped(key))) {
      return;
    }
    String refusal = policy.externalRefusal(kind, name);
    if (refusal != null) {
      Node where = external ? map.get("external") : map.get("name");
      throw where.error(refusal);
    }
  }

  /** The local driver's bind trick ({@code type: none, o: bind, device: /path}) is a bind mount. */
  private void localBind(Node driverOpts) {
    JsonObject opts = read.labels(driverOpts);
    boolean bind = "none".equals(opts.getString("type")) || "bind".equals(opts.getString("type"));
    for (String o : opts.getString("o", "").split(",")) {
      bind |= o.trim().equals("bind") || o.trim().equals("rbind");
    }
    if (bind || opts.containsKey("device") && opts.getString("device").startsWith("/")) {
      String refusal = policy.bindRefusal(opts.getString("device", ""), admin);
      if (refusal != null) {
        Node where = driverOpts instanceof MapNode m && m.has("device") ? m.get("device") : driverOpts;
        throw where.error("a local volume bound to a host path is a bind mount: " + refusal);
      }
    }
  }

  private Declared object(MapEntry e, Kind kind) {
    MapNode map = read.requireMap(e.node);
    Set<String> keys = kind == Kind.SECRET
        ? Set.of("file", "environment", "external", "name", "labels")
        : Set.of("file", "environment", "content", "external", "name", "labels");
    read.checkKeys(map, keys);
    boolean external = external(map);
    if (external) {
      onlyKeysWithExternal(map);
      String name = map.has("name") ? read.string(map.get("name")) : externalName(map, e.key);
      String refusal = policy.externalRefusal(kind == Kind.SECRET ? StackPolicy.Existing.SECRET
          : StackPolicy.Existing.CONFIG, name);
      if (refusal != null) {
        throw map.get("external").error(refusal);
      }
      secretOrConfigPlans(kind).put(name, new SwarmObjectPlan(kind, e.key, name, true, null));
      return new Declared(e.key, name, true, map, e.node.line);
    }
    List<String> sources = new ArrayList<>();
    for (String source : List.of("file", "environment", "content")) {
      if (map.has(source)) {
        sources.add(source);
      }
    }
    if (sources.size() != 1) {
      throw e.node.error(kind.word() + " needs exactly one of file, environment" + (kind == Kind.CONFIG ? ", content" : "")
          + " or external: true" + (sources.isEmpty() ? "" : " (found " + String.join(", ", sources) + ")"));
    }
    byte[] data;
    Node source = map.get(sources.get(0));
    switch (sources.get(0)) {
      case "file":
        data = read.file(source, kind.word() + " content");
        break;
      case "environment": {
        String variable = read.string(source);
        String value = read.variable(variable);
        if (value == null) {
          throw source.error("variable " + variable + " is not set in the request's env");
        }
        data = value.getBytes(StandardCharsets.UTF_8);
        break;
      }
      default:
        data = read.string(source).getBytes(StandardCharsets.UTF_8);
    }
    String base = map.has("name") ? read.string(map.get("name")) : read.scoped(e.key);
    String name = base + "_" + sha256(data).substring(0, 10);
    if (name.length() > 64 || !Names.isObjectName(name)) {
      throw (map.has("name") ? map.get("name") : e.node).error("invalid " + kind.word() + " name"
          + (name.length() > 64 ? "" : " \"" + name + "\"")
          + ": letters, digits, '-', '_' and '.', at most 64 characters with the version suffix");
    }
    JsonObject labels = read.labels(map.get("labels"));
    labels.put(StackPlan.NAMESPACE_LABEL, read.stack());
    JsonObject spec = new JsonObject().put("Name", name).put("Labels", labels)
        .put("Data", Base64.getEncoder().encodeToString(data));
    secretOrConfigPlans(kind).put(name, new SwarmObjectPlan(kind, e.key, name, false, spec));
    return new Declared(e.key, name, false, map, e.node.line);
  }

  private Map<String, SwarmObjectPlan> secretOrConfigPlans(Kind kind) {
    return kind == Kind.SECRET ? secretPlans : configPlans;
  }

  private boolean external(MapNode map) {
    Node ext = map.get("external");
    if (ext == null || ext instanceof Scalar s && s.type == Scalar.Type.NULL) {
      return false;
    }
    if (ext instanceof MapNode extMap) {
      read.checkKeys(extMap, Set.of("name"));
      read.warn(ext, "external.name is deprecated; use external: true with name");
      return true;
    }
    return read.bool(ext);
  }

  private String externalName(MapNode map, String key) {
    if (map.get("external") instanceof MapNode extMap && extMap.has("name")) {
      return read.string(extMap.get("name"));
    }
    return key;
  }

  private void onlyKeysWithExternal(MapNode map) {
    for (Map.Entry<String, Node> e : map.entries.entrySet()) {
      if (!e.getKey().equals("external") && !e.getKey().equals("name") && !e.getKey().startsWith("x-")) {
        throw e.getValue().error("cannot be set on an external object (it already exists)");
      }
    }
  }

  /**
   * The networks to create or find: those the services use ({@code default} is the implicit
   * {@code <stack>_default}); a declared network no service uses is warned about and not created.
   */
  List<NetworkPlan> networkPlans(Set<String> usedNetworks) {
    Map<String, NetworkPlan> plans = new TreeMap<>();
    for (String key : usedNetworks) {
      Declared d = networks.get(key);
      if (d == null) {
        // the implicit default network
        String name = read.scoped(key);
        plans.put(name, new NetworkPlan(key, name, false, networkSpec(name, null)));
      } else if (d.external) {
        plans.put(d.name, new NetworkPlan(key, d.name, true, null));
      } else {
        plans.put(d.name, new NetworkPlan(key, d.name, false, networkSpec(d.name, d.node)));
      }
    }
    for (Declared d : networks.values()) {
      if (d != null && !usedNetworks.contains(d.key)) {
        read.warn("networks." + d.key, d.line, "no service uses this network; it is not created");
      }
    }
    return List.copyOf(plans.values());
  }

  private JsonObject networkSpec(String name, MapNode map) {
    JsonObject labels = map == null ? new JsonObject() : read.labels(map.get("labels"));
    labels.put(StackPlan.NAMESPACE_LABEL, read.stack());
    JsonObject spec = new JsonObject().put("Name", name).put("CheckDuplicate", true).put("Driver", "overlay")
        .put("Scope", "swarm").put("Attachable", false).put("Internal", false).put("Labels", labels);
    if (map == null) {
      return spec;
    }
    if (map.has("driver")) {
      spec.put("Driver", read.string(map.get("driver")));
    }
    if (map.has("driver_opts")) {
      spec.put("Options", read.labels(map.get("driver_opts")));
    }
    if (map.has("attachable")) {
      spec.put("Attachable", read.bool(map.get("attachable")));
    }
    if (map.has("internal")) {
      spec.put("Internal", read.bool(map.get("internal")));
    }
    if (map.has("enable_ipv6")) {
      spec.put("EnableIPv6", read.bool(map.get("enable_ipv6")));
    }
    if (map.has("ipam")) {
      MapNode ipam = read.requireMap(map.get("ipam"));
      read.checkKeys(ipam, Set.of("driver", "config", "options"));
      JsonObject out = new JsonObject().put("Driver", ipam.has("driver") ? read.string(ipam.get("driver")) : "default");
      if (ipam.has("config")) {
        JsonArray configs = new JsonArray();
        for (Node item : read.requireList(ipam.get("config")).items) {
          MapNode c = read.requireMap(item);
          read.checkKeys(c, Set.of("subnet", "ip_range", "gateway", "aux_addresses"));
          JsonObject pool = new JsonObject();
          read.putString(pool, "Subnet", c.get("subnet"));
          read.putString(pool, "IPRange", c.get("ip_range"));
          read.putString(pool, "Gateway", c.get("gateway"));
          if (c.has("aux_addresses")) {
            pool.put("AuxiliaryAddresses", read.labels(c.get("aux_addresses")));
          }
          configs.add(pool);
        }
        out.put("Config", configs);
      }
      if (ipam.has("options")) {
        out.put("Options", read.labels(ipam.get("options")));
      }
      spec.put("IPAM", out);
    }
    return spec;
  }
  private static String sha256(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
