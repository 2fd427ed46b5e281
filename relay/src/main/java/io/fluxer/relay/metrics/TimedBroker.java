package io.fluxer.relay.metrics;

import io.fluxer.relay.engine.Broker;
import io.fluxer.relay.engine.BrokerEventHandler;
import io.fluxer.relay.engine.HistoryFilter;
import io.fluxer.relay.engine.PublishOptions;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.HistoryResult;
import io.fluxer.relay.protocol.StreamPosition;
import io.vertx.core.Future;

/**
 * A {@link Broker} that times every operation of the broker it wraps
 * ({@code fluxer_engine_operation_seconds{engine="broker"}}) and otherwise passes calls and results
 * through unchanged.
 */
public final class TimedBroker implements Broker {
  private final Broker delegate;
  private final OperationTimer publish;
  private final OperationTimer publishJoin;
  private final OperationTimer publishLeave;
  private final OperationTimer subscribe;
  private final OperationTimer history;
  private final OperationTimer removeHistory;

  TimedBroker(Broker delegate, FluxerMetrics metrics) {
    this.delegate = delegate;
    this.publish = new OperationTimer(metrics, "broker", "publish");
    this.publishJoin = new OperationTimer(metrics, "broker", "publish_join");
    this.publishLeave = new OperationTimer(metrics, "broker", "publish_leave");
    this.subscribe = new OperationTimer(metrics, "broker", "subscribe");
    this.history = new OperationTimer(metrics, "broker", "history");
    this.removeHistory = new OperationTimer(metrics, "broker", "remove_history");
  }

  /** The wrapped broker. */
  public Broker delegate() {
    return delegate;
  }

  @Override
  public void setEventHandler(BrokerEventHandler handler) {
    delegate.setEventHandler(handler);
  }

  @Override
  public Future<StreamPosition> publish(String channel, String data, PublishOptions options) {
    long start = System.nanoTime();
    return publish.time(start, delegate.publish(channel, data, options));
  }

  @Override
  public Future<Void> publishJoin(String channel, ClientInfo info) {
    long start = System.nanoTime();
    return publishJoin.time(start, delegate.publishJoin(channel, info));
  }

  @Override
  public Future<Void> publishLeave(String channel, ClientInfo info) {
    long start = System.nanoTime();
    return publishLeave.time(start, delegate.publishLeave(channel, info));
  }

  @Override
  public Future<Void> subscribe(String channel) {
    long start = System.nanoTime();
    return subscribe.time(start, delegate.subscribe(channel));
  }

  @Override
  public void unsubscribe(String channel) {
    delegate.unsubscribe(channel);
  }

  @Override
  public Future<HistoryResult> history(String channel, HistoryFilter filter) {
    long start = System.nanoTime();
    return history.time(start, delegate.history(channel, filter));
  }

  @Override
  public Future<Void> removeHistory(String channel) {
    long start = System.nanoTime();
    return removeHistory.time(start, delegate.removeHistory(channel));
  }

  @Override
  public Future<Void> close() {
    return delegate.close();
  }
}
