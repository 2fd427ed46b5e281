package io.fluxer.bench;

import io.vertx.core.Context;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * One event loop of the generator and what its connections measured. Everything here is written
 * only from that loop's thread (once per frame, not per message) and read by the scenario runner.
 */
final class Lane {
  final int index;
  final Context context;
  /** Touched only on this lane's loop; read through {@link #takeLatency()}. */
  final LatencyHistogram latency = new LatencyHistogram();
  /** The same, of subscribers on the publisher's node and on another node (connections spread over nodes). */
  final LatencyHistogram sameNodeLatency = new LatencyHistogram();
  final LatencyHistogram otherNodeLatency = new LatencyHistogram();
  /** Latency over time ({@code --timeline}); {@code null} when not asked for. */
  final Timeline timeline;
  /** Publications of the current step received. */
  final AtomicLong received = new AtomicLong();
  /** Publications of an earlier step received during a later one. */
  final AtomicLong late = new AtomicLong();
  /** Sequence numbers skipped (missing publications) and received again or out of order. */
  final AtomicLong gaps = new AtomicLong();
  final AtomicLong duplicates = new AtomicLong();
  /** {@link System#nanoTime()} of the last frame holding a publication of the current step. */
  volatile long lastArrivalNanos;
  /** Frames are copied here to be scanned (one buffer per loop, so no allocation per frame). */
  private byte[] scratch = new byte[64 * 1024];

  Lane(int index, Context context, Timeline timeline) {
    this.index = index;
    this.context = context;
    this.timeline = timeline;
  }

  /** The latencies recorded since the previous call, handed over by a task on the lane's own loop. */
  Histogram takeLatency() {
    Promise<Histogram> p = Promise.promise();
    context.runOnContext(v -> p.complete(latency.takeInterval()));
    return ClientPool.await(p.future(), Duration.ofSeconds(30));
  }

  /** {all, same node, other node} since the previous call, handed over on the lane's own loop. */
  Histogram[] takeLatencies() {
    Promise<Histogram[]> p = Promise.promise();
    context.runOnContext(v -> p.complete(new Histogram[] {latency.takeInterval(), sameNodeLatency.takeInterval(),
        otherNodeLatency.takeInterval()}));
    return ClientPool.await(p.future(), Duration.ofSeconds(30));
  }

  byte[] scratch(int length) {
    if (scratch.length < length) {
      scratch = new byte[Math.max(length, scratch.length * 2)];
    }
    return scratch;
  }
}
