package io.fluxer.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * Reads one counter from a relay node's Prometheus text at {@code http://host:port/metrics} (the
 * node's WebSocket URL's host and port): {@value #PUBLICATIONS_RECEIVED}, the publications the
 * broker handed to the node (with the Redis engines, only those of channels with subscribers on it).
 */
final class NodeMetrics {
  static final String PUBLICATIONS_RECEIVED = "fluxer_node_publications_received_total";
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(TIMEOUT).build();
  private final URI metrics;

  /** @param webSocketUrl the node's {@code ws://host:port/...} endpoint */
  NodeMetrics(URI webSocketUrl) {
    this.metrics = URI.create("http://" + webSocketUrl.getHost() + ":"
        + (webSocketUrl.getPort() > 0 ? webSocketUrl.getPort() : 80) + "/metrics");
  }

  URI uri() {
    return metrics;
  }

  /** The node's {@value #PUBLICATIONS_RECEIVED}; fails when it cannot be read. Blocks. */
  long publicationsReceived() {
    String text;
    try {
      HttpResponse<String> response = http.send(HttpRequest.newBuilder(metrics).timeout(TIMEOUT).GET().build(),
          HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(metrics + " answered " + response.statusCode());
      }
      text = response.body();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + metrics + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    Double v = counter(text, PUBLICATIONS_RECEIVED);
    if (v == null) {
      throw new IllegalStateException(metrics + " has no " + PUBLICATIONS_RECEIVED);
    }
    return Math.round(v);
  }

  /**
   * The sum of the samples named {@code name} (with or without labels) in a Prometheus text, or
   * {@code null} when there is none. A sample named {@code name_more} is another metric.
   */
  static Double counter(String prometheusText, String name) {
    Double sum = null;
    for (String line : prometheusText.split("\n")) {
      if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
        sum = (sum == null ? 0 : sum) + ServerAllocation.value(line);
      }
    }
    return sum;
  }
}
