package io.fluxer.relay.cluster;

import io.fluxer.common.Addresses;
import io.fluxer.relay.stats.NodeStats;
import io.vertx.core.Future;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The other relay nodes of the cluster, as their heartbeats on {@link Addresses#NODES} tell: each
 * node publishes its stats there every stats interval, and a node not heard of for
 * {@code cluster.node_timeout} is dropped (it died, or the network split). A node that stops says
 * so, and is dropped at once. Thread-safe.
 */
public final class NodeDirectory {
  private record Heard(NodeStats stats, long atNanos) {}

  private final EventBus bus;
  private final String selfId;
  private final long timeoutNanos;
  private final LongSupplier nanoClock;
  private final Map<String, Heard> others = new ConcurrentHashMap<>();
  private volatile MessageConsumer<JsonObject> consumer;

  public NodeDirectory(EventBus bus, String selfId, Duration timeout) {
    this(bus, selfId, timeout, System::nanoTime);
  }

  NodeDirectory(EventBus bus, String selfId, Duration timeout, LongSupplier nanoClock) {
    this.bus = bus;
    this.selfId = selfId;
    this.timeoutNanos = timeout.toNanos();
    this.nanoClock = nanoClock;
  }

  /** Starts listening to the other nodes' heartbeats. */
  public Future<Void> start() {
    MessageConsumer<JsonObject> c = bus.consumer(Addresses.NODES, m -> heard(m.body()));
    consumer = c;
    return c.completion();
  }

  /** Tells the other nodes this node's stats (its heartbeat). */
  public void announce(NodeStats self) {
    bus.publish(Addresses.NODES, self.toJson());
  }

  /** Tells the other nodes this one is leaving, and stops listening. */
  public Future<Void> leave() {
    bus.publish(Addresses.NODES, new JsonObject().put("id", selfId).put("gone", true));
    MessageConsumer<JsonObject> c = consumer;
    consumer = null;
    others.clear();
    return c == null ? Future.succeededFuture() : c.unregister();
  }

  void heard(JsonObject body) {
    String id = body == null ? null : body.getString("id");
    if (id == null || id.equals(selfId)) {
      return;
    }
    if (body.getBoolean("gone", false)) {
      others.remove(id);
      return;
    }
    others.put(id, new Heard(NodeStats.fromJson(body), nanoClock.getAsLong()));
  }

  /** The other nodes heard of within the timeout, by name; their stats are at most one interval old. */
  public List<NodeStats> others() {
    long now = nanoClock.getAsLong();
    others.values().removeIf(h -> now - h.atNanos() > timeoutNanos);
    return others.values().stream().map(Heard::stats)
        .sorted(Comparator.comparing(NodeStats::name).thenComparing(NodeStats::id)).toList();
  }

  /** The ids of {@link #others()}. */
  public List<String> otherIds() {
    return others().stream().map(NodeStats::id).toList();
  }
}
