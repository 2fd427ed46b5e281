package io.fluxer.relay.metrics;

import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import java.util.concurrent.TimeUnit;

/**
 * Times one engine operation: from the call until its future completes, as
 * {@code fluxer_engine_operation_seconds{engine, operation, outcome}}. The error timer is
 * registered on the first failure only, so healthy nodes do not export empty error histograms.
 */
final class OperationTimer {
  private final FluxerMetrics metrics;
  private final String engine;
  private final String operation;
  private final Timer success;
  private volatile Timer error;

  OperationTimer(FluxerMetrics metrics, String engine, String operation) {
    this.metrics = metrics;
    this.engine = engine;
    this.operation = operation;
    this.success = metrics.engineTimer(engine, operation, "success");
  }

  /** Records when {@code result} completes, counting from {@code startNanos}; returns it unchanged. */
  <T> Future<T> time(long startNanos, Future<T> result) {
    result.onComplete(ar -> record(ar.succeeded(), System.nanoTime() - startNanos));
    return result;
  }

  private void record(boolean succeeded, long nanos) {
    Timer timer = succeeded ? success : errorTimer();
    if (timer != null) {
      timer.record(nanos, TimeUnit.NANOSECONDS);
    }
  }

  private Timer errorTimer() {
    Timer t = error;
    if (t == null) {
      t = metrics.engineTimer(engine, operation, "error");
      error = t;
    }
    return t;
  }
}
