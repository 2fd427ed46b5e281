package io.fluxer.relay.testing;

import io.fluxer.relay.engine.Broker;
import io.fluxer.relay.engine.BrokerEventHandler;
import io.fluxer.relay.engine.HistoryFilter;
import io.fluxer.relay.engine.PublishOptions;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.HistoryResult;
import io.fluxer.relay.protocol.StreamPosition;
import io.vertx.core.Future;

/** A {@link Broker} that hands every call to a real one; a test overrides what it changes. */
public class ForwardingBroker implements Broker {
  protected final Broker real;

  public ForwardingBroker(Broker real) {
    this.real = real;
  }

  @Override
  public void setEventHandler(BrokerEventHandler handler) {
    real.setEventHandler(handler);
  }

  @Override
  public Future<StreamPosition> publish(String channel, String data, PublishOptions options) {
    return real.publish(channel, data, options);
  }

  @Override
  public Future<Void> publishJoin(String channel, ClientInfo info) {
    return real.publishJoin(channel, info);
  }

  @Override
  public Future<Void> publishLeave(String channel, ClientInfo info) {
    return real.publishLeave(channel, info);
  }

  @Override
  public Future<Void> subscribe(String channel) {
    return real.subscribe(channel);
  }

  @Override
  public void unsubscribe(String channel) {
    real.unsubscribe(channel);
  }

  @Override
  public Future<HistoryResult> history(String channel, HistoryFilter filter) {
    return real.history(channel, filter);
  }

  @Override
  public Future<Void> removeHistory(String channel) {
    return real.removeHistory(channel);
  }

  @Override
  public Future<Void> close() {
    return real.close();
  }
}
