package io.fluxer.relay.stats;

import io.fluxer.relay.client.EventLoops;
import io.fluxer.relay.client.NodeInfo;
import io.fluxer.relay.metrics.FluxerMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Takes a node's stats: totals from every event loop's hub (each read on its own loop, then summed)
 * and per-second rates.
 *
 * <p>With {@code server.stats_interval} above zero, {@link #start} samples on that period and the
 * rates are those of the last period; {@link #current} then reads fresh totals with those rates.
 * With an interval of zero nothing is sampled in the background and each {@link #current} call
 * computes the rates against the previous call. Thread-safe; never blocks.
 */
public final class StatsCollector {
  /** Totals at a moment of the monotonic clock. */
  private record Sample(long nanos, Totals totals) {}

  private static final long[] LATENCY_BOUNDS = FluxerMetrics.latencyBoundsNanos();

  private final Vertx vertx;
  private final long intervalMillis;
  private final Supplier<NodeInfo> self;
  private final BooleanSupplier ready;
  private final EventLoops loops;
  private final FluxerMetrics metrics;
  private final LongSupplier nanoClock;
  private final EngineProbes probes = new EngineProbes();
  private Sample last;
  private Rates rates = Rates.ZERO;
  /** The publish-to-write histogram at the last sample, and the latency of the interval it closed. */
  private long[] lastLatencyCounts;
  private Latency latency = Latency.NONE;
  private long timer = -1;

  /**
   * Stats of the node {@code self} describes (its address as found once it listens), sampled every
   * {@code interval} on {@code vertx}: totals from its {@code loops}, the distinct channels and the
   * publish-to-write latency from its {@code metrics}, {@code ready} as the node tells it.
   */
  public StatsCollector(Vertx vertx, Duration interval, Supplier<NodeInfo> self, BooleanSupplier ready,
      EventLoops loops, FluxerMetrics metrics) {
    this(vertx, interval, self, ready, loops, metrics, System::nanoTime);
  }

  /** With a monotonic nanosecond clock of the caller's choice (tests). */
  public StatsCollector(Vertx vertx, Duration interval, Supplier<NodeInfo> self, BooleanSupplier ready,
      EventLoops loops, FluxerMetrics metrics, LongSupplier nanoClock) {
    this.vertx = vertx;
    this.intervalMillis = interval.toMillis();
    this.self = self;
    this.ready = ready;
    this.loops = loops;
    this.metrics = metrics;
    this.nanoClock = nanoClock;
  }

  /**
   * Samples every {@code server.stats_interval} and hands each sample to {@code listener}; does
   * nothing when the interval is zero or sampling already runs.
   */
  public synchronized void start(Consumer<NodeStats> listener) {
    long period = intervalMillis();
    if (period <= 0 || timer >= 0) {
      return;
    }
    timer = vertx.setPeriodic(period, id -> sample().onSuccess(listener::accept));
  }

  /** Stops background sampling. */
  public synchronized void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
  }

  /** Adds an engine the samples probe ({@code redis}, {@code postgres}): see {@link EngineProbes}. */
  public void probe(String engine, Supplier<Future<Void>> ping) {
    probes.add(engine, ping);
  }

  /**
   * Takes totals now and advances the rates and the publish-to-write latency to the interval since
   * the previous sample; starts the engines' next probes (a sample shows the answers of the last).
   */
  public Future<NodeStats> sample() {
    probes.refresh();
    long[] latencyCounts = metrics.publishToWriteCounts();
    return totals().map(totals -> {
      Sample now = new Sample(nanoClock.getAsLong(), totals);
      return stats(now.totals(), advance(now, latencyCounts));
    });
  }

  /**
   * The stats for a caller now: fresh totals with the rates of the last sampling period, or, when
   * background sampling is off, rates since the previous call.
   */
  public Future<NodeStats> current() {
    if (intervalMillis() <= 0) {
      return sample();
    }
    return totals().map(totals -> stats(totals, rates()));
  }

  /** The event loops' counts, with the node's distinct channels from its metrics (no per-channel work). */
  private Future<Totals> totals() {
    return loops.counts().map(counts -> Totals.of(counts, metrics.channelCount()));
  }

  private synchronized Rates advance(Sample now, long[] latencyCounts) {
    rates = last == null ? Rates.ZERO : Rates.between(last.totals(), now.totals(), now.nanos() - last.nanos());
    last = now;
    latency = lastLatencyCounts == null ? Latency.NONE
        : Latency.between(LATENCY_BOUNDS, lastLatencyCounts, latencyCounts);
    lastLatencyCounts = latencyCounts;
    return rates;
  }

  private synchronized Latency latency() {
    return latency;
  }

  private synchronized Rates rates() {
    return rates;
  }

  private long intervalMillis() {
    return intervalMillis;
  }

  private NodeStats stats(Totals totals, Rates perSecond) {
    MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    NodeInfo node = self.get();
    return new NodeStats(node.id(), node.name(), node.version(),
        node.address(), ready.getAsBoolean(), node.startedAtMillis(),
        System.currentTimeMillis(), totals, perSecond, heap.getUsed(), heap.getMax(),
        new Health(latency(), probes.last()));
  }
}
