package io.fluxer.relay.client;

import io.fluxer.relay.engine.BrokerEventHandler;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.Publication;
import io.fluxer.relay.protocol.StreamPosition;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * Takes the broker's events to this node's subscribers: each event becomes one {@link Delivery},
 * which the {@link LocalFanout} hands to the node's event loops. The delivery encodes its frame once
 * per codec in use, whichever loop asks first. Other nodes' events arrive the same way: the broker
 * hands this node what any node published to the channels it subscribed to (the Redis broker through
 * Redis pub/sub), and nothing else.
 */
public final class NodeDeliveries implements BrokerEventHandler {
  private final LocalFanout local;
  private final LongAdder publications = new LongAdder();

  public NodeDeliveries(LocalFanout local) {
    this.local = Objects.requireNonNull(local, "local");
  }

  @Override
  public void onPublication(String channel, Publication publication, String epoch) {
    publications.increment();
    local.deliver(Delivery.publication(channel, publication, epoch, System.nanoTime()));
  }

  @Override
  public void onJoin(String channel, ClientInfo info) {
    local.deliver(Delivery.join(channel, info));
  }

  @Override
  public void onLeave(String channel, ClientInfo info) {
    local.deliver(Delivery.leave(channel, info));
  }

  @Override
  public void onPosition(String channel, StreamPosition position) {
    local.deliver(Delivery.position(channel, position.epoch(), position.offset()));
  }

  /** Publications the broker handed to this node since it started, from this node and the others. */
  public long publicationsReceived() {
    return publications.sum();
  }
}
