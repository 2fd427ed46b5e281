package io.fluxer.control.stack;

import io.fluxer.control.stack.StackDeclarations.Declared;
import io.fluxer.control.stack.StackFileException.Problem;
import io.fluxer.control.stack.StackYaml.ListNode;
import io.fluxer.control.stack.StackYaml.MapNode;
import io.fluxer.control.stack.StackYaml.Node;
import io.fluxer.control.stack.StackYaml.Scalar;
import io.fluxer.control.stack.SwarmObjectPlan.Kind;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A stack file's {@code services} section, each service converted to an Engine API service spec
 * ({@link ServicePlan}): its keys (unknown, ignored with a warning, or refused), the container (command,
 * environment and {@code env_file}, healthcheck, mounts checked against the {@link StackPolicy}, secret
 * and config files), networks, {@code deploy} (mode, update and rollback, restart policy, resources,
 * placement) and the endpoint with its ports. References to networks, volumes, secrets and configs are
 * resolved against {@link StackDeclarations}; the networks used are remembered for its network plans.
 */
final class ServiceConverter {

  private static final Set<String> SERVICE_KEYS = Set.of("image", "command", "entrypoint", "environment", "env_file",
      "labels", "ports", "networks", "healthcheck", "secrets", "configs", "deploy", "volumes", "hostname", "user",
      "working_dir", "stop_grace_period", "stop_signal", "tty", "stdin_open", "read_only", "init", "extra_hosts",
      "dns", "dns_search", "logging");

  /** Keys swarm ignores, with what to do instead (docker/cli's unsupported and deprecated lists, plus Compose-only keys). */
  private static final Map<String, String> IGNORED_SERVICE_KEYS = ignoredServiceKeys();

  /** Keys docker stack deploy refuses outright. */
  private static final Map<String, String> FORBIDDEN_SERVICE_KEYS = Map.of(
      "extends", "extends is not supported by docker stack deploy; inline the settings",
      "volume_driver", "set the driver on a top-level volume instead",
      "volumes_from", "share a top-level volume between the services instead",
      "cpu_quota", "use deploy.resources.limits.cpus",
      "cpu_shares", "use deploy.resources",
      "cpuset", "use deploy.resources",
      "mem_limit", "use deploy.resources.limits.memory",
      "memswap_limit", "use deploy.resources.limits.memory");

  private static Map<String, String> ignoredServiceKeys() {
    Map<String, String> m = new HashMap<>();
    m.put("build", "swarm does not build images; build and push the image, then name it in image");
    m.put("container_name", "swarm names containers itself");
    m.put("depends_on", "swarm starts services in no particular order; make each service wait for what it needs");
    m.put("restart", "use deploy.restart_policy");
    m.put("links", "services reach each other by service name on a shared network");
    m.put("external_links", "attach the service to an external network instead");
    m.put("expose", "services on a shared network reach each other on any port");
    m.put("privileged", "swarm services cannot run privileged");
    m.put("devices", "swarm services cannot map devices");
    m.put("network_mode", "use networks");
    m.put("cap_add", "not applied by docker stack deploy");
    m.put("cap_drop", "not applied by docker stack deploy");
    m.put("cgroup_parent", "not applied by swarm");
    m.put("domainname", "not applied by swarm");
    m.put("ipc", "not applied by swarm");
    m.put("mac_address", "not applied by swarm");
    m.put("pid", "not applied by swarm");
    m.put("security_opt", "not applied by swarm");
    m.put("shm_size", "not applied by swarm; mount a tmpfs at /dev/shm instead");
    m.put("sysctls", "not applied by docker stack deploy");
    m.put("ulimits", "not applied by docker stack deploy");
    m.put("userns_mode", "not applied by swarm");
    m.put("tmpfs", "use a volumes entry with type: tmpfs");
    m.put("profiles", "every service of a stack is deployed");
    m.put("pull_policy", "swarm pulls on each node as needed");
    m.put("scale", "use deploy.replicas");
    m.put("platform", "use deploy.placement.constraints (node.platform.arch, node.platform.os)");
    m.put("cpus", "use deploy.resources.limits.cpus");
    m.put("mem_reservation", "use deploy.resources.reservations.memory");
    m.put("isolation", "Windows only; not applied");
    m.put("credential_spec", "Windows only; not applied");
    return Map.copyOf(m);
  }

  private static final Set<String> DEPLOY_KEYS = Set.of("mode", "replicas", "update_config", "rollback_config",
      "restart_policy", "resources", "placement", "labels", "endpoint_mode");
  private static final Set<String> UPDATE_KEYS = Set.of("parallelism", "delay", "failure_action", "monitor",
      "max_failure_ratio", "order");

  private final StackReader read;
  private final StackPolicy policy;
  private final boolean admin;
  private final Map<String, Declared> networks;
  private final Map<String, Declared> volumes;
  private final Map<String, Declared> secrets;
  private final Map<String, Declared> configs;
  private final Set<String> usedNetworks = new LinkedHashSet<>();

  ServiceConverter(StackReader read, StackDeclarations declared, StackPolicy policy, boolean admin) {
    this.read = read;
    this.policy = policy;
    this.admin = admin;
    this.networks = declared.networks();
    this.volumes = declared.volumes();
    this.secrets = declared.secrets();
    this.configs = declared.configs();
  }

  /**
   * Converts every service of the section (x- keys skipped) in file order; each failing service is
   * recorded as a problem and the others go on.
   */
  List<ServicePlan> services(Node section) {
    List<ServicePlan> services = new ArrayList<>();
    if (section == null || (section instanceof Scalar s && s.type == Scalar.Type.NULL)) {
      read.problem(new Problem("services", section == null ? 0 : section.line, 0,
          "a stack file needs at least one service"));
    } else if (!(section instanceof MapNode serviceMap)) {
      read.problem(section, "must be a mapping of service names to services, not " + section.kind());
    } else if (serviceMap.entries.isEmpty()) {
      read.problem(section, "a stack file needs at least one service");
    } else {
      for (Map.Entry<String, Node> e : serviceMap.entries.entrySet()) {
        if (e.getKey().startsWith("x-")) {
          continue;
        }
        read.attempt(() -> services.add(service(e.getKey(), e.getValue())));
      }
    }
    return services;
  }

  /** The networks the converted services attach to, by their key in the file ({@code default} included). */
  Set<String> usedNetworks() {
    return usedNetworks;
  }

  private ServicePlan service(String key, Node node) {
    String name = read.scoped(key);
    if (name.length() > 63) {
      throw node.error("invalid service name: swarm service names are at most 63 characters with the stack's"
          + " prefix (" + read.stack() + "_)");
    }
    if (!Names.isName(key)) {
      throw node.error("invalid service name \"" + key + "\": use letters, digits, '_', '.' and '-', starting with a"
          + " letter or digit");
    }
    if (!Names.isDnsComponent(name)) {
      throw node.error("invalid service name \"" + name + "\": swarm service names are DNS name components (letters,"
          + " digits, '-' and '_', ending with a letter or digit, at most 63 characters)");
    }
    MapNode svc = read.requireMap(node);
    for (Map.Entry<String, Node> e : svc.entries.entrySet()) {
      String k = e.getKey();
      Node v = e.getValue();
      if (SERVICE_KEYS.contains(k) || k.startsWith("x-")) {
        continue;
      }
      if (FORBIDDEN_SERVICE_KEYS.containsKey(k)) {
        throw v.error("not supported by docker stack deploy: " + FORBIDDEN_SERVICE_KEYS.get(k));
      }
      if (IGNORED_SERVICE_KEYS.containsKey(k)) {
        read.warn(v, k + " is ignored by swarm: " + IGNORED_SERVICE_KEYS.get(k));
        continue;
      }
      throw v.error("unknown service key" + StackReader.suggestion(k, SERVICE_KEYS));
    }

    JsonObject container = new JsonObject();
    Node imageNode = svc.get("image");
    if (imageNode == null || imageNode instanceof Scalar s && s.type == Scalar.Type.NULL) {
      throw new StackFileException(svc.path + ".image", svc.line, svc.column, "missing: every service needs an image"
          + (svc.entries.containsKey("build") ? " (swarm does not build)" : ""));
    }
    String image = read.string(imageNode).trim();
    if (image.isEmpty() || image.chars().anyMatch(Character::isWhitespace)) {
      throw imageNode.error("\"" + image + "\" is not an image reference");
    }
    container.put("Image", image);
    JsonObject containerLabels = read.labels(svc.get("labels"));
    containerLabels.put(StackPlan.NAMESPACE_LABEL, read.stack());
    container.put("Labels", containerLabels);
    if (svc.has("entrypoint")) {
      container.put("Command", command(svc.get("entrypoint")));
    }
    if (svc.has("command")) {
      container.put("Args", command(svc.get("command")));
    }
    JsonArray envList = environment(svc);
    if (!envList.isEmpty()) {
      container.put("Env", envList);
    }
    read.putString(container, "Hostname", svc.get("hostname"));
    read.putString(container, "User", svc.get("user"));
    read.putString(container, "Dir", svc.get("working_dir"));
    read.putString(container, "StopSignal", svc.get("stop_signal"));
    if (svc.has("stop_grace_period")) {
      container.put("StopGracePeriod", read.duration(svc.get("stop_grace_period")));
    }
    read.putBool(container, "TTY", svc.get("tty"));
    read.putBool(container, "OpenStdin", svc.get("stdin_open"));
    read.putBool(container, "ReadOnly", svc.get("read_only"));
    read.putBool(container, "Init", svc.get("init"));
    if (svc.has("extra_hosts")) {
      container.put("Hosts", extraHosts(svc.get("extra_hosts")));
    }
    if (svc.has("dns") || svc.has("dns_search")) {
      JsonObject dns = new JsonObject();
      if (svc.has("dns")) {
        dns.put("Nameservers", new JsonArray(read.stringList(svc.get("dns"), true)));
      }
      if (svc.has("dns_search")) {
        dns.put("Search", new JsonArray(read.stringList(svc.get("dns_search"), true)));
      }
      container.put("DNSConfig", dns);
    }
    if (svc.has("healthcheck")) {
      JsonObject health = healthcheck(svc.get("healthcheck"));
      if (health != null) {
        container.put("HealthCheck", health);
      }
    }
    if (svc.has("volumes")) {
      JsonArray mounts = mounts(svc.get("volumes"));
      if (!mounts.isEmpty()) {
        container.put("Mounts", mounts);
      }
    }
    if (svc.has("secrets")) {
      container.put("Secrets", fileRefs(svc.get("secrets"), Kind.SECRET));
    }
    if (svc.has("configs")) {
      container.put("Configs", fileRefs(svc.get("configs"), Kind.CONFIG));
    }

    JsonObject task = new JsonObject().put("ContainerSpec", container);
    task.put("Networks", serviceNetworks(key, svc.get("networks")));
    if (svc.has("logging")) {
      MapNode logging = read.requireMap(svc.get("logging"));
      read.checkKeys(logging, Set.of("driver", "options"));
      JsonObject driver = new JsonObject();
      read.putString(driver, "Name", logging.get("driver"));
      if (logging.has("options")) {
        driver.put("Options", read.labels(logging.get("options")));
      }
      task.put("LogDriver", driver);
    }

    JsonObject spec = new JsonObject().put("Name", name);
    JsonObject serviceLabels = new JsonObject();
    spec.put("Labels", serviceLabels).put("TaskTemplate", task);
    MapNode deploy = svc.has("deploy") ? read.requireMap(svc.get("deploy")) : null;
    if (deploy != null) {
      read.checkKeys(deploy, DEPLOY_KEYS);
      serviceLabels.mergeIn(read.labels(deploy.get("labels")));
    }
    serviceLabels.put(StackPlan.NAMESPACE_LABEL, read.stack()).put(StackPlan.IMAGE_LABEL, image);
    deploy(deploy, spec, task);
    spec.put("EndpointSpec", endpoint(svc.get("ports"), deploy));

    String hash = SpecHash.of(spec);
    serviceLabels.put(SpecHash.LABEL, hash);
    return new ServicePlan(key, name, spec, hash);
  }

  private JsonArray command(Node node) {
    if (node instanceof Scalar s && s.type == Scalar.Type.STRING) {
      try {
        return new JsonArray(new ArrayList<Object>(Units.shellWords(s.text)));
      } catch (IllegalArgumentException e) {
        throw node.error(e.getMessage());
      }
    }
    if (node instanceof ListNode) {
      return new JsonArray(new ArrayList<Object>(read.stringList(node, false)));
    }
    throw node.error("must be a string or a list of strings, not " + node.kind());
  }

  private JsonArray environment(MapNode svc) {
    Map<String, String> vars = new TreeMap<>();
    Node envFiles = svc.get("env_file");
    if (envFiles != null && !(envFiles instanceof Scalar s && s.type == Scalar.Type.NULL)) {
      List<Node> items = envFiles instanceof ListNode list ? list.items : List.of(envFiles);
      for (Node item : items) {
        byte[] content = read.file(item, "variables");
        envFile(item, new String(content, StandardCharsets.UTF_8), vars);
      }
    }
    Node envNode = svc.get("environment");
    if (envNode != null) {
      read.mapOrList(envNode, "=", (key, value, where) -> {
        if (!Names.isEnvName(key)) {
          throw where.error("invalid variable name \"" + key + "\"");
        }
        if (value == null) {
          String fromEnv = read.variable(key);
          if (fromEnv == null) {
            vars.remove(key);
            read.warn(where, key + " has no value here and is not in the"
                + " request's env; it is not set");
            return;
          }
          value = fromEnv;
        }
        vars.put(key, value);
      });
    }
    JsonArray out = new JsonArray();
    vars.forEach((k, v) -> out.add(k + "=" + v));
    return out;
  }

  private void envFile(Node where, String content, Map<String, String> vars) {
    String[] lines = content.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty() || line.startsWith("#")) {
        continue;
      }
      int eq = line.indexOf('=');
      String key = eq < 0 ? line : line.substring(0, eq);
      if (key.startsWith("export ")) {
        key = key.substring("export ".length()).strip();
      }
      if (!Names.isEnvName(key)) {
        throw where.error("line " + (i + 1) + " of the env file: invalid variable name \"" + key + "\"");
      }
      if (eq < 0) {
        String fromEnv = read.variable(key);
        if (fromEnv != null) {
          vars.put(key, fromEnv);
        }
      } else {
        vars.put(key, lines[i].substring(lines[i].indexOf('=') + 1));
      }
    }
  }

  private JsonArray extraHosts(Node node) {
    JsonArray hosts = new JsonArray();
    read.mapOrList(node, ":", (host, ip, where) -> {
      if (ip == null || ip.isBlank()) {
        throw where.error("\"" + host + "\" needs an address (host:ip)");
      }
      hosts.add(ip + " " + host);
    });
    return hosts;
  }

  private JsonObject healthcheck(Node node) {
    MapNode hc = read.requireMap(node);
    read.checkKeys(hc, Set.of("test", "interval", "timeout", "start_period", "retries", "disable", "start_interval"));
    boolean disable = hc.has("disable") && read.bool(hc.get("disable"));
    List<String> test = null;
    if (hc.has("test")) {
      Node t = hc.get("test");
      if (t instanceof Scalar s && s.type == Scalar.Type.STRING) {
        test = List.of("CMD-SHELL", s.text);
      } else if (t instanceof ListNode) {
        test = read.stringList(t, false);
        if (test.isEmpty() || !Set.of("NONE", "CMD", "CMD-SHELL").contains(test.get(0))) {
          throw t.error("a test list starts with CMD, CMD-SHELL or NONE (e.g. [\"CMD\", \"curl\", \"-f\","
              + " \"http://localhost/\"])");
        }
        if (!test.get(0).equals("NONE") && test.size() < 2) {
          throw t.error(test.get(0) + " needs a command after it");
        }
      } else {
        throw t.error("must be a string or a list, not " + t.kind());
      }
    }
    if (disable) {
      if (test != null && !test.equals(List.of("NONE"))) {
        throw hc.get("disable").error("test and disable: true cannot be set together");
      }
      return new JsonObject().put("Test", new JsonArray().add("NONE"));
    }
    if (hc.has("start_interval")) {
      Node si = hc.get("start_interval");
      read.warn(si, "start_interval needs Engine API 1.44; ignored");
    }
    JsonObject out = new JsonObject();
    if (test != null) {
      out.put("Test", new JsonArray(new ArrayList<Object>(test)));
    }
    if (hc.has("interval")) {
      out.put("Interval", positiveDuration(hc.get("interval"), 1_000_000L));
    }
    if (hc.has("timeout")) {
      out.put("Timeout", positiveDuration(hc.get("timeout"), 1_000_000L));
    }
    if (hc.has("start_period")) {
      out.put("StartPeriod", read.duration(hc.get("start_period")));
    }
    if (hc.has("retries")) {
      out.put("Retries", read.integer(hc.get("retries"), 0, Integer.MAX_VALUE));
    }
    return out;
  }

  /** A duration of at least {@code minNanos} (the engine refuses healthcheck intervals under 1ms). */
  private long positiveDuration(Node node, long minNanos) {
    long nanos = read.duration(node);
    if (nanos != 0 && nanos < minNanos) {
      throw node.error("must be at least 1ms");
    }
    return nanos;
  }

  private JsonArray fileRefs(Node node, Kind kind) {
    String section = kind == Kind.SECRET ? "secrets" : "configs";
    Map<String, Declared> declared = kind == Kind.SECRET ? secrets : configs;
    List<JsonObject> refs = new ArrayList<>();
    for (Node item : read.requireList(node).items) {
      String source;
      MapNode longForm = null;
      if (item instanceof Scalar) {
        source = read.string(item);
      } else {
        longForm = read.requireMap(item);
        read.checkKeys(longForm, Set.of("source", "target", "uid", "gid", "mode"));
        if (!longForm.has("source")) {
          throw item.error("source is required");
        }
        source = read.string(longForm.get("source"));
      }
      if (!declared.containsKey(source)) {
        throw item.error("undefined " + kind.word() + " \"" + source + "\": declare it under the top-level "
            + section + ":");
      }
      Declared d = declared.get(source);
      if (d == null) {
        continue; // its declaration failed and was reported
      }
      String target = kind == Kind.SECRET ? source : "/" + source;
      String uid = "0";
      String gid = "0";
      long mode = 0444;
      if (longForm != null) {
        if (longForm.has("target")) {
          target = read.string(longForm.get("target"));
        }
        if (longForm.has("uid")) {
          uid = read.text(longForm.get("uid"));
        }
        if (longForm.has("gid")) {
          gid = read.text(longForm.get("gid"));
        }
        if (longForm.has("mode")) {
          mode = read.integer(longForm.get("mode"), 0, 07777);
        }
      }
      JsonObject file = new JsonObject().put("Name", target).put("UID", uid).put("GID", gid).put("Mode", mode);
      refs.add(new JsonObject().put("File", file).put(kind == Kind.SECRET ? "SecretName" : "ConfigName", d.name()));
    }
    String nameField = kind == Kind.SECRET ? "SecretName" : "ConfigName";
    refs.sort(Comparator.comparing((JsonObject r) -> r.getString(nameField))
        .thenComparing(r -> r.getJsonObject("File").getString("Name")));
    return new JsonArray(new ArrayList<Object>(refs));
  }

  private JsonArray serviceNetworks(String serviceKey, Node node) {
    Map<String, Node> attach = new LinkedHashMap<>();
    if (node == null || node instanceof Scalar s && s.type == Scalar.Type.NULL) {
      attach.put("default", null);
    } else if (node instanceof ListNode list) {
      for (Node item : list.items) {
        attach.put(read.string(item), item);
      }
    } else if (node instanceof MapNode map) {
      attach.putAll(map.entries);
    } else {
      throw node.error("must be a list of network names or a mapping, not " + node.kind());
    }
    List<JsonObject> out = new ArrayList<>();
    for (Map.Entry<String, Node> e : attach.entrySet()) {
      String key = e.getKey();
      Node where = e.getValue() == null ? node : e.getValue();
      if (!networks.containsKey(key) && !key.equals("default")) {
        throw where.error("undefined network \"" + key + "\": declare it under the top-level networks:");
      }
      if (networks.containsKey(key) && networks.get(key) == null) {
        continue; // its declaration failed and was reported
      }
      usedNetworks.add(key);
      Declared d = networks.get(key);
      String target = d == null ? read.scoped(key) : d.name();
      List<String> aliases = new ArrayList<>();
      if (e.getValue() instanceof MapNode opts) {
        read.checkKeys(opts, Set.of("aliases", "ipv4_address", "ipv6_address", "driver_opts"));
        if (opts.has("aliases")) {
          aliases.addAll(read.stringList(opts.get("aliases"), false));
        }
        for (String ignored : List.of("ipv4_address", "ipv6_address")) {
          if (opts.has(ignored)) {
            Node n = opts.get(ignored);
            read.warn(n, ignored + " is ignored by swarm: tasks get addresses from"
                + " the network's IPAM");
          }
        }
      } else if (e.getValue() != null && !(e.getValue() instanceof Scalar)) {
        throw e.getValue().error("must be a mapping of network options or empty");
      } else if (e.getValue() instanceof Scalar s && s.type != Scalar.Type.NULL && node instanceof MapNode) {
        throw e.getValue().error("must be a mapping of network options or empty");
      }
      JsonObject attachment = new JsonObject().put("Target", target);
      if (!Set.of("host", "bridge", "none", "ingress").contains(target)) {
        aliases.add(serviceKey);
      }
      if (!aliases.isEmpty()) {
        attachment.put("Aliases", new JsonArray(new ArrayList<Object>(aliases)));
      }
      if (e.getValue() instanceof MapNode opts && opts.has("driver_opts")) {
        attachment.put("DriverOpts", read.labels(opts.get("driver_opts")));
      }
      out.add(attachment);
    }
    out.sort(Comparator.comparing(a -> a.getString("Target")));
    return new JsonArray(new ArrayList<Object>(out));
  }

  private void deploy(MapNode deploy, JsonObject spec, JsonObject task) {
    String mode = "replicated";
    Node modeNode = deploy == null ? null : deploy.get("mode");
    if (modeNode != null && deploy.has("mode")) {
      mode = read.string(modeNode);
      if (mode.equals("replicated-job") || mode.equals("global-job")) {
        throw modeNode.error(mode + " is not supported by Fluxer (deployments converge on running services)");
      }
      if (!mode.equals("replicated") && !mode.equals("global")) {
        throw modeNode.error("must be replicated or global, not \"" + mode + "\"");
      }
    }
    Node replicas = deploy == null ? null : deploy.get("replicas");
    if (mode.equals("global")) {
      if (replicas != null && deploy.has("replicas")) {
        throw replicas.error("replicas cannot be set on a global service (it runs one task per node);"
            + " remove it or use mode: replicated");
      }
      spec.put("Mode", new JsonObject().put("Global", new JsonObject()));
    } else {
      long count = replicas != null && deploy.has("replicas") ? read.integer(replicas, 0, Integer.MAX_VALUE) : 1;
      spec.put("Mode", new JsonObject().put("Replicated", new JsonObject().put("Replicas", count)));
    }
    if (deploy == null) {
      return;
    }
    if (deploy.has("update_config")) {
      spec.put("UpdateConfig", updateConfig(deploy.get("update_config"), false));
    }
    if (deploy.has("rollback_config")) {
      spec.put("RollbackConfig", updateConfig(deploy.get("rollback_config"), true));
    }
    if (deploy.has("restart_policy")) {
      MapNode rp = read.requireMap(deploy.get("restart_policy"));
      read.checkKeys(rp, Set.of("condition", "delay", "max_attempts", "window"));
      JsonObject policy = new JsonObject();
      if (rp.has("condition")) {
        String condition = read.string(rp.get("condition"));
        if (!Set.of("none", "on-failure", "any").contains(condition)) {
          throw rp.get("condition").error("must be none, on-failure or any, not \"" + condition + "\"");
        }
        policy.put("Condition", condition);
      }
      if (rp.has("delay")) {
        policy.put("Delay", read.duration(rp.get("delay")));
      }
      if (rp.has("max_attempts")) {
        policy.put("MaxAttempts", read.integer(rp.get("max_attempts"), 0, Long.MAX_VALUE));
      }
      if (rp.has("window")) {
        policy.put("Window", read.duration(rp.get("window")));
      }
      task.put("RestartPolicy", policy);
    }
    if (deploy.has("resources")) {
      task.put("Resources", resources(read.requireMap(deploy.get("resources"))));
    }
    if (deploy.has("placement")) {
      MapNode pl = read.requireMap(deploy.get("placement"));
      read.checkKeys(pl, Set.of("constraints", "preferences", "max_replicas_per_node"));
      JsonObject placement = new JsonObject();
      if (pl.has("constraints")) {
        List<String> constraints = read.stringList(pl.get("constraints"), false);
        for (int i = 0; i < constraints.size(); i++) {
          if (!constraints.get(i).matches("\\s*[^=!\\s]+\\s*(==|!=)\\s*\\S.*")) {
            throw ((ListNode) pl.get("constraints")).items.get(i).error("\"" + constraints.get(i)
                + "\" is not a constraint (write e.g. node.role == manager)");
          }
        }
        placement.put("Constraints", new JsonArray(new ArrayList<Object>(constraints)));
      }
      if (pl.has("preferences")) {
        JsonArray prefs = new JsonArray();
        for (Node item : read.requireList(pl.get("preferences")).items) {
          MapNode pref = read.requireMap(item);
          read.checkKeys(pref, Set.of("spread"));
          if (!pref.has("spread")) {
            throw item.error("a preference needs spread: <node label or attribute>");
          }
          prefs.add(new JsonObject().put("Spread",
              new JsonObject().put("SpreadDescriptor", read.string(pref.get("spread")))));
        }
        placement.put("Preferences", prefs);
      }
      if (pl.has("max_replicas_per_node")) {
        placement.put("MaxReplicas", read.integer(pl.get("max_replicas_per_node"), 0, Long.MAX_VALUE));
      }
      task.put("Placement", placement);
    }
  }

  private JsonObject updateConfig(Node node, boolean rollback) {
    MapNode uc = read.requireMap(node);
    read.checkKeys(uc, UPDATE_KEYS);
    JsonObject out = new JsonObject();
    out.put("Parallelism", uc.has("parallelism") ? read.integer(uc.get("parallelism"), 0, Long.MAX_VALUE) : 1L);
    if (uc.has("delay")) {
      out.put("Delay", read.duration(uc.get("delay")));
    }
    if (uc.has("failure_action")) {
      String action = read.string(uc.get("failure_action"));
      Set<String> allowed = rollback ? Set.of("continue", "pause") : Set.of("continue", "pause", "rollback");
      if (!allowed.contains(action)) {
        throw uc.get("failure_action").error("must be " + (rollback ? "continue or pause" : "continue, pause or rollback")
            + ", not \"" + action + "\"");
      }
      out.put("FailureAction", action);
    }
    if (uc.has("monitor")) {
      out.put("Monitor", read.duration(uc.get("monitor")));
    }
    if (uc.has("max_failure_ratio")) {
      double ratio = read.number(uc.get("max_failure_ratio"));
      if (ratio < 0 || ratio > 1) {
        throw uc.get("max_failure_ratio").error("must be between 0 and 1");
      }
      out.put("MaxFailureRatio", ratio);
    }
    if (uc.has("order")) {
      String order = read.string(uc.get("order"));
      if (!order.equals("stop-first") && !order.equals("start-first")) {
        throw uc.get("order").error("must be stop-first or start-first, not \"" + order + "\"");
      }
      out.put("Order", order);
    }
    return out;
  }

  private JsonObject resources(MapNode res) {
    read.checkKeys(res, Set.of("limits", "reservations"));
    JsonObject out = new JsonObject();
    if (res.has("limits")) {
      MapNode limits = read.requireMap(res.get("limits"));
      read.checkKeys(limits, Set.of("cpus", "memory", "pids"));
      JsonObject l = new JsonObject();
      if (limits.has("cpus")) {
        l.put("NanoCPUs", read.nanoCpus(limits.get("cpus")));
      }
      if (limits.has("memory")) {
        l.put("MemoryBytes", read.bytes(limits.get("memory")));
      }
      if (limits.has("pids")) {
        l.put("Pids", read.integer(limits.get("pids"), 0, Long.MAX_VALUE));
      }
      out.put("Limits", l);
    }
    if (res.has("reservations")) {
      MapNode reservations = read.requireMap(res.get("reservations"));
      read.checkKeys(reservations, Set.of("cpus", "memory", "generic_resources"));
      JsonObject r = new JsonObject();
      if (reservations.has("cpus")) {
        r.put("NanoCPUs", read.nanoCpus(reservations.get("cpus")));
      }
      if (reservations.has("memory")) {
        r.put("MemoryBytes", read.bytes(reservations.get("memory")));
      }
      if (reservations.has("generic_resources")) {
        JsonArray generic = new JsonArray();
        for (Node item : read.requireList(reservations.get("generic_resources")).items) {
          MapNode g = read.requireMap(item);
          read.checkKeys(g, Set.of("discrete_resource_spec"));
          if (!g.has("discrete_resource_spec")) {
            throw item.error("needs discrete_resource_spec: {kind, value}");
          }
          MapNode d = read.requireMap(g.get("discrete_resource_spec"));
          read.checkKeys(d, Set.of("kind", "value"));
          if (!d.has("kind") || !d.has("value")) {
            throw d.error("needs kind and value");
          }
          generic.add(new JsonObject().put("DiscreteResourceSpec", new JsonObject()
              .put("Kind", read.string(d.get("kind"))).put("Value", read.integer(d.get("value"), 0, Long.MAX_VALUE))));
        }
        r.put("GenericResources", generic);
      }
      out.put("Reservations", r);
    }
    return out;
  }

  private JsonObject endpoint(Node portsNode, MapNode deploy) {
    String mode = "vip";
    if (deploy != null && deploy.has("endpoint_mode")) {
      mode = read.string(deploy.get("endpoint_mode")).toLowerCase(java.util.Locale.ROOT);
      if (!mode.equals("vip") && !mode.equals("dnsrr")) {
        throw deploy.get("endpoint_mode").error("must be vip or dnsrr, not \"" + mode + "\"");
      }
    }
    JsonObject out = new JsonObject().put("Mode", mode);
    if (portsNode == null || portsNode instanceof Scalar s && s.type == Scalar.Type.NULL) {
      return out;
    }
    List<JsonObject> ports = new ArrayList<>();
    for (Node item : read.requireList(portsNode).items) {
      List<JsonObject> parsed = item instanceof MapNode map ? List.of(longPort(map)) : shortPort(item);
      for (JsonObject p : parsed) {
        if (mode.equals("dnsrr") && p.getString("PublishMode").equals("ingress") && p.containsKey("PublishedPort")) {
          throw item.error("endpoint_mode dnsrr cannot publish ports through the ingress routing mesh; use the long"
              + " syntax with mode: host");
        }
      }
      ports.addAll(parsed);
    }
    Set<String> seen = new TreeSet<>();
    for (JsonObject p : ports) {
      if (p.containsKey("PublishedPort") && p.getString("PublishMode").equals("ingress")
          && !seen.add(p.getLong("PublishedPort") + "/" + p.getString("Protocol"))) {
        throw portsNode.error("published port " + p.getLong("PublishedPort") + "/" + p.getString("Protocol")
            + " appears twice");
      }
    }
    ports.sort(Comparator.comparing((JsonObject p) -> p.getLong("TargetPort"))
        .thenComparing(p -> p.getLong("PublishedPort", 0L))
        .thenComparing(p -> p.getString("Protocol"))
        .thenComparing(p -> p.getString("PublishMode")));
    if (!ports.isEmpty()) {
      out.put("Ports", new JsonArray(new ArrayList<Object>(ports)));
    }
    return out;
  }

  private List<JsonObject> shortPort(Node item) {
    if (!(item instanceof Scalar s) || s.type == Scalar.Type.NULL || s.type == Scalar.Type.BOOL) {
      throw item.error("must be \"published:target[/protocol]\", a port number, or a mapping, not " + item.kind());
    }
    String spec = s.text.trim();
    String protocol = "tcp";
    int slash = spec.lastIndexOf('/');
    if (slash >= 0) {
      protocol = spec.substring(slash + 1).toLowerCase(java.util.Locale.ROOT);
      spec = spec.substring(0, slash);
      checkProtocol(item, protocol);
    }
    String[] parts = spec.split(":", -1);
    String published;
    String target;
    if (parts.length == 1) {
      published = null;
      target = parts[0];
    } else if (parts.length == 2) {
      published = parts[0];
      target = parts[1];
    } else if (parts.length == 3) {
      if (!parts[0].isEmpty()) {
        read.warn(item, "host IP " + parts[0] + " is ignored by swarm: ports are"
            + " published on every address of the nodes");
      }
      published = parts[1];
      target = parts[2];
    } else {
      throw item.error("\"" + s.text + "\" is not a port (write e.g. \"8080:80\" or \"8080:80/udp\"; quote it)");
    }
    long[] targets = portRange(item, target, s.text);
    long[] publishedRange = published == null || published.isEmpty() ? null : portRange(item, published, s.text);
    if (publishedRange != null && publishedRange[1] - publishedRange[0] != targets[1] - targets[0]) {
      throw item.error("\"" + s.text + "\": the published and target ranges differ in size");
    }
    List<JsonObject> out = new ArrayList<>();
    for (long t = targets[0]; t <= targets[1]; t++) {
      JsonObject port = new JsonObject().put("Protocol", protocol).put("TargetPort", t);
      if (publishedRange != null) {
        port.put("PublishedPort", publishedRange[0] + (t - targets[0]));
      }
      port.put("PublishMode", "ingress");
      out.add(port);
    }
    return out;
  }

  private long[] portRange(Node where, String text, String whole) {
    String[] bounds = text.split("-", -1);
    if (bounds.length > 2) {
      throw where.error("\"" + whole + "\" is not a port");
    }
    long low = port(where, bounds[0], whole);
    long high = bounds.length == 2 ? port(where, bounds[1], whole) : low;
    if (high < low) {
      throw where.error("\"" + whole + "\": the range ends before it starts");
    }
    return new long[] {low, high};
  }

  private long port(Node where, String text, String whole) {
    if (!Names.isDigits(text, 5)) {
      throw where.error("\"" + whole + "\" is not a port (write e.g. \"8080:80\" or \"8080:80/udp\"; quote it)");
    }
    long port = Long.parseLong(text);
    if (port < 1 || port > 65535) {
      throw where.error("port " + port + " is out of range 1-65535");
    }
    return port;
  }

  private void checkProtocol(Node where, String protocol) {
    if (!Set.of("tcp", "udp", "sctp").contains(protocol)) {
      throw where.error("protocol must be tcp, udp or sctp, not \"" + protocol + "\"");
    }
  }

  private JsonObject longPort(MapNode map) {
    read.checkKeys(map, Set.of("target", "published", "protocol", "mode", "host_ip", "name", "app_protocol"));
    if (!map.has("target")) {
      throw map.error("target is required");
    }
    JsonObject port = new JsonObject();
    String protocol = map.has("protocol") ? read.string(map.get("protocol")).toLowerCase(java.util.Locale.ROOT) : "tcp";
    checkProtocol(map.get("protocol") == null ? map : map.get("protocol"), protocol);
    port.put("Protocol", protocol);
    port.put("TargetPort", read.integer(map.get("target"), 1, 65535));
    if (map.has("published")) {
      Node published = map.get("published");
      long value = published instanceof Scalar s && s.type == Scalar.Type.STRING && !s.interpolated
          ? port(published, s.text, s.text) : read.integer(published, 1, 65535);
      port.put("PublishedPort", value);
    }
    String mode = map.has("mode") ? read.string(map.get("mode")) : "ingress";
    if (!mode.equals("ingress") && !mode.equals("host")) {
      throw map.get("mode").error("must be ingress or host, not \"" + mode + "\"");
    }
    port.put("PublishMode", mode);
    for (String ignored : List.of("host_ip", "name", "app_protocol")) {
      if (map.has(ignored)) {
        Node n = map.get(ignored);
        read.warn(n, ignored + " is ignored by swarm");
      }
    }
    return port;
  }

  private JsonArray mounts(Node node) {
    JsonArray out = new JsonArray();
    for (Node item : read.requireList(node).items) {
      out.add(item instanceof MapNode map ? longMount(map) : shortMount(item));
    }
    return out;
  }

  private JsonObject shortMount(Node item) {
    String text = read.string(item);
    String[] parts = text.split(":", -1);
    if (parts.length > 3 || anyEmpty(parts)) {
      throw item.error("\"" + text + "\" is not a volume (write name:/path, /host/path:/path or /path,"
          + " optionally with :ro)");
    }
    String source = parts.length == 1 ? null : parts[0];
    String target = parts.length == 1 ? parts[0] : parts[1];
    boolean readOnly = false;
    boolean noCopy = false;
    String propagation = null;
    if (parts.length == 3) {
      for (String opt : parts[2].split(",")) {
        switch (opt) {
          case "ro":
            readOnly = true;
            break;
          case "rw":
            readOnly = false;
            break;
          case "nocopy":
            noCopy = true;
            break;
          case "shared": case "slave": case "private": case "rshared": case "rslave": case "rprivate":
            propagation = opt;
            break;
          case "z": case "Z": case "cached": case "delegated": case "consistent":
            read.warn(item, "volume option " + opt + " is ignored by swarm");
            break;
          default:
            throw item.error("unknown volume option \"" + opt + "\" (ro, rw, nocopy or a bind propagation)");
        }
      }
    }
    if (!target.startsWith("/")) {
      throw item.error("the container path \"" + target + "\" must be absolute");
    }
    if (source == null) {
      return new JsonObject().put("Type", "volume").put("Target", target).put("ReadOnly", readOnly);
    }
    if (source.startsWith("/")) {
      String refusal = policy.bindRefusal(source, admin);
      if (refusal != null) {
        throw item.error(refusal);
      }
      JsonObject m = new JsonObject().put("Type", "bind").put("Source", source).put("Target", target)
          .put("ReadOnly", readOnly);
      if (propagation != null) {
        m.put("BindOptions", new JsonObject().put("Propagation", propagation));
      }
      return m;
    }
    if (source.startsWith(".") || source.startsWith("~")) {
      throw item.error("relative host path \"" + source + "\" cannot be resolved: stack files are deployed"
          + " without their directory; give an absolute path on the nodes");
    }
    return namedVolume(item, source, target, readOnly, noCopy);
  }

  private static boolean anyEmpty(String[] parts) {
    for (String p : parts) {
      if (p.isEmpty()) {
        return true;
      }
    }
    return false;
  }

  private JsonObject namedVolume(Node where, String source, String target, boolean readOnly, boolean noCopy) {
    if (!volumes.containsKey(source)) {
      throw where.error("undefined volume \"" + source + "\": declare it under the top-level volumes:");
    }
    Declared d = volumes.get(source);
    JsonObject m = new JsonObject().put("Type", "volume").put("Target", target).put("ReadOnly", readOnly);
    if (d == null) {
      return m; // its declaration failed and was reported
    }
    m.put("Source", d.name());
    JsonObject options = new JsonObject();
    if (noCopy) {
      options.put("NoCopy", true);
    }
    if (!d.external()) {
      JsonObject labels = d.node() == null ? new JsonObject() : read.labels(d.node().get("labels"));
      labels.put(StackPlan.NAMESPACE_LABEL, read.stack());
      options.put("Labels", labels);
      if (d.node() != null && (d.node().has("driver") || d.node().has("driver_opts"))) {
        JsonObject driver = new JsonObject()
            .put("Name", d.node().has("driver") ? read.string(d.node().get("driver")) : "local");
        if (d.node().has("driver_opts")) {
          driver.put("Options", read.labels(d.node().get("driver_opts")));
        }
        options.put("DriverConfig", driver);
      }
    }
    if (!options.isEmpty()) {
      m.put("VolumeOptions", options);
    }
    return m;
  }

  private JsonObject longMount(MapNode map) {
    read.checkKeys(map, Set.of("type", "source", "target", "read_only", "bind", "volume", "tmpfs", "consistency"));
    if (!map.has("type")) {
      throw map.error("type is required (volume, bind or tmpfs)");
    }
    if (!map.has("target")) {
      throw map.error("target is required");
    }
    String type = read.string(map.get("type"));
    String target = read.string(map.get("target"));
    if (!target.startsWith("/")) {
      throw map.get("target").error("the container path \"" + target + "\" must be absolute");
    }
    boolean readOnly = map.has("read_only") && read.bool(map.get("read_only"));
    if (map.has("consistency")) {
      Node n = map.get("consistency");
      read.warn(n, "consistency is ignored by swarm");
    }
    switch (type) {
      case "volume": {
        onlyOptions(map, "volume");
        boolean noCopy = false;
        if (map.has("volume")) {
          MapNode v = read.requireMap(map.get("volume"));
          read.checkKeys(v, Set.of("nocopy"));
          noCopy = v.has("nocopy") && read.bool(v.get("nocopy"));
        }
        if (!map.has("source")) {
          JsonObject m = new JsonObject().put("Type", "volume").put("Target", target).put("ReadOnly", readOnly);
          if (noCopy) {
            m.put("VolumeOptions", new JsonObject().put("NoCopy", true));
          }
          return m;
        }
        return namedVolume(map.get("source"), read.string(map.get("source")), target, readOnly, noCopy);
      }
      case "bind": {
        onlyOptions(map, "bind");
        if (!map.has("source")) {
          throw map.error("a bind mount needs a source");
        }
        String source = read.string(map.get("source"));
        if (!source.startsWith("/")) {
          throw map.get("source").error("relative host path \"" + source + "\" cannot be resolved: stack files are"
              + " deployed without their directory; give an absolute path on the nodes");
        }
        String refusal = policy.bindRefusal(source, admin);
        if (refusal != null) {
          throw map.get("source").error(refusal);
        }
        JsonObject m = new JsonObject().put("Type", "bind").put("Source", source).put("Target", target)
            .put("ReadOnly", readOnly);
        if (map.has("bind")) {
          MapNode b = read.requireMap(map.get("bind"));
          read.checkKeys(b, Set.of("propagation"));
          if (b.has("propagation")) {
            String p = read.string(b.get("propagation"));
            if (!Set.of("shared", "slave", "private", "rshared", "rslave", "rprivate").contains(p)) {
              throw b.get("propagation").error("must be one of shared, slave, private, rshared, rslave, rprivate");
            }
            m.put("BindOptions", new JsonObject().put("Propagation", p));
          }
        }
        return m;
      }
      case "tmpfs": {
        onlyOptions(map, "tmpfs");
        if (map.has("source")) {
          throw map.get("source").error("a tmpfs mount has no source");
        }
        JsonObject m = new JsonObject().put("Type", "tmpfs").put("Target", target).put("ReadOnly", readOnly);
        if (map.has("tmpfs")) {
          MapNode t = read.requireMap(map.get("tmpfs"));
          read.checkKeys(t, Set.of("size", "mode"));
          JsonObject opts = new JsonObject();
          if (t.has("size")) {
            opts.put("SizeBytes", read.bytes(t.get("size")));
          }
          if (t.has("mode")) {
            opts.put("Mode", read.integer(t.get("mode"), 0, 07777));
          }
          m.put("TmpfsOptions", opts);
        }
        return m;
      }
      default:
        throw map.get("type").error("must be volume, bind or tmpfs, not \"" + type + "\"");
    }
  }

  private void onlyOptions(MapNode map, String type) {
    for (String other : List.of("volume", "bind", "tmpfs")) {
      if (!other.equals(type) && map.has(other)) {
        throw map.get(other).error(other + " options do not apply to a " + type + " mount");
      }
    }
  }
}
