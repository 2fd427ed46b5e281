package io.fluxer.bench;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The command line of {@link Bench}, parsed and checked. */
record BenchOptions(
    List<String> scenarios,
    URI url,
    String label,
    Long serverPid,
    String serverInfo,
    Path out,
    int subscribers,
    List<Double> rates,
    int channelConnections,
    List<Double> channelRates,
    int idleConnections,
    int stormConnections,
    int stormConcurrency,
    int connectConcurrency,
    double stepSeconds,
    double warmupSeconds,
    double drainSeconds,
    int loops,
    String secret,
    String channelPrefix,
    int paddingBytes,
    boolean gcForRss,
    Path jfrDir,
    int warmupConnections,
    Path serverGcLog,
    boolean protobuf,
    boolean oneUser,
    Path timeline,
    List<URI> nodes,
    List<Long> nodePids,
    Long redisPid,
    URI redisUrl,
    int clusterChannels,
    List<Double> clusterRates,
    double baselineSeconds,
    int idleChannels) {

  /** Every scenario, in the order {@code all} runs them. */
  static final List<String> SCENARIOS = List.of("idle", "storm", "fanout", "channels", "channels-one-user");
  /** Scenarios that need several relay nodes ({@code --nodes}); not part of {@code all}. */
  static final List<String> CLUSTER_SCENARIOS = List.of("cluster-channels");
  static final String DEV_SECRET = "fluxer-dev-secret-not-for-production";

  static final String USAGE = String.join("\n",
      "usage: Bench <" + String.join("|", SCENARIOS) + "|all|cluster-channels>[,...] [options]",
      "       Bench report --out DIR        (rewrite report.md and chart.svg from DIR/*.json)",
      "",
      "  idle: idle subscribed connections, the server's memory; storm: connects as fast as possible;",
      "  fanout: subscribers of one channel, one publisher; channels: each connection on its own channel,",
      "  one user each; channels-one-user: the same with every subscriber connected as one user.",
      "  all: " + String.join(",", SCENARIOS) + ". A run prints the targets it met and missed to stdout.",
      "  cluster-channels: channels each with one subscriber, connected to one of the --nodes (channel i",
      "  on node i mod nodes), one publisher on the first node; per node, the growth of its",
      "  fluxer_node_publications_received_total against the publications of its own channels, latency",
      "  split by subscriber on the publishing node or another one, CPU of each node and of Redis.",
      "",
      "  --url URL                 server WebSocket endpoint (ws://127.0.0.1:8000/connection/websocket)",
      "  --label NAME              name of this run: relay, ceiling, ... (relay); writes DIR/NAME.json",
      "  --server-pid PID          server process: its RSS, CPU and live heap, and other load on the machine",
      "  --server-info TEXT        free text stored with the run, e.g. the server's JVM flags",
      "  --out DIR                 where results go (bench/results)",
      "  --subscribers N           fanout: subscribers of one channel (1000)",
      "  --rates R1,R2,...         fanout: publications/s per step (500,1000,2000)",
      "  --channel-connections N   channels*: connections, each on its own channel (5000)",
      "  --channel-rates R1,...    channels*: total publications/s per step (2500,5000,10000)",
      "  --idle-connections N      idle: connections (10000)",
      "  --idle-channels N         idle: channels they subscribe to, connection i to channel i mod N",
      "                            (default: one channel per connection); 1 and the default apart give",
      "                            the memory of a channel",
      "  --storm-connections N     storm: connections (10000)",
      "  --storm-concurrency N     storm: handshakes in flight (200)",
      "  --connect-concurrency N   handshakes in flight when setting up other scenarios (200)",
      "  --step-seconds S          publishing time per step (10)",
      "  --warmup-seconds S        unreported warm-up at the first rate, while the server's JIT compiles (20)",
      "  --drain-seconds S         wait after a step for deliveries still on their way (5)",
      "  --loops N                 generator event loops (CPUs available to the generator)",
      "  --secret S                HS256 secret for connection tokens (the dev relay's)",
      "  --channel-prefix P        namespace prefix of the channels (chat:)",
      "  --padding BYTES           extra bytes in each publication's data (0)",
      "  --encoding json|protobuf  the subscribers' encoding: JSON text frames, or the Protobuf protocol",
      "                            (subprotocol centrifuge-protobuf); the publisher speaks JSON (json)",
      "  --one-user                every connection but the publisher connects as the same user (a",
      "                            service account, one user with many tabs) in every scenario; default:",
      "                            one user each (but in channels-one-user)",
      "  --warmup-connections N    open and close N connections before measuring anything (3000)",
      "  --server-gc-log FILE      the server's -Xlog:gc:file=FILE:utctime log: GC pauses per step",
      "  --no-gc                   idle: do not measure the server's live heap (jcmd GC.run + GC.heap_info)",
      "  --timeline FILE           CSV of latency over time (every 50 ms: received, over 2 ms, slowest), in UTC",
      "                            to lay beside the server's GC log or a JFR recording",
      "  --jfr DIR                 record the server with JFR (jcmd) during the measured steps of fanout",
      "                            and channels, into DIR/<label>-<scenario>.jfr (needs --server-pid)",
      "  --nodes URL1,URL2,...     cluster-channels: every node's WebSocket endpoint; the publisher and",
      "                            --url are the first (all connections are spread over the nodes)",
      "  --node-pids P1,P2,...     cluster-channels: the nodes' processes, in --nodes order (CPU, RSS)",
      "  --redis-pid PID           cluster-channels: redis-server's process (its CPU)",
      "  --redis-url redis://H:P   cluster-channels: Redis without a password (commands per step, INFO stats)",
      "  --cluster-channels N      cluster-channels: channels, one subscriber each (5000)",
      "  --cluster-rates R1,...    cluster-channels: total publications/s per step (1000)",
      "  --baseline-seconds S      cluster-channels: CPU and Redis commands measured with nothing published,",
      "                            before the steps (10; 0 skips it)");

  static BenchOptions parse(String[] args) {
    if (args.length == 0 || args[0].startsWith("-")) {
      throw new IllegalArgumentException("first argument must be a scenario or 'all'");
    }
    List<String> scenarios = new ArrayList<>();
    for (String s : args[0].split(",")) {
      if (s.equals("all")) {
        scenarios.addAll(SCENARIOS);
      } else if (SCENARIOS.contains(s) || CLUSTER_SCENARIOS.contains(s)) {
        scenarios.add(s);
      } else {
        throw new IllegalArgumentException("unknown scenario: " + s);
      }
    }
    URI url = URI.create("ws://127.0.0.1:8000/connection/websocket");
    String label = "relay";
    Long serverPid = null;
    String serverInfo = "";
    Path out = Path.of("bench/results");
    int subscribers = 1000;
    List<Double> rates = List.of(500.0, 1000.0, 2000.0);
    int channelConnections = 5000;
    List<Double> channelRates = List.of(2500.0, 5000.0, 10000.0);
    int idle = 10_000;
    int storm = 10_000;
    int stormConcurrency = 200;
    int connectConcurrency = 200;
    double step = 10;
    // The server's JIT compiler takes about a quarter of its one core for the first ~15 s of load
    // (docs/benchmarks.md): what is measured after the warm-up is the server's steady state.
    double warmup = 20;
    double drain = 5;
    int loops = Runtime.getRuntime().availableProcessors();
    String secret = DEV_SECRET;
    String prefix = "chat:";
    int padding = 0;
    boolean gc = true;
    Path jfr = null;
    int warmupConnections = 3000;
    Path gcLog = null;
    Path timeline = null;
    boolean protobuf = false;
    boolean oneUser = false;
    boolean urlGiven = false;
    List<URI> nodes = List.of();
    List<Long> nodePids = List.of();
    Long redisPid = null;
    URI redisUrl = null;
    int clusterChannels = 5000;
    // Two cores carry three relays, Redis and the generator: 1,000/s leaves them room (docs/benchmarks.md).
    List<Double> clusterRates = List.of(1000.0);
    double baseline = 10;
    int idleChannels = 0;
    for (int i = 1; i < args.length; i++) {
      String a = args[i];
      String value = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        value = a.substring(eq + 1);
        a = a.substring(0, eq);
      }
      if (a.equals("--no-gc")) {
        gc = false;
        continue;
      }
      if (a.equals("--one-user")) {
        oneUser = true;
        continue;
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(a + " needs a value");
        }
        value = args[++i];
      }
      switch (a) {
        case "--url" -> {
          url = URI.create(value);
          urlGiven = true;
        }
        case "--nodes" -> nodes = Arrays.stream(value.split(",")).map(String::trim).filter(x -> !x.isEmpty())
            .map(URI::create).toList();
        case "--node-pids" -> nodePids = Arrays.stream(value.split(",")).map(String::trim)
            .filter(x -> !x.isEmpty()).map(Long::parseLong).toList();
        case "--redis-pid" -> redisPid = Long.parseLong(value);
        case "--redis-url" -> redisUrl = URI.create(value);
        case "--cluster-channels" -> clusterChannels = positive(a, value);
        case "--cluster-rates" -> clusterRates = doubles(a, value);
        case "--baseline-seconds" -> baseline = Double.parseDouble(value);
        case "--label" -> label = value;
        case "--server-pid" -> serverPid = Long.parseLong(value);
        case "--server-info" -> serverInfo = value;
        case "--out" -> out = Path.of(value);
        case "--subscribers" -> subscribers = positive(a, value);
        case "--rates" -> rates = doubles(a, value);
        case "--channel-connections" -> channelConnections = positive(a, value);
        case "--channel-rates" -> channelRates = doubles(a, value);
        case "--idle-connections" -> idle = positive(a, value);
        case "--idle-channels" -> idleChannels = positive(a, value);
        case "--storm-connections" -> storm = positive(a, value);
        case "--storm-concurrency" -> stormConcurrency = positive(a, value);
        case "--connect-concurrency" -> connectConcurrency = positive(a, value);
        case "--step-seconds" -> step = seconds(a, value);
        case "--warmup-seconds" -> warmup = Double.parseDouble(value);
        case "--drain-seconds" -> drain = seconds(a, value);
        case "--loops" -> loops = positive(a, value);
        case "--secret" -> secret = value;
        case "--channel-prefix" -> prefix = value;
        case "--padding" -> padding = Integer.parseInt(value);
        case "--jfr" -> jfr = Path.of(value);
        case "--warmup-connections" -> warmupConnections = Integer.parseInt(value);
        case "--server-gc-log" -> gcLog = Path.of(value);
        case "--timeline" -> timeline = Path.of(value);
        case "--encoding" -> protobuf = switch (value) {
          case "json" -> false;
          case "protobuf" -> true;
          default -> throw new IllegalArgumentException("--encoding must be json or protobuf, got " + value);
        };
        default -> throw new IllegalArgumentException("unknown option: " + a);
      }
    }
    for (URI node : nodes) {
      if (!"ws".equals(node.getScheme()) || node.getHost() == null) {
        throw new IllegalArgumentException("--nodes must be ws://host:port/path URLs, got " + node);
      }
    }
    if (!nodes.isEmpty() && !urlGiven) {
      url = nodes.get(0);
    }
    if (!nodes.isEmpty() && !nodes.get(0).equals(url)) {
      throw new IllegalArgumentException("--url must be the first of --nodes (the publisher's node)");
    }
    if (scenarios.stream().anyMatch(CLUSTER_SCENARIOS::contains) && nodes.size() < 2) {
      throw new IllegalArgumentException("cluster-channels needs --nodes with at least two nodes");
    }
    if (!nodePids.isEmpty() && nodePids.size() != nodes.size()) {
      throw new IllegalArgumentException("--node-pids must name one process per node of --nodes");
    }
    if (redisUrl != null && (!"redis".equals(redisUrl.getScheme()) || redisUrl.getHost() == null)) {
      throw new IllegalArgumentException("--redis-url must be redis://host:port, got " + redisUrl);
    }
    if (!"ws".equals(url.getScheme()) || url.getHost() == null) {
      throw new IllegalArgumentException("--url must be ws://host:port/path, got " + url);
    }
    if (!label.matches("[A-Za-z0-9_.-]+") || label.equals("results") || label.equals("report")) {
      throw new IllegalArgumentException("--label must be a plain name (letters, digits, _ . -), got " + label);
    }
    return new BenchOptions(List.copyOf(scenarios), url, label, serverPid, serverInfo, out, subscribers, rates,
        channelConnections, channelRates, idle, storm, stormConcurrency, connectConcurrency, step,
        Math.max(0, warmup), drain, loops, secret, prefix, Math.max(0, padding), gc, jfr, Math.max(0, warmupConnections), gcLog,
        protobuf, oneUser, timeline, nodes, nodePids, redisPid, redisUrl, clusterChannels, clusterRates,
        Math.max(0, baseline), idleChannels == 0 ? idle : idleChannels);
  }

  private static int positive(String name, String value) {
    int v = Integer.parseInt(value);
    if (v <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
    return v;
  }

  private static double seconds(String name, String value) {
    double v = Double.parseDouble(value);
    if (v <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + value);
    }
    return v;
  }

  private static List<Double> doubles(String name, String value) {
    List<Double> list = Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .map(Double::parseDouble).toList();
    if (list.isEmpty() || list.stream().anyMatch(d -> d <= 0)) {
      throw new IllegalArgumentException(name + " must be a list of positive rates, got " + value);
    }
    return list;
  }
}
