package io.fluxer.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The bytes a server has allocated on its heap so far, read from its Prometheus text at
 * {@code http://host:port/metrics} (the WebSocket URL's host and port), so that a step can report
 * the server's allocation per delivered publication.
 *
 * <p>A relay exports {@value #THREADS_ALLOCATED}: the JVM's own per-thread allocation counters summed,
 * exact whatever the collector and between collections. When it is there it is the reading. What
 * follows is the fallback for servers without it (a relay before 2026-12-07).
 *
 * <p>Micrometer's {@code JvmGcMetrics} counts allocation only at collections: at each GC it adds
 * the young pool's occupancy before that GC minus its occupancy after the previous one to
 * {@code jvm_gc_memory_allocated_bytes_total}. What was allocated since the last GC is still in
 * the young pool, whose occupancy {@code JvmMemoryMetrics} shows as
 * {@code jvm_memory_used_bytes{area="heap",id=...}}. So the counter plus the young pool's current
 * occupancy grows by exactly what was allocated, provided the young pool is empty after every
 * collection: true of the Eden space of the Serial, Parallel and G1 collectors. For generational
 * ZGC's "ZGC Young Generation" pool, which keeps survivors, the sum is off by how much the young
 * generation's occupancy after GC changed.
 *
 * <p>How exact a reading is depends on the collector. Serial's and Parallel's Eden occupancy is
 * exact but for the unused rest of the threads' allocation buffers (TLABs); Serial is what the
 * relay of scripts/bench.sh runs with (one CPU). G1 counts Eden in whole regions (1 to 32 MB, by
 * heap size), so each reading may be off by up to a region: negligible over millions of
 * deliveries, not over a short manual run. For all: a GC whose notification has not yet reached
 * Micrometer's listener when the text is built is missing from the counter while its Eden is
 * already empty (an undercount of at most one Eden), and each scrape allocates on the server
 * (building a text of about 50 KB), once per measured window.
 */
final class ServerAllocation {
  static final String THREADS_ALLOCATED = "fluxer_jvm_allocated_bytes_total";
  static final String ALLOCATED = "jvm_gc_memory_allocated_bytes_total";
  static final String USED = "jvm_memory_used_bytes";
  private static final Duration TIMEOUT = Duration.ofSeconds(3);

  /** Plain HTTP/1.1: no h2c upgrade attempt for one small request per step boundary. */
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(TIMEOUT).build();
  private final URI metrics;

  /** @param webSocketUrl the server's {@code ws://host:port/...} endpoint */
  ServerAllocation(URI webSocketUrl) {
    this.metrics = URI.create("http://" + webSocketUrl.getHost() + ":"
        + (webSocketUrl.getPort() > 0 ? webSocketUrl.getPort() : 80) + "/metrics");
  }

  URI uri() {
    return metrics;
  }

  /**
   * Bytes allocated so far (see the class comment), or {@code null} when {@code /metrics} cannot be
   * read within a few seconds or lacks the meters (e.g. the ceiling server, or a relay whose
   * Vert.x runs without JVM metrics). Blocks the calling thread.
   */
  Long allocatedBytes() {
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(metrics).timeout(TIMEOUT).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      return response.statusCode() == 200 ? allocatedBytes(response.body()) : null;
    } catch (IOException | RuntimeException e) {
      return null; // unreachable, or not a Prometheus text we can read
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /**
   * Bytes allocated so far according to a Prometheus text: {@value #THREADS_ALLOCATED} when there
   * (the first sample: every node of a process reads the same counters), else {@value #ALLOCATED}
   * plus the used bytes of the young heap pool (the one whose {@code id} contains "Eden", or
   * generational ZGC's "Young Generation"); {@code null} when neither can be read.
   */
  static Long allocatedBytes(String prometheusText) {
    Double allocated = null;
    Double young = null;
    for (String line : prometheusText.split("\n")) {
      if (line.startsWith(THREADS_ALLOCATED + " ") || line.startsWith(THREADS_ALLOCATED + "{")) {
        return Math.round(value(line));
      } else if (line.startsWith(ALLOCATED + " ") || line.startsWith(ALLOCATED + "{")) {
        allocated = (allocated == null ? 0 : allocated) + value(line);
      } else if (line.startsWith(USED + "{") && line.contains("area=\"heap\"") && isYoungPool(line)) {
        young = (young == null ? 0 : young) + value(line);
      }
    }
    return allocated == null || young == null ? null : Math.round(allocated + young);
  }

  /** Allocation per delivery in bytes, or {@code null} when unknown or nothing was delivered. */
  static Double perDelivery(Long allocatedBytes, long delivered) {
    return allocatedBytes == null || delivered <= 0 ? null : (double) allocatedBytes / delivered;
  }

  /** Bytes allocated between two readings of {@link #allocatedBytes()}, or {@code null}. */
  static Long between(Long before, Long after) {
    return before == null || after == null ? null : after - before;
  }

  private static boolean isYoungPool(String line) {
    int start = line.indexOf("id=\"");
    if (start < 0) {
      return false;
    }
    String id = line.substring(start + 4, line.indexOf('"', start + 4));
    return id.contains("Eden") || id.contains("Young Generation");
  }

  /** The sample value: the first field after the name and labels (a timestamp may follow). */
  static double value(String line) {
    int close = line.lastIndexOf('}');
    String[] fields = line.substring(close < 0 ? line.indexOf(' ') : close + 1).trim().split("\\s+");
    return Double.parseDouble(fields[0]);
  }
}
