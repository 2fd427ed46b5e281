package io.fluxer.relay.stats;

import io.vertx.core.Future;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Probes a node's engines once per stats sample and keeps each one's last answer. A probe still
 * waiting is not started again, so an engine that hangs costs one request at a time (its command
 * timeout ends it), and its last result says since when it has not answered. Thread-safe.
 */
public final class EngineProbes {
  /** One engine and how to ask it. */
  private static final class Probe {
    final String engine;
    final Supplier<Future<Void>> ping;
    volatile EngineHealth last;
    volatile boolean waiting;

    Probe(String engine, Supplier<Future<Void>> ping) {
      this.engine = engine;
      this.ping = ping;
      this.last = new EngineHealth(engine, false, 0, "not probed yet");
    }
  }

  private final List<Probe> probes = new CopyOnWriteArrayList<>();
  private final LongSupplier nanoClock;

  public EngineProbes() {
    this(System::nanoTime);
  }

  EngineProbes(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  /** Adds an engine, named as the dashboard shows it ({@code redis}, {@code postgres}). */
  public void add(String engine, Supplier<Future<Void>> ping) {
    probes.add(new Probe(engine, ping));
  }

  /** Starts a probe of each engine not already waiting for one. */
  public void refresh() {
    for (Probe p : probes) {
      if (p.waiting) {
        continue;
      }
      p.waiting = true;
      long started = nanoClock.getAsLong();
      Future<Void> answer;
      try {
        answer = p.ping.get();
      } catch (RuntimeException e) {
        answer = Future.failedFuture(e);
      }
      answer.onComplete(ar -> {
        double ms = Math.round((nanoClock.getAsLong() - started) / 1000.0) / 1000.0;
        p.last = ar.succeeded() ? new EngineHealth(p.engine, true, ms, null)
            : new EngineHealth(p.engine, false, ms, "no answer: " + kind(ar.cause()));
        p.waiting = false;
      });
    }
  }

  /** The last answer of each engine, in the order they were added. */
  public List<EngineHealth> last() {
    return probes.stream().map(p -> p.last).toList();
  }

  /** What went wrong, as a kind, never the cause's text (it may name hosts or users). */
  private static String kind(Throwable e) {
    String name = e.getClass().getSimpleName();
    if (name.contains("Timeout") || String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT).contains("timed out")) {
      return "timed out";
    }
    if (name.contains("Connect") || e instanceof java.net.ConnectException) {
      return "connection refused or lost";
    }
    return "error";
  }
}
