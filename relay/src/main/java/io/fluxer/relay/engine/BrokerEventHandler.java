package io.fluxer.relay.engine;

import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.Publication;
import io.fluxer.relay.protocol.StreamPosition;
import io.vertx.core.Future;
import java.util.function.Consumer;

/**
 * How a broker reports events up to the node. A broker never touches clients: the node registers one
 * handler, which fans events out to the relay instances.
 *
 * <p>For one channel, {@link #onPublication} is called in offset order, never concurrently.
 */
public interface BrokerEventHandler {
  /**
   * A publication the broker stored (or, without history, only numbered 0).
   *
   * @param epoch the epoch of the channel's stream the offset belongs to; empty without history
   */
  void onPublication(String channel, Publication publication, String epoch);

  void onJoin(String channel, ClientInfo info);

  void onLeave(String channel, ClientInfo info);

  /**
   * The broker may have missed events of the channel (it lost the channel's feed for a while and
   * has it again); its stream is at {@code position} now ({@code offset} 0 and an empty epoch: Redis
   * has no stream of it). Called after every event of the channel the broker did get before it.
   */
  default void onPosition(String channel, StreamPosition position) {
  }

  /**
   * Hands one event to {@code handler} for a broker's fan-out-only operations (join, leave): a
   * failed future when no handler is set yet or when it throws.
   */
  static Future<Void> hand(BrokerEventHandler handler, Consumer<BrokerEventHandler> event) {
    if (handler == null) {
      return Future.failedFuture(new IllegalStateException("no event handler set"));
    }
    try {
      event.accept(handler);
      return Future.succeededFuture();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }
}
