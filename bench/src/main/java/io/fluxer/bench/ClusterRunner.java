package io.fluxer.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.HdrHistogram.Histogram;

/**
 * The {@code cluster-channels} scenario: {@link BenchOptions#clusterChannels()} channels, each
 * with one subscriber connected to one node of a relay cluster ({@link ClusterLayout}: channel
 * {@code i} on node {@code i mod nodes}), and one publisher on the first node publishing
 * round-robin over all channels at the steps' rates. Per step it checks, for each node, that the
 * growth of {@value NodeMetrics#PUBLICATIONS_RECEIVED} equals the publications of the channels
 * whose subscriber sits there (interest-based delivery: not all of them), and measures
 * publish → receive latency by where the subscriber sits (the publishing node or another), the
 * CPU of each node and of redis-server, and the Redis commands processed. A baseline window with
 * nothing published comes before the steps, so that the cost of publishing can be told apart from
 * what the idle connections cost (pings, presence, heartbeats).
 */
final class ClusterRunner {
  static final String SCENARIO = "cluster-channels";
  /** Step numbers of this scenario start here, apart from {@link ScenarioRunner}'s. */
  private static final int FIRST_STEP = 1000;
  private static final long QUIET_NANOS = Duration.ofMillis(500).toNanos();
  /** A step measured while other processes used the CPUs is repeated at most this often. */
  private static final int MAX_RETRIES = 2;
  private static final Duration QUIET_WAIT = Duration.ofSeconds(60);

  private final BenchOptions o;
  private final ClientPool pool;
  private final Consumer<String> log;
  private final int nodes;
  private final List<NodeMetrics> metrics = new ArrayList<>();
  /** The nodes' processes, in node order; empty when not given. */
  private final List<ProcStats> nodeProcs = new ArrayList<>();
  private final ProcStats redis;
  private final RedisStats redisStats;
  private final ProcStats self = ProcStats.self();
  private final int generatorCpus = Runtime.getRuntime().availableProcessors();
  private int stepCounter = FIRST_STEP;

  ClusterRunner(BenchOptions options, ClientPool pool, Consumer<String> log) {
    this.o = options;
    this.pool = pool;
    this.log = log;
    this.nodes = options.nodes().size();
    for (URI node : options.nodes()) {
      metrics.add(new NodeMetrics(node));
    }
    for (long pid : options.nodePids()) {
      ProcStats p = new ProcStats(pid);
      if (!p.alive()) {
        throw new IllegalStateException("no process " + pid + " (--node-pids)");
      }
      nodeProcs.add(p);
    }
    this.redis = options.redisPid() == null ? null : new ProcStats(options.redisPid());
    this.redisStats = options.redisUrl() == null ? null : new RedisStats(options.redisUrl());
  }

  JsonObject run() {
    int n = o.clusterChannels();
    String[] channels = new String[n];
    for (int i = 0; i < n; i++) {
      channels[i] = o.channelPrefix() + "bench-cluster-" + i;
    }
    int[] perNode = ClusterLayout.channelsPerNode(n, nodes);
    log.accept(String.format("opening %d subscribers, each on its own channel, over %d nodes (%s)", n, nodes,
        java.util.Arrays.toString(perNode)));
    ClientPool.Opened opened = pool.openAll(channels, o.connectConcurrency());
    log.accept(String.format("  %d connected in %d ms, %d failed %s", opened.clients().size(),
        opened.elapsedNanos() / 1_000_000, opened.failed(), opened.errors()));
    if (opened.clients().isEmpty()) {
      throw new IllegalStateException("no subscriber could connect: " + opened.errors());
    }
    List<BenchClient> subs = opened.clients();
    BenchClient publisherConnection = pool.openPublisher();
    Publisher publisher = new Publisher(pool.vertx(), publisherConnection, channels, o.paddingBytes());
    ClientPool.sleep(500); // let join pushes and subscribe bookkeeping settle
    pool.takeDisconnects();
    JsonArray steps = new JsonArray();
    JsonObject baseline = null;
    try {
      double first = o.clusterRates().get(0);
      if (o.warmupSeconds() > 0) {
        log.accept(String.format("  warm-up: %,.0f/s for %.0f s", first, o.warmupSeconds()));
        step(subs, publisher, first, o.warmupSeconds());
      }
      if (o.baselineSeconds() > 0) {
        baseline = baseline(o.baselineSeconds());
      }
      for (double rate : o.clusterRates()) {
        JsonObject s = step(subs, publisher, rate, o.stepSeconds());
        for (int retry = 1; retry <= MAX_RETRIES && s.getJsonObject("cpu").getBoolean("contended"); retry++) {
          logStep(s);
          log.accept(String.format("  %,.0f pub/s: other processes used %.2f cores; waiting for them to stop, "
              + "then repeating the step", rate, s.getJsonObject("cpu").getDouble("other_cores")));
          waitForQuietMachine();
          s = step(subs, publisher, rate, o.stepSeconds());
        }
        steps.add(s);
        logStep(s);
      }
    } finally {
      List<BenchClient> all = new ArrayList<>(subs);
      all.add(publisherConnection);
      pool.closeAll(all);
      pool.takeDisconnects();
    }
    JsonArray nodeList = new JsonArray();
    for (int i = 0; i < nodes; i++) {
      nodeList.add(new JsonObject().put("node", i).put("url", o.nodes().get(i).toString())
          .put("pid", o.nodePids().isEmpty() ? null : o.nodePids().get(i)).put("channels", perNode[i]));
    }
    return new JsonObject()
        .put("channels", "one per connection, channel i on node i mod " + nodes + ", publisher on node 0")
        .put("connections", n)
        .put("connected", opened.clients().size())
        .put("setup_ms", opened.elapsedNanos() / 1_000_000)
        .put("nodes", nodeList)
        .put("redis_pid", o.redisPid())
        .put("baseline", baseline)
        .put("steps", steps)
        .put("aborted", null);
  }

  /** CPU and Redis commands over {@code seconds} with the subscribers connected and nothing published. */
  private JsonObject baseline(double seconds) {
    log.accept(String.format("  baseline: %.0f s with nothing published", seconds));
    Samples a = Samples.take(this);
    ClientPool.sleep((long) (seconds * 1000));
    Samples b = Samples.take(this);
    double wall = (b.self.wallNanos() - a.self.wallNanos()) / 1e9;
    JsonArray nodeCores = new JsonArray();
    for (int i = 0; i < a.nodes.length; i++) {
      nodeCores.add(round(b.nodes[i].coresSince(a.nodes[i]), 4));
    }
    Map<String, Long> byCommand = a.redisCommands == null ? null : RedisStats.delta(a.redisCommands, b.redisCommands);
    Long commands = byCommand == null ? null : byCommand.values().stream().mapToLong(Long::longValue).sum();
    JsonObject out = new JsonObject()
        .put("seconds", round(wall, 2))
        .put("node_cores", nodeCores)
        .put("redis_cores", a.redis == null ? null : round(b.redis.coresSince(a.redis), 4))
        .put("redis_commands", commands)
        .put("redis_commands_per_s", commands == null ? null : Math.round(commands / wall))
        .put("redis_commands_by_name", byCommand == null ? null : new JsonObject(new java.util.TreeMap<>(byCommand)))
        .put("generator_cores", round(b.self.coresSince(a.self), 4))
        .put("cpu", cpu(a, b).toJson());
    log.accept("  baseline: nodes " + nodeCores.encode() + " cores, redis " + out.getValue("redis_cores")
        + " cores, " + out.getValue("redis_commands_per_s") + " Redis commands/s");
    return out;
  }

  private JsonObject step(List<BenchClient> subs, Publisher publisher, double rate, double seconds) {
    boolean[] subscribed = new boolean[o.clusterChannels()];
    int[] subscribersPerNode = new int[nodes];
    for (BenchClient c : subs) {
      if (!c.closed) {
        subscribed[c.index] = true;
        subscribersPerNode[c.node]++;
      }
    }
    int stepIndex = ++stepCounter;
    pool.step(stepIndex);
    long received0 = pool.received();
    long late0 = pool.late();
    long gaps0 = pool.gaps();
    long duplicates0 = pool.duplicates();
    long errors0 = publisher.errors();
    pool.latencyIntervalByNode(); // discard what came before
    long[] sent0 = publisher.sentPerChannel();
    long[] counters0 = counters();
    Samples a = Samples.take(this);
    long t0 = System.nanoTime();

    long published = ClientPool.await(publisher.run(rate, seconds, stepIndex),
        Duration.ofMillis((long) (seconds * 1000) + 60_000));
    long publishEnd = System.nanoTime();
    long[] perChannel = ClusterLayout.delta(sent0, publisher.sentPerChannel());
    long[] expected = ClusterLayout.expectedPerNode(perChannel, subscribed, nodes);
    long expectedDeliveries = java.util.Arrays.stream(expected).sum();
    long deadline = publishEnd + (long) (o.drainSeconds() * 1e9);
    while (pool.received() - received0 < expectedDeliveries && System.nanoTime() < deadline) {
      ClientPool.sleep(5);
    }
    Samples b = Samples.take(this);
    long[] counters1 = counters();
    long received = pool.received() - received0;
    Histogram[] latency = pool.latencyIntervalByNode();
    if (received < expectedDeliveries) {
      waitQuiet(); // let the backlog pass before the next step
    }
    Map<String, Long> disconnects = pool.takeDisconnects();
    double wall = (b.self.wallNanos() - a.self.wallNanos()) / 1e9;
    double publishSeconds = (publishEnd - t0) / 1e9;

    JsonArray nodeResults = new JsonArray();
    long[] got = ClusterLayout.delta(counters0, counters1);
    for (int i = 0; i < nodes; i++) {
      Double cores = a.nodes.length == 0 ? null : b.nodes[i].coresSince(a.nodes[i]);
      double receivedPerSecond = got[i] / wall;
      nodeResults.add(new JsonObject()
          .put("node", i)
          .put("publishing", i == ClusterLayout.PUBLISHING_NODE)
          .put("subscribers", subscribersPerNode[i])
          .put("publications_expected", expected[i])
          .put("publications_received", got[i])
          .put("matches", got[i] == expected[i])
          .put("cpu_cores", cores == null ? null : round(cores, 4))
          .put("cpu_us_per_publication_received", cores == null || got[i] == 0 ? null
              : round(cores * 1e6 / receivedPerSecond, 1))
          .put("rss_bytes", nodeProcs.isEmpty() ? null : nodeProcs.get(i).rssBytes()));
    }
    Double redisCores = a.redis == null ? null : b.redis.coresSince(a.redis);
    Map<String, Long> byCommand = a.redisCommands == null ? null : RedisStats.delta(a.redisCommands, b.redisCommands);
    Long commands = byCommand == null ? null : byCommand.values().stream().mapToLong(Long::longValue).sum();
    JsonObject redisResult = new JsonObject()
        .put("cpu_cores", redisCores == null ? null : round(redisCores, 4))
        .put("cpu_us_per_publication", redisCores == null || published == 0 ? null
            : round(redisCores * 1e6 / (published / wall), 1))
        .put("commands", commands)
        .put("commands_per_s", commands == null ? null : Math.round(commands / wall))
        .put("commands_per_publication", commands == null || published == 0 ? null
            : round((double) commands / published, 2))
        .put("commands_by_name", byCommand == null ? null : new JsonObject(new java.util.TreeMap<>(byCommand)));
    return new JsonObject()
        .put("rate", rate)
        .put("seconds", seconds)
        .put("published", published)
        .put("publish_errors", publisher.errors() - errors0)
        .put("offered_per_s", Math.round(published / publishSeconds))
        .put("expected", expectedDeliveries)
        .put("received", received)
        .put("lost", Math.max(0, expectedDeliveries - received))
        .put("gaps", pool.gaps() - gaps0)
        .put("duplicates", pool.duplicates() - duplicates0)
        .put("late_from_earlier_steps", pool.late() - late0)
        .put("window_s", round(wall, 3))
        .put("latency_ms", LatencyHistogram.summary(latency[0]).toJson())
        .put("latency_same_node_ms", LatencyHistogram.summary(latency[1]).toJson())
        .put("latency_other_node_ms", LatencyHistogram.summary(latency[2]).toJson())
        .put("nodes", nodeResults)
        .put("redis", redisResult)
        .put("cpu", cpu(a, b).toJson())
        .put("disconnects", new JsonObject(Map.copyOf(disconnects)));
  }

  private void logStep(JsonObject s) {
    StringBuilder line = new StringBuilder(String.format("  %,.0f pub/s: %,d published, %,d received, lost %,d;",
        s.getDouble("rate"), s.getLong("published"), s.getLong("received"), s.getLong("lost")));
    for (Object o : s.getJsonArray("nodes")) {
      JsonObject n = (JsonObject) o;
      line.append(String.format(" node %d received %,d of %,d expected (%s), %s cores;", n.getInteger("node"),
          n.getLong("publications_received"), n.getLong("publications_expected"),
          n.getBoolean("matches") ? "equal" : "DIFFERENT", n.getValue("cpu_cores", "?")));
    }
    JsonObject same = s.getJsonObject("latency_same_node_ms");
    JsonObject other = s.getJsonObject("latency_other_node_ms");
    JsonObject cpu = s.getJsonObject("cpu");
    line.append(String.format(" latency same node p50 %.2f p99 %.2f max %.1f ms, other node p50 %.2f p99 %.2f max %.1f ms;"
            + " redis %s cores, %s commands/publication; generator %.2f cores, other load %s%s",
        same.getDouble("p50"), same.getDouble("p99"), same.getDouble("max"), other.getDouble("p50"),
        other.getDouble("p99"), other.getDouble("max"), s.getJsonObject("redis").getValue("cpu_cores", "?"),
        s.getJsonObject("redis").getValue("commands_per_publication", "?"), cpu.getDouble("generator_cores"),
        cpu.getDouble("other_cores") == null ? "?" : String.format("%.2f", cpu.getDouble("other_cores")),
        cpu.getBoolean("contended") ? " CONTENDED: other processes used the CPUs" : ""));
    log.accept(line.toString());
  }

  private long[] counters() {
    long[] out = new long[nodes];
    for (int i = 0; i < nodes; i++) {
      out[i] = metrics.get(i).publicationsReceived();
    }
    return out;
  }

  /** Server side = every node plus redis-server; other load = the machine less them and the generator. */
  private Results.Cpu cpu(Samples a, Samples b) {
    double generator = b.self.coresSince(a.self);
    Double server = null;
    if (a.nodes.length > 0) {
      double sum = 0;
      for (int i = 0; i < a.nodes.length; i++) {
        sum += b.nodes[i].coresSince(a.nodes[i]);
      }
      server = sum + (a.redis == null ? 0 : b.redis.coresSince(a.redis));
    }
    Double others = null;
    if (server != null && a.machine >= 0 && b.machine >= 0) {
      double machine = (double) (b.machine - a.machine) / (b.self.wallNanos() - a.self.wallNanos());
      others = Math.max(0, machine - generator - server);
    }
    Integer serverCpus = nodeProcs.isEmpty() ? null : nodeProcs.get(0).allowedCpus();
    return new Results.Cpu(server, serverCpus, generator, generatorCpus, others);
  }

  /**
   * Waits (at most {@link #QUIET_WAIT}) until processes other than the nodes, Redis and the
   * generator have used under 0.15 cores for three seconds in a row.
   */
  private void waitForQuietMachine() {
    long deadline = System.nanoTime() + QUIET_WAIT.toNanos();
    int quietSeconds = 0;
    while (quietSeconds < 3 && System.nanoTime() < deadline) {
      Samples a = Samples.take(this, false);
      ClientPool.sleep(1000);
      Double others = cpu(a, Samples.take(this, false)).others();
      quietSeconds = others != null && others < 0.15 ? quietSeconds + 1 : 0;
    }
    if (quietSeconds < 3) {
      log.accept("  the machine did not become quiet within " + QUIET_WAIT.toSeconds() + " s");
    }
  }

  /** Waits until nothing has arrived for 500 ms, at most the drain time. */
  private void waitQuiet() {
    long cap = System.nanoTime() + (long) (o.drainSeconds() * 1e9);
    long last = pool.received() + pool.late();
    long quietSince = System.nanoTime();
    while (System.nanoTime() < cap && System.nanoTime() - quietSince < QUIET_NANOS) {
      ClientPool.sleep(20);
      long now = pool.received() + pool.late();
      if (now != last) {
        last = now;
        quietSince = System.nanoTime();
      }
    }
  }

  private static double round(double v, int digits) {
    double f = Math.pow(10, digits);
    return Math.round(v * f) / f;
  }

  /** CPU of the generator, each node and Redis, the machine, and Redis's command count, at one moment. */
  private record Samples(ProcStats.Sample self, ProcStats.Sample[] nodes, ProcStats.Sample redis, long machine,
                         Map<String, Long> redisCommands) {
    static Samples take(ClusterRunner r) {
      return take(r, true);
    }

    static Samples take(ClusterRunner r, boolean commandStats) {
      // Redis's INFO first, so the CPU window does not hold the generator's own query.
      Map<String, Long> commands = r.redisStats == null || !commandStats ? null : r.redisStats.commandCalls();
      ProcStats.Sample[] nodes = new ProcStats.Sample[r.nodeProcs.size()];
      for (int i = 0; i < nodes.length; i++) {
        nodes[i] = r.nodeProcs.get(i).sample();
      }
      return new Samples(r.self.sample(), nodes, r.redis == null ? null : r.redis.sample(),
          ProcStats.machineBusyNanos(), commands);
    }
  }
}
