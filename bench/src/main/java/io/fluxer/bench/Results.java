package io.fluxer.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;

/** What the scenarios measure, and how each is written to the run's JSON file. */
final class Results {
  /** A process counts as saturated above this share of the CPUs it may use. */
  static final double SATURATED = 0.9;

  private Results() {}

  /** Latency percentiles in milliseconds. */
  record Latency(long count, double p50, double p99, double p999, double max) {
    static final Latency NONE = new Latency(0, 0, 0, 0, 0);

    JsonObject toJson() {
      return new JsonObject().put("count", count).put("p50", p50).put("p99", p99).put("p999", p999)
          .put("max", max);
    }
  }

  /**
   * CPU use over a measured period, in cores: the server, the generator, and everything else on
   * the machine ({@code others}; other processes or the kernel's work for neither).
   */
  record Cpu(Double server, Integer serverCpus, double generator, int generatorCpus, Double others) {
    /** Other load above this (in cores) means the figures were taken on a busy machine. */
    static final double CONTENDED = 0.25;

    boolean contended() {
      return others != null && others > CONTENDED;
    }

    /** Which side ran out of CPU: "server", "generator", "both" or "-". */
    String bound() {
      boolean s = server != null && serverCpus != null && server >= SATURATED * serverCpus;
      boolean g = generator >= SATURATED * generatorCpus;
      return s && g ? "both" : s ? "server" : g ? "generator" : "-";
    }

    JsonObject toJson() {
      return new JsonObject().put("server_cores", server).put("server_cpus", serverCpus)
          .put("generator_cores", generator).put("generator_cpus", generatorCpus).put("other_cores", others)
          .put("contended", contended()).put("bound", bound());
    }
  }

  /**
   * One step of a publishing scenario: {@code rate} publications/s for {@code seconds}, then a
   * drain. {@code expected} deliveries are publications × subscribers; {@code lost} are those
   * not received by the drain deadline (of which {@code arrivedAfterDeadline} came in while the
   * runner waited for the connections to go quiet before the next step); {@code lateFromEarlier}
   * counts publications of earlier steps that arrived during this one.
   * {@code deliveredPerSecond} is what arrived divided by the time from the step's start to the
   * last arrival (so a server that falls behind shows its real rate, not the offered one).
   * {@code serverAllocatedBytes} is what the server allocated on its heap from the step's start
   * to the end of its drain (see {@link ServerAllocation}), null when its {@code /metrics} could
   * not be read.
   */
  record Step(double rate, int receivers, double seconds, long published, long publishErrors,
              long expected, long received, long lost, long arrivedAfterDeadline, long gaps, long duplicates,
              long lateFromEarlier,
              double offeredPerSecond, double deliveredPerSecond, Latency latency, long drainMillis,
              Cpu cpu, Long serverRssBytes, Long serverAllocatedBytes, GcLog.Pauses serverGc,
              Map<String, Long> disconnects, int reconnected) {
    /** Server allocation per delivered publication in bytes, or null when unknown. */
    Double serverAllocatedPerDelivery() {
      return ServerAllocation.perDelivery(serverAllocatedBytes, received);
    }

    JsonObject toJson() {
      return new JsonObject()
          .put("rate", rate)
          .put("receivers", receivers)
          .put("seconds", seconds)
          .put("published", published)
          .put("publish_errors", publishErrors)
          .put("expected", expected)
          .put("received", received)
          .put("lost", lost)
          .put("arrived_after_deadline", arrivedAfterDeadline)
          .put("gaps", gaps)
          .put("duplicates", duplicates)
          .put("late_from_earlier_steps", lateFromEarlier)
          .put("offered_per_s", Math.round(offeredPerSecond))
          .put("delivered_per_s", Math.round(deliveredPerSecond))
          .put("latency_ms", latency.toJson())
          .put("drain_ms", drainMillis)
          .put("cpu", cpu.toJson())
          .put("server_rss_bytes", serverRssBytes)
          .put("server_allocated_bytes", serverAllocatedBytes)
          .put("server_gc", serverGc == null ? null : new JsonObject().put("pauses", serverGc.count())
              .put("total_ms", Math.round(serverGc.totalMillis() * 10) / 10.0)
              .put("max_ms", Math.round(serverGc.maxMillis() * 10) / 10.0))
          .put("disconnects", new JsonObject(Map.copyOf(disconnects)))
          .put("reconnected", reconnected);
    }
  }

  /** A publishing scenario: its set-up, its steps, and why it stopped early (null if it did not). */
  record Publishing(String channelLayout, int connections, long setupMillis, List<Step> steps, String aborted) {
    JsonObject toJson() {
      JsonArray s = new JsonArray();
      steps.forEach(step -> s.add(step.toJson()));
      return new JsonObject().put("channels", channelLayout).put("connections", connections)
          .put("setup_ms", setupMillis).put("steps", s).put("aborted", aborted);
    }
  }

  /**
   * Idle connections and the server's memory: RSS before connecting and after connecting (and a
   * settle pause); and, when {@code jcmd} can reach the server, its live heap (used after a full
   * GC) before and after, which is what the connections retain independently of heap sizing, and
   * the classes that grew most.
   */
  record Idle(int connections, int connected, long connectMillis, Long rssBefore, Long rssAfter,
              Double bytesPerConnection, Long liveHeapBefore, Long liveHeapAfter, Double liveHeapPerConnection,
              List<ClassGrowth> topClasses) {
    JsonObject toJson() {
      JsonArray classes = new JsonArray();
      topClasses.forEach(c -> classes.add(c.toJson()));
      return new JsonObject()
          .put("connections", connections)
          .put("connected", connected)
          .put("connect_ms", connectMillis)
          .put("rss_before_bytes", rssBefore)
          .put("rss_after_bytes", rssAfter)
          .put("bytes_per_connection", bytesPerConnection == null ? null : Math.round(bytesPerConnection))
          .put("live_heap_before_bytes", liveHeapBefore)
          .put("live_heap_after_bytes", liveHeapAfter)
          .put("live_heap_per_connection",
              liveHeapPerConnection == null ? null : Math.round(liveHeapPerConnection))
          .put("live_heap_top_classes", classes);
    }
  }

  /** Growth of one class's live objects, per connection. */
  record ClassGrowth(String className, double instancesPerConnection, double bytesPerConnection) {
    JsonObject toJson() {
      return new JsonObject().put("class", className)
          .put("instances_per_connection", Math.round(instancesPerConnection * 100) / 100.0)
          .put("bytes_per_connection", Math.round(bytesPerConnection));
    }
  }

  /** Connecting as fast as possible: time until every connection is connected and subscribed. */
  record Storm(int connections, int concurrency, int connected, int failed, long elapsedMillis,
               double connectsPerSecond, Latency handshake, Cpu cpu) {
    JsonObject toJson() {
      return new JsonObject()
          .put("connections", connections)
          .put("concurrency", concurrency)
          .put("connected", connected)
          .put("failed", failed)
          .put("elapsed_ms", elapsedMillis)
          .put("connects_per_s", Math.round(connectsPerSecond))
          .put("handshake_ms", handshake.toJson())
          .put("cpu", cpu.toJson());
    }
  }
}
