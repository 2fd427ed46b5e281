package io.fluxer.relay.metrics;

import io.fluxer.relay.engine.PresenceManager;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.PresenceStats;
import io.vertx.core.Future;
import java.util.Map;

/**
 * A {@link PresenceManager} that times every operation of the one it wraps
 * ({@code fluxer_engine_operation_seconds{engine="presence"}}) and otherwise passes calls and
 * results through unchanged.
 */
public final class TimedPresenceManager implements PresenceManager {
  private final PresenceManager delegate;
  private final OperationTimer presence;
  private final OperationTimer presenceStats;
  private final OperationTimer addPresence;
  private final OperationTimer removePresence;

  TimedPresenceManager(PresenceManager delegate, FluxerMetrics metrics) {
    this.delegate = delegate;
    this.presence = new OperationTimer(metrics, "presence", "presence");
    this.presenceStats = new OperationTimer(metrics, "presence", "presence_stats");
    this.addPresence = new OperationTimer(metrics, "presence", "add_presence");
    this.removePresence = new OperationTimer(metrics, "presence", "remove_presence");
  }

  /** The wrapped presence manager. */
  public PresenceManager delegate() {
    return delegate;
  }

  @Override
  public Future<Map<String, ClientInfo>> presence(String channel) {
    long start = System.nanoTime();
    return presence.time(start, delegate.presence(channel));
  }

  @Override
  public Future<PresenceStats> presenceStats(String channel) {
    long start = System.nanoTime();
    return presenceStats.time(start, delegate.presenceStats(channel));
  }

  @Override
  public Future<Void> addPresence(String channel, String clientId, ClientInfo info) {
    long start = System.nanoTime();
    return addPresence.time(start, delegate.addPresence(channel, clientId, info));
  }

  @Override
  public Future<Void> removePresence(String channel, String clientId, String userId) {
    long start = System.nanoTime();
    return removePresence.time(start, delegate.removePresence(channel, clientId, userId));
  }

  @Override
  public Future<Void> close() {
    return delegate.close();
  }
}
