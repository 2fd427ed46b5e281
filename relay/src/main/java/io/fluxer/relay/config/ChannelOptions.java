package io.fluxer.relay.config;

import io.fluxer.common.config.ConfigException;
import io.fluxer.common.config.ConfigValues;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Channel namespaces.
 *
 * <p>The relay reserves namespaces for its own channels: {@value #SYS_NAMESPACE} ({@code sys:stats}),
 * and for the control plane {@code deploy} (deployment states, with history and recovery),
 * {@code logs} (live log lines) and {@code swarm} (engine events, with history and recovery).
 * {@link #withReserved()} adds each one the configuration does not define, closed but for
 * subscriptions by holders of the {@code viewer} role (or a higher one).
 *
 * @param withoutNamespace options of channels without a {@code :}
 * @param namespaces by name
 * @param maxChannelLength longest channel name accepted
 */
public record ChannelOptions(NamespaceOptions withoutNamespace, Map<String, NamespaceOptions> namespaces,
                             int maxChannelLength) {
  /** The reserved namespace of the relay's own channels. */
  public static final String SYS_NAMESPACE = "sys";

  public ChannelOptions {
    namespaces = Map.copyOf(namespaces);
  }

  /**
   * These options plus the reserved {@value #SYS_NAMESPACE} namespace when they do not define it: no
   * history, nothing allowed but subscribing with the {@code viewer} role (or a higher one).
   */
  public ChannelOptions withReserved() {
    if (namespaces.keySet().containsAll(RESERVED.keySet())) {
      return this;
    }
    Map<String, NamespaceOptions> all = new LinkedHashMap<>(namespaces);
    RESERVED.forEach(all::putIfAbsent);
    return new ChannelOptions(withoutNamespace, all, maxChannelLength);
  }

  /** Whether {@code name} is one of the relay's reserved namespaces (they can be changed, not removed). */
  public static boolean isReserved(String name) {
    return RESERVED.containsKey(name);
  }

  /** The reserved namespaces with their default options, by name. */
  public static final Map<String, NamespaceOptions> RESERVED = reserved();

  private static Map<String, NamespaceOptions> reserved() {
    Map<String, NamespaceOptions> all = new LinkedHashMap<>();
    all.put(SYS_NAMESPACE, sysNamespace());
    all.put("deploy", NamespaceOptions.parse(new JsonObject().put("history_size", 100).put("history_ttl", "24h")
        .put("force_recovery", true).put("allow_subscribe_for_role", "viewer"), "deploy"));
    all.put("logs", NamespaceOptions.parse(new JsonObject().put("allow_subscribe_for_role", "viewer"), "logs"));
    all.put("swarm", NamespaceOptions.parse(new JsonObject().put("history_size", 100).put("history_ttl", "10m")
        .put("force_recovery", true).put("allow_subscribe_for_role", "viewer"), "swarm"));
    return Map.copyOf(all);
  }

  /** The default options of the reserved {@value #SYS_NAMESPACE} namespace. */
  public static NamespaceOptions sysNamespace() {
    return new NamespaceOptions(SYS_NAMESPACE, 0, Duration.ZERO, false, false, false, false, false, false, false,
        false, false, false, false, false, false, null, Role.VIEWER, false, false, Set.of(), false);
  }

  static ChannelOptions fromJson(JsonObject json) {
    ConfigValues v = new ConfigValues(json, "channel", Set.of("without_namespace", "namespaces", "max_channel_length"));
    NamespaceOptions top = NamespaceOptions.fromJson(v.object("without_namespace"), "channel.without_namespace", "");
    Map<String, NamespaceOptions> namespaces = new LinkedHashMap<>();
    Object raw = v.raw("namespaces");
    if (raw instanceof String s) {
      // from an environment override: JSON text
      try {
        raw = new JsonArray(s);
      } catch (RuntimeException e) {
        throw new ConfigException("channel.namespaces", "must be a JSON array of namespace objects");
      }
    }
    if (raw != null) {
      if (!(raw instanceof JsonArray array)) {
        throw new ConfigException("channel.namespaces", "must be a list of namespace objects");
      }
      for (int i = 0; i < array.size(); i++) {
        if (!(array.getValue(i) instanceof JsonObject ns)) {
          throw new ConfigException("channel.namespaces[" + i + "]", "must be an object");
        }
        Object name = ns.getValue("name");
        if (!(name instanceof String n) || n.isEmpty()) {
          throw new ConfigException("channel.namespaces[" + i + "].name", "required");
        }
        if (namespaces.containsKey(n)) {
          throw new ConfigException("channel.namespaces[" + i + "].name", "duplicate namespace '" + n + "'");
        }
        namespaces.put(n, NamespaceOptions.fromJson(ns, "channel.namespaces." + n, n));
      }
    }
    return new ChannelOptions(top, namespaces, v.integer("max_channel_length", 255, 1, 65535));
  }
}
