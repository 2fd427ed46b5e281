package io.fluxer.bench;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * The performance targets of the relay (issue 18), each checked against one run's JSON: shown in
 * the report's "Targets" table and printed with pass/fail at the end of a run.
 */
final class Targets {
  /** Allocation budget per delivered publication, in bytes (1 KB). */
  static final long ALLOCATION_BUDGET = 1024;
  /** Idle memory budget per connection, in bytes of RSS (5 KB). */
  static final long IDLE_BUDGET = 5 * 1024;

  /** Whether a run met a target. */
  enum Status { MET, MISSED, NOT_MEASURED }

  /** A run's result for one target, with the figures it was judged on (or why it was not). */
  record Verdict(Status status, String detail) {
    static Verdict notMeasured(String why) {
      return new Verdict(Status.NOT_MEASURED, why);
    }

    static Verdict of(boolean met, String detail) {
      return new Verdict(met ? Status.MET : Status.MISSED, detail);
    }

    String markdown() {
      return switch (status) {
        case MET -> "**met**: " + detail;
        case MISSED -> "**missed**: " + detail;
        case NOT_MEASURED -> detail.isEmpty() ? "not measured" : "not measured (" + detail + ")";
      };
    }

    /** "PASS", "FAIL" or "n/a". */
    String word() {
      return switch (status) {
        case MET -> "PASS";
        case MISSED -> "FAIL";
        case NOT_MEASURED -> "n/a";
      };
    }
  }

  /** A target: what the issue asks for, and how a run is judged against it. */
  record Target(String text, Function<JsonObject, Verdict> check) {}

  static final List<Target> ALL = List.of(
      new Target("fan-out to 1,000 subscribers of one channel at ≥ 500,000 deliveries/s with p99 < 50 ms",
          r -> fanOut(r, 500_000, 50.0)),
      new Target("fan-out ≥ 1,000,000 deliveries/s sustained with zero loss",
          r -> fanOut(r, 1_000_000, Double.POSITIVE_INFINITY)),
      new Target("5,000 channels × 1 publication/s (5,000 pub/s), one user per connection: p99 ≤ 2 ms and "
          + "max ≤ 20 ms", r -> channels(r, false)),
      new Target("5,000 channels × 1 publication/s (5,000 pub/s), all connections one user: p99 ≤ 2 ms and "
          + "max ≤ 20 ms", r -> channels(r, true)),
      new Target("server allocation < 1 KB per delivered publication: fan-out to 1,000 subscribers at 1,000 pub/s",
          r -> allocation(ReportWriter.scenario(r, "fanout"), 1000, 1000)),
      new Target("server allocation < 1 KB per delivered publication: 5,000 channels at 5,000 pub/s",
          r -> allocation(channelsScenario(r, false), 5000, 5000)),
      new Target("≤ 5 KB RSS per idle subscribed connection at 10,000 connections", Targets::idle),
      new Target("10,000 connects (connect + subscribe) in < 10 s", Targets::storm),
      new Target("cluster: each node's received-publication counter equals the publications of its own channels "
          + "(not all of them)", Targets::cluster));

  private Targets() {}

  /** One line per target for the end of a run: PASS, FAIL or n/a, the target, and the figures. */
  static String summary(JsonObject run) {
    List<String> lines = new ArrayList<>();
    lines.add("targets (" + run.getString("label") + "):");
    for (Target t : ALL) {
      Verdict v = t.check().apply(run);
      lines.add(String.format("  %-4s  %s: %s", v.word(), t.text(),
          v.status() == Status.NOT_MEASURED ? v.markdown() : v.detail()));
    }
    return String.join("\n", lines);
  }

  /**
   * The first step that offered at least {@code deliveries}/s: met if it delivered that rate with
   * p99 under {@code p99Limit} and no loss; else the first such step that does, if any.
   */
  private static Verdict fanOut(JsonObject run, long deliveries, double p99Limit) {
    JsonObject sc = ReportWriter.scenario(run, "fanout");
    if (sc == null || sc.getInteger("connections") < 1000) {
      return Verdict.notMeasured("");
    }
    JsonObject best = null;
    for (Object o : sc.getJsonArray("steps")) {
      JsonObject s = (JsonObject) o;
      if (s.getLong("offered_per_s") < deliveries * ReportWriter.RATE_TOLERANCE) {
        continue;
      }
      boolean ok = s.getLong("delivered_per_s") >= deliveries * ReportWriter.RATE_TOLERANCE
          && s.getJsonObject("latency_ms").getDouble("p99") < p99Limit && s.getLong("lost") == 0;
      if (ok) {
        return Verdict.of(true, describe(s));
      }
      if (best == null) {
        best = s;
      }
    }
    return best == null ? Verdict.notMeasured("no step offered that rate") : Verdict.of(false, describe(best));
  }

  /** The 5,000 pub/s step of 5,000 channels: no loss, p99 ≤ 2 ms and max ≤ 20 ms. */
  private static Verdict channels(JsonObject run, boolean oneUser) {
    JsonObject sc = channelsScenario(run, oneUser);
    if (sc == null || sc.getInteger("connections") < 5000) {
      return Verdict.notMeasured("");
    }
    JsonObject s = ReportWriter.stepAt(sc, 5000);
    if (s == null) {
      return Verdict.notMeasured("no step at 5,000/s");
    }
    JsonObject lat = s.getJsonObject("latency_ms");
    boolean ok = s.getLong("lost") == 0 && lat.getDouble("p99") <= 2.0 && lat.getDouble("max") <= 20.0;
    return Verdict.of(ok, describe(s));
  }

  /**
   * The many-channels scenario with one user per connection, or with all connections one user:
   * {@code channels-one-user}, or {@code channels} of a run made with {@code --one-user}.
   */
  private static JsonObject channelsScenario(JsonObject run, boolean oneUser) {
    boolean runOneUser = run.getJsonObject("options", new JsonObject()).getBoolean("one_user", false);
    if (!oneUser) {
      return runOneUser ? null : ReportWriter.scenario(run, "channels");
    }
    JsonObject sc = ReportWriter.scenario(run, "channels-one-user");
    return sc != null || !runOneUser ? sc : ReportWriter.scenario(run, "channels");
  }

  /** The step at {@code rate} of a scenario with at least {@code connections}: < 1 KB per delivery. */
  private static Verdict allocation(JsonObject sc, int connections, double rate) {
    if (sc == null || sc.getInteger("connections") < connections) {
      return Verdict.notMeasured("");
    }
    JsonObject s = ReportWriter.stepAt(sc, rate);
    if (s == null) {
      return Verdict.notMeasured(String.format(Locale.ROOT, "no step at %,.0f/s", rate));
    }
    Double perDelivery = ReportWriter.allocatedPerDelivery(s);
    if (perDelivery == null) {
      return Verdict.notMeasured("no allocation figures: the server has no /metrics");
    }
    return Verdict.of(perDelivery < ALLOCATION_BUDGET, String.format(Locale.ROOT,
        "%s per delivery (%s over %,d deliveries)", ReportWriter.bytes(perDelivery),
        ReportWriter.bytes((double) s.getLong("server_allocated_bytes")), s.getLong("received")));
  }

  private static Verdict idle(JsonObject run) {
    JsonObject idle = ReportWriter.scenario(run, "idle");
    if (idle == null || idle.getInteger("connections") < 10_000 || idle.getLong("bytes_per_connection") == null) {
      return Verdict.notMeasured("");
    }
    long raw = idle.getLong("bytes_per_connection");
    Long live = idle.getLong("live_heap_per_connection");
    return Verdict.of(raw <= IDLE_BUDGET, String.format(Locale.ROOT, "%,d B RSS/connection%s", raw,
        live == null ? "" : String.format(Locale.ROOT, " (live heap %,d B)", live)));
  }

  private static Verdict storm(JsonObject run) {
    JsonObject s = ReportWriter.scenario(run, "storm");
    if (s == null || s.getInteger("connections") < 10_000) {
      return Verdict.notMeasured("");
    }
    boolean ok = s.getInteger("failed") == 0 && s.getLong("elapsed_ms") < 10_000;
    return Verdict.of(ok, String.format(Locale.ROOT, "%,d in %.2f s", s.getInteger("connected"),
        s.getLong("elapsed_ms") / 1000.0));
  }

  /**
   * Every measured step of {@code cluster-channels}: on every node the growth of
   * {@code fluxer_node_publications_received_total} equals the publications of the channels whose
   * subscriber sits there, and is less than all the step's publications.
   */
  static Verdict cluster(JsonObject run) {
    JsonObject sc = ReportWriter.scenario(run, ClusterRunner.SCENARIO);
    if (sc == null || sc.getJsonArray("steps").isEmpty()) {
      return Verdict.notMeasured("");
    }
    boolean ok = true;
    List<String> parts = new ArrayList<>();
    for (Object o : sc.getJsonArray("steps")) {
      JsonObject s = (JsonObject) o;
      long published = s.getLong("published");
      List<String> nodes = new ArrayList<>();
      for (Object n : s.getJsonArray("nodes")) {
        JsonObject node = (JsonObject) n;
        long expected = node.getLong("publications_expected");
        long received = node.getLong("publications_received");
        ok &= received == expected && expected < published;
        nodes.add(String.format(Locale.ROOT, "node %d %,d %s %,d", node.getInteger("node"), received,
            received == expected ? "=" : "≠", expected));
      }
      parts.add(String.format(Locale.ROOT, "%,.0f/s: %s of %,d published", s.getDouble("rate"),
          String.join(", ", nodes), published));
    }
    return Verdict.of(ok, String.join("; ", parts));
  }

  private static String describe(JsonObject s) {
    JsonObject lat = s.getJsonObject("latency_ms");
    return String.format(Locale.ROOT, "%,d/s delivered of %,d offered, p99 %.2f ms, max %.1f ms, lost %,d (bound: %s)",
        s.getLong("delivered_per_s"), s.getLong("offered_per_s"), lat.getDouble("p99"), lat.getDouble("max"),
        s.getLong("lost"), s.getJsonObject("cpu").getString("bound"));
  }
}
