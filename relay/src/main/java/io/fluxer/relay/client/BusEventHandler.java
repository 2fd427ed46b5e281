package io.fluxer.relay.client;

import io.fluxer.relay.Addresses;
import io.fluxer.relay.engine.BrokerEventHandler;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.ProtocolEncoder;
import io.fluxer.relay.protocol.Publication;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;

/**
 * Takes broker events to every relay instance: encodes the push frame once, then publishes it on
 * the event bus, where each server verticle hands the same bytes to its local subscribers.
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
    bus.publish(Addresses.PUB, new Delivery(channel, publication.offset(), epoch,
        ProtocolEncoder.publication(channel, publication), publication.tags(), handedOver), OPTIONS);
  }

  @Override
  public void onJoin(String channel, ClientInfo info) {
    bus.publish(Addresses.JOIN, Delivery.joinLeave(channel, ProtocolEncoder.join(channel, info)), OPTIONS);
  }

  @Override
  public void onLeave(String channel, ClientInfo info) {
    bus.publish(Addresses.LEAVE, Delivery.joinLeave(channel, ProtocolEncoder.leave(channel, info)), OPTIONS);
  }
}
