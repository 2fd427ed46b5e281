package io.fluxer.relay.engine;

import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.Publication;

/**
 * How a broker reports events up to the node. A broker never touches clients: the node registers one
 * handler, which fans events out to the relay instances.
 *
 * <p>For one channel, {@link #onPublication} is called in offset order, never concurrently.
 */
public interface BrokerEventHandler {
  void onPublication(String channel, Publication publication);

  void onJoin(String channel, ClientInfo info);

  void onLeave(String channel, ClientInfo info);
}
