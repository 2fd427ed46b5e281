package io.fluxer.relay.metrics;

import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * One {@code GET /metrics} answer, parsed from the Prometheus text format into samples, with the
 * helpers the metrics tests wait and assert with.
 */
final class Scrape {
  /** Deadline for metrics to reach an expected state. */
  static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** One sample line: metric name, labels and value. */
  record Sample(String name, Map<String, String> labels, double value) {}

  final String contentType;
  final String text;
  final List<Sample> samples;

  private Scrape(String contentType, String text) {
    this.contentType = contentType;
    this.text = text;
    this.samples = parse(text);
  }

  /** Scrapes {@code /metrics} of the node listening on {@code port} of 127.0.0.1. */
  static Scrape get(Vertx vertx, int port) {
    return get(vertx, port, null);
  }

  /** Scrapes with an {@code Accept} header ({@code null}: none). */
  static Scrape get(Vertx vertx, int port, String accept) {
    try (HttpTestClient client = new HttpTestClient(vertx, "http://127.0.0.1:" + port)) {
      HttpTestClient.Response r = client.get("/metrics", accept == null ? HttpTestClient.NONE : Map.of("Accept", accept));
      if (r.status() != 200) {
        throw new AssertionError("GET /metrics answered " + r);
      }
      return new Scrape(r.headers().get("Content-Type"), r.body());
    }
  }

  /** Scrapes until {@code condition} holds, failing with the Fluxer lines of the last scrape after {@link #TIMEOUT}. */
  static Scrape await(Vertx vertx, int port, String what, Predicate<Scrape> condition) {
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (true) {
      Scrape s = get(vertx, port);
      if (condition.test(s)) {
        return s;
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("timed out after " + TIMEOUT.toMillis() + " ms waiting for " + what
            + "; last scrape's fluxer lines:\n" + s.lines("fluxer_"));
      }
      TestRelay.await(vertx.timer(20, TimeUnit.MILLISECONDS));
    }
  }

  /** Sum of the samples named {@code name} whose labels include {@code labels} (name, value, ...); 0 if none. */
  double sum(String name, String... labels) {
    return matching(name, labels).stream().mapToDouble(Sample::value).sum();
  }

  /** Whether a sample named {@code name} with those labels exists. */
  boolean has(String name, String... labels) {
    return !matching(name, labels).isEmpty();
  }

  List<Sample> matching(String name, String... labels) {
    Map<String, String> wanted = new HashMap<>();
    for (int i = 0; i + 1 < labels.length; i += 2) {
      wanted.put(labels[i], labels[i + 1]);
    }
    return samples.stream()
        .filter(s -> s.name().equals(name) && s.labels().entrySet().containsAll(wanted.entrySet()))
        .toList();
  }

  /** Metric names that start with {@code prefix}. */
  List<String> names(String prefix) {
    return samples.stream().map(Sample::name).filter(n -> n.startsWith(prefix)).distinct().sorted().toList();
  }

  /** The text lines starting with {@code prefix}. */
  String lines(String prefix) {
    return String.join("\n", text.lines().filter(l -> l.startsWith(prefix)).toList());
  }

  private static List<Sample> parse(String text) {
    List<Sample> samples = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      Map<String, String> labels = new HashMap<>();
      int i = 0;
      while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
        i++;
      }
      String name = line.substring(0, i);
      if (i < line.length() && line.charAt(i) == '{') {
        i = parseLabels(line, i + 1, labels);
      }
      String value = line.substring(i).trim().split(" ")[0];
      samples.add(new Sample(name, labels, number(value)));
    }
    return samples;
  }

  private static double number(String value) {
    return switch (value) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(value);
    };
  }

  /** Reads {@code a="x",b="y"}} from {@code i}; returns the index after the closing brace. */
  private static int parseLabels(String line, int i, Map<String, String> labels) {
    while (line.charAt(i) != '}') {
      int eq = line.indexOf('=', i);
      String key = line.substring(i, eq).trim();
      StringBuilder value = new StringBuilder();
      int j = eq + 2; // past ="
      while (line.charAt(j) != '"') {
        if (line.charAt(j) == '\\') {
          j++;
        }
        value.append(line.charAt(j));
        j++;
      }
      labels.put(key, value.toString());
      i = j + 1;
      if (line.charAt(i) == ',') {
        i++;
      }
    }
    return i + 1;
  }
}
