package io.fluxer.relay.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.fluxer.relay.metrics.FluxerMetrics;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The percentiles of an interval from two readings of a cumulative histogram. */
class LatencyTest {
  private static final long[] BOUNDS = FluxerMetrics.latencyBoundsNanos(); // 10 µs, 25 µs, 50 µs, 100 µs, …

  /** A reading: {@code perBucket[i]} values in bucket i (not cumulative), the total at the end. */
  private static long[] reading(long... perBucket) {
    long[] counts = new long[BOUNDS.length + 1];
    long sum = 0;
    for (int i = 0; i < BOUNDS.length; i++) {
      sum += i < perBucket.length ? perBucket[i] : 0;
      counts[i] = sum;
    }
    counts[BOUNDS.length] = sum + (perBucket.length > BOUNDS.length ? perBucket[BOUNDS.length] : 0);
    return counts;
  }

  @Test
  @DisplayName("values of one bucket give percentiles interpolated within it")
  void oneBucket() {
    Latency l = Latency.between(BOUNDS, reading(), reading(0, 0, 0, 100)); // 100 values in (50 µs, 100 µs]
    assertThat(l.count()).isEqualTo(100);
    assertThat(l.p50Ms()).isEqualTo(0.075);
    assertThat(l.p99Ms()).isCloseTo(0.0995, within(0.001)); // 99.5 µs, kept to the µs
  }

  @Test
  @DisplayName("only the interval's values count: what the first reading held is taken off")
  void onlyTheInterval() {
    long[] before = reading(1000); // 1,000 fast values before the interval
    long[] after = reading(1000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10); // then 10 in (10 ms, 25 ms]
    Latency l = Latency.between(BOUNDS, before, after);
    assertThat(l.count()).isEqualTo(10);
    assertThat(l.p50Ms()).isBetween(10.0, 25.0);
    assertThat(l.p99Ms()).isEqualTo(25.0);
  }

  @Test
  @DisplayName("the median and the tail of a mixed interval land in their own buckets")
  void mixed() {
    long[] after = reading(0, 0, 0, 98, 0, 0, 0, 0, 0, 0, 0, 2); // 98 near 0.1 ms, 2 in (25 ms, 50 ms]
    Latency l = Latency.between(BOUNDS, reading(), after);
    assertThat(l.p50Ms()).isBetween(0.05, 0.1);
    assertThat(l.p99Ms()).isBetween(25.0, 50.0);
  }

  @Test
  @DisplayName("an interval without values has no latency; values past the last bound report that bound")
  void emptyAndBeyond() {
    assertThat(Latency.between(BOUNDS, reading(5), reading(5))).isEqualTo(Latency.NONE);
    long[] beyond = new long[BOUNDS.length + 1];
    beyond[BOUNDS.length] = 3; // 3 values over 5 s: in no bucket
    Latency l = Latency.between(BOUNDS, reading(), beyond);
    assertThat(l.p99Ms()).isEqualTo(5000.0);
    assertThat(l.count()).isEqualTo(3);
  }
}
