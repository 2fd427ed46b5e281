package io.fluxer.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Writes a run as {@code DIR/<label>.json}, and the report over every run in the directory:
 * {@code report.md} (tables, targets, each run as a ratio of the {@code ceiling} run) and
 * {@code chart.svg} (see {@link SvgChart}).
 */
final class ReportWriter {
  static final String KIND = "fluxer-bench-run";
  static final String CEILING = "ceiling";
  /** Measured rates may fall short of the offered rate by this much (timer and window edges). */
  static final double RATE_TOLERANCE = 0.98;

  private ReportWriter() {}

  static Path writeRun(Path dir, JsonObject run) {
    Path file = dir.resolve(run.getString("label") + ".json");
    write(file, run.encodePrettily() + "\n");
    return file;
  }

  /** Every run in {@code dir}: other labels first (alphabetically), the ceiling last. */
  static List<JsonObject> readRuns(Path dir) {
    List<JsonObject> runs = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
      for (Path f : files) {
        try {
          JsonObject j = new JsonObject(Files.readString(f));
          if (KIND.equals(j.getString("kind"))) {
            runs.add(j);
          }
        } catch (RuntimeException e) {
          // not one of ours
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    runs.sort(Comparator.comparing((JsonObject r) -> CEILING.equals(r.getString("label")))
        .thenComparing(r -> r.getString("label")));
    return runs;
  }

  /** Rewrites report.md and chart.svg from the runs in {@code dir}. */
  static void writeReport(Path dir) {
    List<JsonObject> runs = readRuns(dir);
    write(dir.resolve("report.md"), markdown(runs));
    write(dir.resolve("chart.svg"), SvgChart.render(runs));
  }

  static String markdown(List<JsonObject> runs) {
    StringBuilder md = new StringBuilder();
    JsonObject ceiling = runs.stream().filter(r -> CEILING.equals(r.getString("label"))).findFirst().orElse(null);
    md.append("# Fluxer load-generator results\n\n");
    md.append("Written by `io.fluxer.bench.Bench` (module `bench/`); how to run it and how to read it: "
        + "`docs/benchmarks.md`. Latencies are publish → receive in the generator (one process, one clock). "
        + "`bound` names the process that used ≥ 90 % of the CPUs it may run on during the step; `other load` is "
        + "CPU used by anything else on the machine (other processes, kernel work for neither): above 0.25 "
        + "cores the step is marked contended and its figures are not to be trusted. `server alloc / delivery` is "
        + "what the server allocated on its heap from the step's start to the end of its drain (read from its "
        + "`/metrics`: Micrometer's GC allocation counter plus the young pool's occupancy) divided by the "
        + "deliveries received; `-` where the server has no such metrics (the ceiling).\n\n");

    md.append("## Runs\n\n| run | server | server JVM / notes | generator | started |\n|---|---|---|---|---|\n");
    for (JsonObject r : runs) {
      JsonObject server = r.getJsonObject("server", new JsonObject());
      JsonObject gen = r.getJsonObject("generator", new JsonObject());
      JsonObject m = r.getJsonObject("machine", new JsonObject());
      md.append(String.format(Locale.ROOT, "| %s | %s, pid %s, %s CPU(s) | %s | %s event loop(s) on %s CPU(s); %s × %s, %,d MB; %s | %s |%n",
          r.getString("label"), r.getString("url"), server.getValue("pid", "?"), server.getValue("cpus", "?"),
          blank(server.getString("info")), gen.getValue("loops", "?"), gen.getValue("cpus", "?"),
          m.getValue("cpus", "?"), m.getString("cpu_model", "?"), m.getLong("memory_mb", 0L),
          m.getString("java", "?"), r.getString("started_at")));
    }
    md.append('\n');

    problems(md, runs);
    targets(md, runs);

    md.append("## Fan-out: subscribers of one channel, one publisher\n\n");
    publishingTable(md, runs, ceiling, "fanout");
    md.append("## Many channels: each connection on its own channel, publications spread over them\n\n");
    publishingTable(md, runs, ceiling, "channels");
    md.append("## Many channels, one user: the same, with every subscriber connected as the same user\n\n");
    publishingTable(md, runs, ceiling, "channels-one-user");
    clusterTables(md, runs);

    md.append("## Idle connections: server memory\n\n");
    md.append("| run | connections | RSS before | RSS after | RSS bytes/connection | live heap before | live heap after | live heap bytes/connection |\n");
    md.append("|---|---|---|---|---|---|---|---|\n");
    for (JsonObject r : runs) {
      JsonObject idle = scenario(r, "idle");
      if (idle == null) {
        continue;
      }
      md.append(String.format(Locale.ROOT, "| %s | %,d of %,d | %s | %s | %s | %s | %s | %s |%n", r.getString("label"),
          idle.getInteger("connected"), idle.getInteger("connections"), mb(idle.getLong("rss_before_bytes")),
          mb(idle.getLong("rss_after_bytes")), num(idle.getLong("bytes_per_connection")),
          mb(idle.getLong("live_heap_before_bytes")), mb(idle.getLong("live_heap_after_bytes")),
          num(idle.getLong("live_heap_per_connection"))));
    }
    md.append("\nLive heap: objects that survive a full GC (`jcmd GC.class_histogram`), i.e. what the connections "
        + "themselves retain; RSS also moves with how far the JVM grows its heap, and with native buffers.\n\n");
    for (JsonObject r : runs) {
      JsonObject idle = scenario(r, "idle");
      JsonArray classes = idle == null ? null : idle.getJsonArray("live_heap_top_classes");
      if (classes == null || classes.isEmpty()) {
        continue;
      }
      md.append("<details><summary>").append(r.getString("label"))
          .append(": classes retained per idle connection (top ").append(classes.size()).append(")</summary>\n\n");
      md.append("| class | instances/connection | bytes/connection |\n|---|---:|---:|\n");
      for (Object o : classes) {
        JsonObject c = (JsonObject) o;
        md.append(String.format(Locale.ROOT, "| `%s` | %.2f | %,d |%n", c.getString("class"),
            c.getDouble("instances_per_connection"), c.getLong("bytes_per_connection")));
      }
      md.append("\n</details>\n\n");
    }

    md.append("## Connect storm: connect + subscribe as fast as possible\n\n");
    md.append("| run | connections | in flight | connected | failed | time | connects/s "
        + "| handshake p50 / p99 / max ms | server CPU | generator CPU | other load | bound |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (JsonObject r : runs) {
      JsonObject s = scenario(r, "storm");
      if (s == null) {
        continue;
      }
      JsonObject h = s.getJsonObject("handshake_ms");
      JsonObject cpu = s.getJsonObject("cpu");
      md.append(String.format(Locale.ROOT, "| %s | %,d | %d | %,d | %d | %.2f s | %,d | %.1f / %.1f / %.1f | %s | %s | %s | %s |%n",
          r.getString("label"), s.getInteger("connections"), s.getInteger("concurrency"), s.getInteger("connected"),
          s.getInteger("failed"), s.getLong("elapsed_ms") / 1000.0, s.getLong("connects_per_s"),
          h.getDouble("p50"), h.getDouble("p99"), h.getDouble("max"), cores(cpu, "server"), cores(cpu, "generator"),
          other(cpu), cpu.getString("bound")));
    }
    md.append("\n![deliveries/s and p99 latency per step](chart.svg)\n");
    return md.toString();
  }

  private static void publishingTable(StringBuilder md, List<JsonObject> runs, JsonObject ceiling, String name) {
    boolean any = false;
    for (JsonObject r : runs) {
      JsonObject sc = scenario(r, name);
      if (sc == null) {
        continue;
      }
      if (!any) {
        md.append("| run | connections | pub/s | offered deliveries/s | delivered/s | of ceiling | p50 ms | p99 ms "
            + "| max ms | lost | server CPU | server RSS | server alloc / delivery "
            + "| server GC pauses (n, total / max ms) | generator CPU | other load | bound |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        any = true;
      }
      for (Object o : sc.getJsonArray("steps")) {
        JsonObject s = (JsonObject) o;
        JsonObject lat = s.getJsonObject("latency_ms");
        JsonObject cpu = s.getJsonObject("cpu");
        JsonObject c = ceiling == null || ceiling == r ? null : stepAt(ceilingScenario(ceiling, name), s.getDouble("rate"));
        String ratio = c == null || c.getLong("delivered_per_s") == 0 ? "" : String.format(Locale.ROOT, "%.0f %%",
            100.0 * s.getLong("delivered_per_s") / c.getLong("delivered_per_s"));
        String lost = s.getLong("lost") == 0 ? "0" : String.format(Locale.ROOT, "%,d (%.1f %%)%s", s.getLong("lost"),
            100.0 * s.getLong("lost") / Math.max(1, s.getLong("expected")),
            s.getJsonObject("disconnects").isEmpty() ? "" : ", closed " + s.getJsonObject("disconnects").encode());
        JsonObject gc = s.getJsonObject("server_gc");
        String pauses = gc == null ? "?" : String.format(Locale.ROOT, "%d, %.0f / %.1f", gc.getInteger("pauses"),
            gc.getDouble("total_ms"), gc.getDouble("max_ms"));
        md.append(String.format(Locale.ROOT, "| %s | %,d | %,.0f | %,d | %,d | %s | %.2f | %.2f | %.1f | %s | %s | %s | %s | %s | %s | %s | %s |%n",
            r.getString("label"), s.getInteger("receivers"), s.getDouble("rate"), s.getLong("offered_per_s"),
            s.getLong("delivered_per_s"), ratio, lat.getDouble("p50"), lat.getDouble("p99"), lat.getDouble("max"),
            lost, cores(cpu, "server"), mb(s.getLong("server_rss_bytes")), bytes(allocatedPerDelivery(s)), pauses,
            cores(cpu, "generator"), other(cpu), cpu.getString("bound")));
      }
    }
    md.append(any ? "\n" : "(not run)\n\n");
  }

  /**
   * The {@code cluster-channels} runs: per step and node, the node's received-publication counter
   * against the publications of its own channels, its CPU; then latency by where the subscriber
   * sits, Redis's CPU and commands, and the baseline with nothing published. Nothing when no run has it.
   */
  private static void clusterTables(StringBuilder md, List<JsonObject> runs) {
    List<JsonObject> with = runs.stream().filter(r -> scenario(r, ClusterRunner.SCENARIO) != null).toList();
    if (with.isEmpty()) {
      return;
    }
    md.append("## Cluster: interest-based delivery (channels spread over the nodes, publisher on node 0)\n\n");
    md.append("`received` is the growth of the node's `fluxer_node_publications_received_total` over the step "
        + "(its drain included); `expected` the publications of the channels whose subscriber is connected to "
        + "that node. CPU per received publication is the node's CPU over the window divided by what it "
        + "received (node 0 also runs every publish command).\n\n");
    md.append("| run | pub/s | published | node | subscribers | expected | received | equal | node CPU "
        + "| µs CPU / received publication | RSS |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (JsonObject r : with) {
      for (Object o : scenario(r, ClusterRunner.SCENARIO).getJsonArray("steps")) {
        JsonObject s = (JsonObject) o;
        for (Object n : s.getJsonArray("nodes")) {
          JsonObject node = (JsonObject) n;
          md.append(String.format(Locale.ROOT, "| %s | %,.0f | %,d | %d%s | %,d | %,d | %,d | %s | %s | %s | %s |%n",
              r.getString("label"), s.getDouble("rate"), s.getLong("published"), node.getInteger("node"),
              node.getBoolean("publishing", false) ? " (publishing)" : "", node.getInteger("subscribers"),
              node.getLong("publications_expected"), node.getLong("publications_received"),
              node.getBoolean("matches") ? "yes" : "**no**", node.getValue("cpu_cores", "?"),
              node.getValue("cpu_us_per_publication_received", "?"), mb(node.getLong("rss_bytes"))));
        }
      }
    }
    md.append("\n| run | pub/s | lost | same node p50 / p99 / max ms | other node p50 / p99 / max ms "
        + "| all p50 / p99 / max ms | redis CPU | µs redis CPU / publication | redis commands / publication "
        + "| nodes + redis CPU | generator CPU | other load |\n|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (JsonObject r : with) {
      JsonObject sc = scenario(r, ClusterRunner.SCENARIO);
      for (Object o : sc.getJsonArray("steps")) {
        JsonObject s = (JsonObject) o;
        JsonObject redis = s.getJsonObject("redis");
        JsonObject cpu = s.getJsonObject("cpu");
        md.append(String.format(Locale.ROOT, "| %s | %,.0f | %,d | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
            r.getString("label"), s.getDouble("rate"), s.getLong("lost"), latency(s.getJsonObject("latency_same_node_ms")),
            latency(s.getJsonObject("latency_other_node_ms")), latency(s.getJsonObject("latency_ms")),
            redis.getValue("cpu_cores", "?"), redis.getValue("cpu_us_per_publication", "?"),
            redis.getValue("commands_per_publication", "?"), cores(cpu, "server"), cores(cpu, "generator"), other(cpu)));
      }
      md.append('\n');
      for (Object o : sc.getJsonArray("steps")) {
        JsonObject s = (JsonObject) o;
        JsonObject byName = s.getJsonObject("redis").getJsonObject("commands_by_name");
        if (byName != null) {
          md.append(String.format(Locale.ROOT, "%s at %,.0f/s, Redis commands in the step: %s.%n", r.getString("label"),
              s.getDouble("rate"), byName.encode()));
        }
      }
      JsonObject b = sc.getJsonObject("baseline");
      if (b != null) {
        md.append(String.format(Locale.ROOT, "%n%s baseline (%.0f s, subscribers connected, nothing published): "
                + "node CPU %s cores, redis %s cores and %s commands/s (%s), generator %.3f cores.%n",
            r.getString("label"), b.getDouble("seconds"), b.getJsonArray("node_cores").encode(),
            b.getValue("redis_cores", "?"), b.getValue("redis_commands_per_s", "?"),
            b.getJsonObject("redis_commands_by_name") == null ? "?" : b.getJsonObject("redis_commands_by_name").encode(),
            b.getDouble("generator_cores")));
      }
    }
    md.append('\n');
  }

  private static String latency(JsonObject l) {
    return l == null || l.getLong("count", 0L) == 0 ? "-" : String.format(Locale.ROOT, "%.2f / %.2f / %.1f",
        l.getDouble("p50"), l.getDouble("p99"), l.getDouble("max"));
  }

  // ---- targets (from the issue)

  private static void targets(StringBuilder md, List<JsonObject> runs) {
    md.append("## Targets\n\n| target | ");
    for (JsonObject r : runs) {
      md.append(r.getString("label")).append(" | ");
    }
    md.append('\n').append("|---|");
    md.append("---|".repeat(runs.size())).append('\n');
    for (Targets.Target t : Targets.ALL) {
      md.append("| ").append(t.text()).append(" | ");
      for (JsonObject r : runs) {
        md.append(t.check().apply(r).markdown()).append(" | ");
      }
      md.append('\n');
    }
    md.append("\nA rate counts as reached when the step delivered every publication and its measured rate is "
        + "at least 98 % of the target (the measured rate is deliveries over the time from the step's start "
        + "to the last arrival). 1 KB = 1,024 bytes.\n\n");
  }

  // ---- helpers

  /** A scenario's results, or null when it was not run or failed (see {@link #problems}). */
  static JsonObject scenario(JsonObject run, String name) {
    JsonObject s = run == null ? null : run.getJsonObject("scenarios", new JsonObject()).getJsonObject(name);
    return s == null || s.containsKey("error") ? null : s;
  }

  /** Scenarios that failed or stopped early, and contended measurements, per run. */
  private static void problems(StringBuilder md, List<JsonObject> runs) {
    List<String> lines = new ArrayList<>();
    for (JsonObject r : runs) {
      JsonObject scenarios = r.getJsonObject("scenarios", new JsonObject());
      for (String name : scenarios.fieldNames()) {
        JsonObject s = scenarios.getJsonObject(name);
        if (s.getString("error") != null) {
          lines.add(String.format("- %s, %s: failed: %s", r.getString("label"), name, s.getString("error")));
        }
        if (s.getString("aborted") != null) {
          lines.add(String.format("- %s, %s: stopped after %d step(s): %s", r.getString("label"), name,
              s.getJsonArray("steps").size(), s.getString("aborted")));
        }
        JsonArray steps = s.getJsonArray("steps");
        if (steps != null) {
          for (Object o : steps) {
            JsonObject step = (JsonObject) o;
            if (step.getJsonObject("cpu").getBoolean("contended", false)) {
              lines.add(String.format(Locale.ROOT, "- %s, %s at %,.0f/s: measured while other processes used %.2f "
                  + "cores (contended)", r.getString("label"), name, step.getDouble("rate"),
                  step.getJsonObject("cpu").getDouble("other_cores")));
            }
          }
        }
      }
    }
    if (!lines.isEmpty()) {
      md.append("## Problems\n\n").append(String.join("\n", lines)).append("\n\n");
    }
  }

  /**
   * The ceiling's results to compare a scenario with: the same scenario, or for
   * {@code channels-one-user} its {@code channels} (the ceiling has no users, so both are the same
   * load for it and scripts/bench.sh runs only the latter).
   */
  private static JsonObject ceilingScenario(JsonObject ceiling, String name) {
    JsonObject same = scenario(ceiling, name);
    return same == null && name.equals("channels-one-user") ? scenario(ceiling, "channels") : same;
  }

  static JsonObject stepAt(JsonObject scenario, double rate) {
    if (scenario == null) {
      return null;
    }
    JsonArray steps = scenario.getJsonArray("steps");
    for (Object o : steps) {
      JsonObject s = (JsonObject) o;
      if (Math.abs(s.getDouble("rate") - rate) < 1e-9) {
        return s;
      }
    }
    return null;
  }

  private static String cores(JsonObject cpu, String who) {
    Double v = cpu.getDouble(who + "_cores");
    Integer of = cpu.getInteger(who + "_cpus");
    return v == null ? "?" : String.format(Locale.ROOT, "%.2f of %s", v, of == null ? "?" : of);
  }

  /** Other load on the machine during the step, marked when it makes the figures unreliable. */
  private static String other(JsonObject cpu) {
    Double v = cpu.getDouble("other_cores");
    if (v == null) {
      return "?";
    }
    return String.format(Locale.ROOT, cpu.getBoolean("contended", false) ? "**%.2f** (contended)" : "%.2f", v);
  }

  /**
   * The server's allocation per delivered publication of a step's JSON, or null when the run did
   * not measure it (the ceiling, or files written before it was measured).
   */
  static Double allocatedPerDelivery(JsonObject step) {
    return ServerAllocation.perDelivery(step.getLong("server_allocated_bytes"), step.getLong("received", 0L));
  }

  /** A byte count as "850 B", "3.7 KB" (1 KB = 1,024 B) or "2.1 MB"; "-" when unknown. */
  static String bytes(Double b) {
    if (b == null) {
      return "-";
    }
    if (b < 1024) {
      return String.format(Locale.ROOT, "%.0f B", b);
    }
    return b < 1024 * 1024 ? String.format(Locale.ROOT, "%.1f KB", b / 1024)
        : String.format(Locale.ROOT, "%.1f MB", b / (1024 * 1024));
  }

  private static String mb(Long bytes) {
    return bytes == null ? "?" : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }

  private static String num(Long v) {
    return v == null ? "?" : String.format(Locale.ROOT, "%,d", v);
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? "-" : s.replace("|", "\\|");
  }

  private static void write(Path file, String text) {
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, text, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }
}
