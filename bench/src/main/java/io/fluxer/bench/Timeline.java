package io.fluxer.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Arrays;
import java.util.Locale;

/**
 * Latency over time ({@code --timeline FILE}): for every {@value #BUCKET_MILLIS} ms of a run, the
 * publications received, how many took longer than {@link #SLOW_MICROS} µs and the slowest. A
 * step's p99 says how many publications were late, not when: laid beside the server's GC log or a
 * JFR recording (all in UTC), the slow buckets show whether the late ones come from GC pauses, from
 * something periodic (a timer that fires for thousands of connections at once) or from a stall of
 * the generator itself. Thread-safe; one lock per received publication, taken only when asked for.
 */
final class Timeline {
  static final long BUCKET_MILLIS = 50;
  /** Above the many-channels p99 target (2 ms). */
  static final long SLOW_MICROS = 2_000;
  private final long startNanos;
  private final Instant startWall;
  private long[] received = new long[1024];
  private long[] slow = new long[1024];
  private long[] maxMicros = new long[1024];
  private int buckets;

  /** Buckets counted from now. */
  Timeline() {
    this(System.nanoTime(), Instant.now());
  }

  /** Buckets counted from {@code startNanos} ({@link System#nanoTime()}), which was {@code startWall}. */
  Timeline(long startNanos, Instant startWall) {
    this.startNanos = startNanos;
    this.startWall = startWall;
  }

  /** One publication received at {@code nowNanos} ({@link System#nanoTime()}), {@code latencyNanos} after it was sent. */
  synchronized void record(long nowNanos, long latencyNanos) {
    int b = (int) ((nowNanos - startNanos) / (BUCKET_MILLIS * 1_000_000));
    if (b < 0) {
      return;
    }
    if (b >= received.length) {
      int n = Math.max(b + 1, received.length * 2);
      received = Arrays.copyOf(received, n);
      slow = Arrays.copyOf(slow, n);
      maxMicros = Arrays.copyOf(maxMicros, n);
    }
    long micros = latencyNanos / 1000;
    received[b]++;
    if (micros > SLOW_MICROS) {
      slow[b]++;
    }
    maxMicros[b] = Math.max(maxMicros[b], micros);
    buckets = Math.max(buckets, b + 1);
  }

  /** CSV, one line per bucket that received anything: start (UTC), received, slower than 2 ms, slowest ms. */
  synchronized String csv() {
    StringBuilder out = new StringBuilder("time_utc,received,over_" + SLOW_MICROS / 1000 + "ms,max_ms\n");
    for (int b = 0; b < buckets; b++) {
      if (received[b] > 0) {
        out.append(startWall.plusMillis(b * BUCKET_MILLIS)).append(',').append(received[b]).append(',')
            .append(slow[b]).append(',').append(String.format(Locale.ROOT, "%.2f", maxMicros[b] / 1000.0)).append('\n');
      }
    }
    return out.toString();
  }

  void write(Path file) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      if (parent != null) {
        Files.createDirectories(parent);
      }
      Files.writeString(file, csv());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
