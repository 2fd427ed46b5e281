package io.fluxer.control.logs;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which {@code logs:<service>} channels have subscribers somewhere in the cluster, from the relay
 * nodes' notices on {@code fluxer.control.interest} ({@code {"node", "channels", "repeat_ms"}}).
 *
 * <p>Each node's set replaces the one before; an empty set forgets the node. A node that sends no
 * notice for {@value #EXPIRY_FACTOR} times its {@code repeat_ms} is taken for dead and its set ends.
 * Not thread-safe: used on one context.
 */
final class LogInterest {
  private static final System.Logger LOG = System.getLogger(LogInterest.class.getName());
  static final String PREFIX = "logs:";
  static final int EXPIRY_FACTOR = 3;
  static final long DEFAULT_REPEAT_MILLIS = 10_000;
  /** A swarm service's name or ID, as a channel may name it. */
  private static final Pattern SERVICE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,254}");

  private record NodeInterest(Set<String> services, long expiresAt) {}

  private final Map<String, NodeInterest> nodes = new HashMap<>();

  /** Takes one notice; false (and logged) when it is malformed. */
  boolean notice(JsonObject notice, long nowMillis) {
    Object node = notice == null ? null : notice.getValue("node");
    Object channels = notice == null ? null : notice.getValue("channels");
    if (!(node instanceof String id) || id.isEmpty() || !(channels instanceof JsonArray list)) {
      LOG.log(Level.WARNING, "ignoring a malformed log interest notice: " + notice);
      return false;
    }
    Object repeat = notice.getValue("repeat_ms");
    long repeatMillis = repeat instanceof Number n && n.longValue() > 0 ? n.longValue() : DEFAULT_REPEAT_MILLIS;
    Set<String> services = new TreeSet<>();
    for (Object channel : list) {
      String service = service(channel);
      if (service != null) {
        services.add(service);
      }
    }
    if (services.isEmpty()) {
      nodes.remove(id);
    } else {
      nodes.put(id, new NodeInterest(Set.copyOf(services), nowMillis + EXPIRY_FACTOR * repeatMillis));
    }
    return true;
  }

  /** The services some live node wants followed; forgets the nodes that expired. */
  Set<String> services(long nowMillis) {
    nodes.values().removeIf(n -> n.expiresAt() <= nowMillis);
    Set<String> all = new TreeSet<>();
    nodes.values().forEach(n -> all.addAll(n.services()));
    return all;
  }

  /** The service of a {@code logs:<service>} channel; null (logged) when it names none. */
  static String service(Object channel) {
    if (channel instanceof String name && name.startsWith(PREFIX)) {
      String service = name.substring(PREFIX.length());
      if (SERVICE.matcher(service).matches()) {
        return service;
      }
    }
    LOG.log(Level.DEBUG, "not a service's log channel, ignored: " + channel);
    return null;
  }

  static String channel(String service) {
    return PREFIX + service;
  }
}
