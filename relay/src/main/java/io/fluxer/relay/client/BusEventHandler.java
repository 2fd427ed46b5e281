package io.fluxer.relay.client;

import io.fluxer.relay.Addresses;
import io.fluxer.relay.engine.BrokerEventHandler;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.Publication;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;

/**
 * Takes broker events to every relay instance: publishes each as one {@link Delivery} on the event
 * bus, which every server verticle hands to its local subscribers; the delivery encodes its frame
 * once per codec in use, whichever loop asks first.
 */
public final class BusEventHandler implements BrokerEventHandler {
  private static final DeliveryOptions OPTIONS = new DeliveryOptions().setCodecName(DeliveryCodec.NAME);
  private final EventBus bus;

  public BusEventHandler(EventBus bus) {
    this.bus = bus;
  }

  @Override
  public void onPublication(String channel, Publication publication, String epoch) {
    long handedOver = System.nanoTime();
    bus.publish(Addresses.PUB, Delivery.publication(channel, publication, epoch, handedOver), OPTIONS);
  }

  @Override
  public void onJoin(String channel, ClientInfo info) {
    bus.publish(Addresses.JOIN, Delivery.join(channel, info), OPTIONS);
  }

  @Override
  public void onLeave(String channel, ClientInfo info) {
    bus.publish(Addresses.LEAVE, Delivery.leave(channel, info), OPTIONS);
  }
}
