package io.fluxer.relay.client;

import io.fluxer.relay.Addresses;
import io.fluxer.relay.engine.BrokerEventHandler;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.Publication;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.List;
import java.util.Objects;

/**
 * Takes broker events to the subscribers of the node and, in a cluster, of every other node: each
 * event becomes one {@link Delivery}, which the {@link LocalFanout} hands to this node's event loops
 * and, in a cluster, the event bus sends once to each other node (on {@code fluxer.relay.pub},
 * {@code join}, {@code leave}). The delivery encodes its frame once per codec in use, whichever loop
 * asks first.
 */
public final class NodeDeliveries implements BrokerEventHandler {
  private static final DeliveryOptions OPTIONS = new DeliveryOptions().setCodecName(DeliveryCodec.NAME);
  private final LocalFanout local;
  /** The clustered event bus; {@code null} on a node alone. */
  private final EventBus cluster;

  private NodeDeliveries(LocalFanout local, EventBus cluster) {
    this.local = Objects.requireNonNull(local, "local");
    this.cluster = cluster;
  }

  /** A node alone: events go to its own loops only. */
  public static NodeDeliveries alone(LocalFanout local) {
    return new NodeDeliveries(local, null);
  }

  /**
   * A member of a cluster: events go to its own loops and to the other members; {@link #listen}
   * takes theirs.
   */
  public static NodeDeliveries clustered(LocalFanout local, EventBus bus) {
    return new NodeDeliveries(local, Objects.requireNonNull(bus, "bus"));
  }

  @Override
  public void onPublication(String channel, Publication publication, String epoch) {
    send(Addresses.PUB, Delivery.publication(channel, publication, epoch, System.nanoTime()));
  }

  @Override
  public void onJoin(String channel, ClientInfo info) {
    send(Addresses.JOIN, Delivery.join(channel, info));
  }

  @Override
  public void onLeave(String channel, ClientInfo info) {
    send(Addresses.LEAVE, Delivery.leave(channel, info));
  }

  private void send(String address, Delivery d) {
    local.deliver(d);
    if (cluster != null) {
      cluster.publish(address, d, OPTIONS);
    }
  }

  /**
   * In a cluster, hands what other members publish to this node's loops (this node's own messages
   * come back too and are dropped: its fan-out has them already). Unregister the consumers to stop.
   */
  public List<MessageConsumer<Delivery>> listen() {
    if (cluster == null) {
      return List.of();
    }
    return List.of(cluster.consumer(Addresses.PUB, m -> fromOtherNode(m.body())),
        cluster.consumer(Addresses.JOIN, m -> fromOtherNode(m.body())),
        cluster.consumer(Addresses.LEAVE, m -> fromOtherNode(m.body())));
  }

  private void fromOtherNode(Delivery d) {
    if (d.fromOtherNode()) {
      local.deliver(d);
    }
  }
}
