package io.fluxer.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.function.Consumer;

/**
 * Command line of the load generator: {@code Bench <scenario|all>[,...] --url ws://... --server-pid PID
 * [options]} runs the scenarios against a running server and writes {@code <out>/<label>.json},
 * then rewrites {@code <out>/report.md} and {@code <out>/chart.svg} from every run in
 * {@code <out>} (a run labelled {@code ceiling} is the reference for ratios), and prints the run's
 * {@link Targets} with pass/fail to stdout. {@code Bench report --out DIR} only rewrites the
 * report. See {@link BenchOptions#USAGE}.
 */
public final class Bench {
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  private Bench() {}

  public static void main(String[] args) {
    if (args.length > 0 && (args[0].equals("-h") || args[0].equals("--help"))) {
      System.out.println(BenchOptions.USAGE);
      return;
    }
    if (args.length > 0 && args[0].equals("report")) {
      Path out = args.length >= 3 && args[1].equals("--out") ? Path.of(args[2]) : Path.of("bench/results");
      ReportWriter.writeReport(out);
      System.err.println("wrote " + out.resolve("report.md") + " and " + out.resolve("chart.svg"));
      return;
    }
    BenchOptions options;
    try {
      options = BenchOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("bench: " + e.getMessage());
      System.err.println(BenchOptions.USAGE);
      System.exit(2);
      return;
    }
    try {
      JsonObject run = run(options,
          line -> System.err.println(LocalTime.now().format(CLOCK) + " [" + options.label() + "] " + line));
      System.out.println(Targets.summary(run));
    } catch (RuntimeException e) {
      System.err.println("bench: " + e.getMessage());
      System.exit(1);
    }
    System.exit(0);
  }

  /** Runs the chosen scenarios, writes the run's JSON and the report; returns the run. */
  static JsonObject run(BenchOptions o, Consumer<String> log) {
    ProcStats server = o.serverPid() == null ? null : new ProcStats(o.serverPid());
    if (server != null && !server.alive()) {
      throw new IllegalStateException("no process " + o.serverPid());
    }
    JsonObject scenarios = new JsonObject();
    JsonObject run = new JsonObject()
        .put("kind", ReportWriter.KIND)
        .put("label", o.label())
        .put("url", o.url().toString())
        .put("started_at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString())
        .put("machine", MachineInfo.describe())
        .put("server", new JsonObject()
            .put("pid", o.serverPid())
            .put("cpus", server == null ? null : server.allowedCpus())
            .put("info", o.serverInfo()))
        .put("options", options(o))
        .put("scenarios", scenarios);
    Timeline timeline = o.timeline() == null ? null : new Timeline();
    try (ClientPool pool = new ClientPool(o.url(), o.loops(), o.secret(), o.protobuf(), o.oneUser(), timeline)) {
      run.put("generator", new JsonObject()
          .put("loops", o.loops())
          .put("cpus", Runtime.getRuntime().availableProcessors())
          .put("lane_threads", new JsonArray(pool.laneThreads()))
          .put("jvm_args", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments())));
      log.accept(String.format("target %s, %d generator event loop(s) on %d CPU(s)%s", o.url(), o.loops(),
          Runtime.getRuntime().availableProcessors(),
          server == null ? "" : String.format(", server pid %d on %d CPU(s)", server.pid(), server.allowedCpus())));
      if (!o.nodes().isEmpty()) {
        pool.nodes(o.nodes());
        log.accept(String.format("connections spread over %d nodes: %s", o.nodes().size(), o.nodes()));
      }
      ScenarioRunner runner = new ScenarioRunner(o, pool, server, log);
      runner.warmUp(o.warmupConnections());
      for (String name : o.scenarios()) {
        log.accept("== " + name);
        JsonObject result;
        try {
          result = switch (name) {
            case "fanout" -> runner.fanOut().toJson();
            case "channels" -> runner.manyChannels(false).toJson();
            case "channels-one-user" -> runner.manyChannels(true).toJson();
            case "idle" -> runner.idle().toJson();
            case "storm" -> runner.storm().toJson();
            case ClusterRunner.SCENARIO -> new ClusterRunner(o, pool, log).run();
            default -> throw new IllegalArgumentException(name);
          };
        } catch (RuntimeException e) {
          // Keep what the other scenarios measured; the report lists the failure.
          log.accept("  " + name + " failed: " + e.getMessage());
          result = new JsonObject().put("error", String.valueOf(e.getMessage()));
        }
        scenarios.put(name, result);
        ClientPool.sleep(1000); // let the server finish closing the previous connections
      }
    }
    run.put("finished_at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    if (timeline != null) {
      timeline.write(o.timeline());
      log.accept("latency over time: " + o.timeline());
    }
    Path file = ReportWriter.writeRun(o.out(), run);
    ReportWriter.writeReport(o.out());
    log.accept("wrote " + file + ", " + o.out().resolve("report.md") + ", " + o.out().resolve("chart.svg"));
    return run;
  }

  private static JsonObject options(BenchOptions o) {
    return new JsonObject()
        .put("scenarios", new JsonArray(o.scenarios()))
        .put("subscribers", o.subscribers())
        .put("rates", new JsonArray(o.rates()))
        .put("channel_connections", o.channelConnections())
        .put("channel_rates", new JsonArray(o.channelRates()))
        .put("idle_connections", o.idleConnections())
        .put("idle_channels", o.idleChannels())
        .put("storm_connections", o.stormConnections())
        .put("storm_concurrency", o.stormConcurrency())
        .put("connect_concurrency", o.connectConcurrency())
        .put("step_seconds", o.stepSeconds())
        .put("warmup_seconds", o.warmupSeconds())
        .put("drain_seconds", o.drainSeconds())
        .put("warmup_connections", o.warmupConnections())
        .put("channel_prefix", o.channelPrefix())
        .put("padding_bytes", o.paddingBytes())
        .put("encoding", o.protobuf() ? "protobuf" : "json")
        .put("one_user", o.oneUser())
        .put("nodes", new JsonArray(o.nodes().stream().map(Object::toString).toList()))
        .put("cluster_channels", o.clusterChannels())
        .put("cluster_rates", new JsonArray(o.clusterRates()))
        .put("baseline_seconds", o.baselineSeconds());
  }
}
