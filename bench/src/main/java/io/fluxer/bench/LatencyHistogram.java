package io.fluxer.bench;

import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Latencies in microseconds (HdrHistogram, three significant digits, range growing as needed),
 * owned by one thread: an event loop of the generator records into it and hands over intervals
 * on that same loop ({@link Lane#takeLatency()}), so recording needs no atomic operations (at a
 * million deliveries a second, the atomics of HdrHistogram's recorders cost about a tenth of the
 * generator's CPU).
 */
final class LatencyHistogram {
  private Histogram histogram = new Histogram(3);

  /** Records a latency; only ever called from the owning thread. */
  void recordNanos(long nanos) {
    histogram.recordValue(Math.max(0, nanos / 1000));
  }

  /** What was recorded since the previous call; call from the owning thread. */
  Histogram takeInterval() {
    Histogram h = histogram;
    histogram = new Histogram(3);
    return h;
  }

  /** Sum of several histograms (one per event loop). */
  static Histogram sum(List<Histogram> parts) {
    Histogram total = new Histogram(3);
    for (Histogram h : parts) {
      total.add(h);
    }
    return total;
  }

  static Results.Latency summary(Histogram h) {
    if (h.getTotalCount() == 0) {
      return Results.Latency.NONE;
    }
    return new Results.Latency(h.getTotalCount(),
        ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)),
        ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()));
  }

  private static double ms(long micros) {
    return micros / 1000.0;
  }
}
