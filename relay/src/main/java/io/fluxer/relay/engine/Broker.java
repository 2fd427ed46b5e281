package io.fluxer.relay.engine;

import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.HistoryResult;
import io.fluxer.relay.protocol.StreamPosition;
import io.vertx.core.Future;

/**
 * Publishes to channels and keeps their history. Implementations: memory (single node) and Redis
 * (cluster). Every returned future may complete on any thread; callers hop back to their context.
 */
public interface Broker {
  /** Registers the single handler that receives publications, joins and leaves. Call before use. */
  void setEventHandler(BrokerEventHandler handler);

  /**
   * Stores the publication in history (when {@code options} keep history) and hands it to the event
   * handler of every node subscribed to the channel ({@link #subscribe}). Returns the stream position
   * of the publication; for channels without history, the position has offset 0.
   */
  Future<StreamPosition> publish(String channel, String data, PublishOptions options);

  /** Hands a join event to the event handlers of the channel's nodes (fan-out only, nothing is stored). */
  Future<Void> publishJoin(String channel, ClientInfo info);

  /** Hands a leave event to the event handlers of the channel's nodes (fan-out only, nothing is stored). */
  Future<Void> publishLeave(String channel, ClientInfo info);

  /**
   * This node wants the channel's events: once the future completes, every publication, join and
   * leave of the channel published afterwards, on any node, reaches this node's event handler, in
   * order. Counted: each call is matched by one {@link #unsubscribe}, whatever its outcome, and the
   * node stops receiving the channel's events when the count is back to 0. The memory broker (one
   * node) hands every event to its handler anyway.
   */
  Future<Void> subscribe(String channel);

  /** Ends one {@link #subscribe} of the channel. */
  void unsubscribe(String channel);

  /**
   * Reads history. A {@code since} position from another epoch fails with
   * {@link UnrecoverablePositionException}. A channel never published to answers an empty result
   * whose position has offset 0 and a fresh epoch, which stays the channel's epoch afterwards.
   */
  Future<HistoryResult> history(String channel, HistoryFilter filter);

  /** Drops the channel's publications; the epoch and top offset are kept. */
  Future<Void> removeHistory(String channel);

  /**
   * Asks the engine behind the broker whether it answers (Redis: {@code PING} on each server it
   * uses); an in-process engine always does. For the stats' engine panel, not for clients.
   */
  default Future<Void> ping() {
    return Future.succeededFuture();
  }

  Future<Void> close();
}
