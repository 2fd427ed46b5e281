package io.fluxer.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs the scenarios against one server with one {@link ClientPool}:
 * <ul>
 *   <li>{@code fanout}: N subscribers of one channel, one publisher at stepped rates;</li>
 *   <li>{@code channels}: N connections each on its own channel, publications spread over them;</li>
 *   <li>{@code channels-one-user}: the same with every subscriber connected as one user;</li>
 *   <li>{@code idle}: N idle subscribed connections, the server's RSS before and after;</li>
 *   <li>{@code storm}: N connects as fast as possible with bounded concurrency.</li>
 * </ul>
 */
final class ScenarioRunner {
  private static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  /** A step measured while other processes used the CPUs is repeated at most this often. */
  private static final int MAX_RETRIES = 3;
  private static final Duration QUIET_WAIT = Duration.ofSeconds(120);

  private final BenchOptions o;
  private final ClientPool pool;
  private final ProcStats server;
  private final ProcStats self = ProcStats.self();
  private final ServerAllocation allocation;
  private final int generatorCpus = Runtime.getRuntime().availableProcessors();
  private final Consumer<String> log;
  private int stepCounter;

  /** @param server the server process, or {@code null} when unknown (then no RSS/CPU figures) */
  ScenarioRunner(BenchOptions options, ClientPool pool, ProcStats server, Consumer<String> log) {
    this.o = options;
    this.pool = pool;
    this.server = server;
    this.log = log;
    this.allocation = new ServerAllocation(options.url());
  }

  Results.Publishing fanOut() {
    String channel = o.channelPrefix() + "bench-fanout";
    String[] channels = new String[o.subscribers()];
    java.util.Arrays.fill(channels, channel);
    return publishing("fanout", "one channel", channels, new String[] {channel}, true, o.rates());
  }

  /**
   * Connections each on its own channel; with {@code oneUser} all subscribers connect as the same
   * user (as with {@code --one-user}), on channels of their own so both variants start afresh.
   */
  Results.Publishing manyChannels(boolean oneUser) {
    String[] channels = channels(oneUser ? "bench-ch-1u-" : "bench-ch-", o.channelConnections());
    boolean before = pool.oneUser();
    pool.oneUser(before || oneUser);
    try {
      return publishing(oneUser ? "channels-one-user" : "channels",
          oneUser ? "one per connection, one user" : "one per connection", channels, channels, false,
          o.channelRates());
    } finally {
      pool.oneUser(before);
    }
  }

  private Results.Publishing publishing(String scenario, String layout, String[] subscriptions, String[] publishTo,
                                        boolean fanOut, List<Double> rates) {
    log.accept(String.format("opening %d subscribers (%s)", subscriptions.length, layout));
    ClientPool.Opened opened = pool.openAll(subscriptions, o.connectConcurrency());
    log.accept(String.format("  %d connected in %d ms, %d failed %s", opened.clients().size(),
        opened.elapsedNanos() / 1_000_000, opened.failed(), opened.errors()));
    if (opened.clients().isEmpty()) {
      throw new IllegalStateException("no subscriber could connect: " + opened.errors());
    }
    List<BenchClient> subs = new ArrayList<>(opened.clients());
    BenchClient publisherConnection = pool.openPublisher();
    Publisher publisher = new Publisher(pool.vertx(), publisherConnection, publishTo, o.paddingBytes());
    sleep(500); // let join pushes and subscribe bookkeeping settle
    pool.takeDisconnects();
    List<Results.Step> steps = new ArrayList<>();
    String aborted = null;
    try {
      if (o.warmupSeconds() > 0) {
        log.accept(String.format("  warm-up: %.0f/s for %.0f s", rates.get(0), o.warmupSeconds()));
        step(subscriptions, subs, publisher, fanOut, rates.get(0), o.warmupSeconds());
      }
      Path jfr = startJfr(scenario);
      for (double rate : rates) {
        Results.Step s = step(subscriptions, subs, publisher, fanOut, rate, o.stepSeconds());
        for (int retry = 1; retry <= MAX_RETRIES && s.cpu().contended(); retry++) {
          log.accept(String.format("  %,.0f pub/s: other processes used %.2f cores; waiting for a quiet machine, "
              + "then repeating the step", rate, s.cpu().others()));
          waitForQuietMachine();
          s = step(subscriptions, subs, publisher, fanOut, rate, o.stepSeconds());
        }
        steps.add(s);
        aborted = abortReason(s);
        log.accept(String.format("  %,.0f pub/s: offered %,.0f/s, delivered %,.0f/s, p50 %.2f p99 %.2f max %.1f ms,"
                + " lost %d, server alloc %s/delivery, server %s cores, generator %.2f cores, other load %s (%s)%s",
            rate, s.offeredPerSecond(), s.deliveredPerSecond(), s.latency().p50(), s.latency().p99(),
            s.latency().max(), s.lost(), ReportWriter.bytes(s.serverAllocatedPerDelivery()),
            s.cpu().server() == null ? "?" : String.format("%.2f", s.cpu().server()), s.cpu().generator(),
            s.cpu().others() == null ? "?" : String.format("%.2f", s.cpu().others()), s.cpu().bound(),
            s.cpu().contended() ? " CONTENDED: other processes used the CPUs" : ""));
        if (aborted != null) {
          log.accept("  stopping this scenario: " + aborted);
          break;
        }
      }
      stopJfr(jfr);
    } finally {
      List<BenchClient> all = new ArrayList<>(subs);
      all.add(publisherConnection);
      pool.closeAll(all);
      pool.takeDisconnects();
    }
    return new Results.Publishing(layout, subscriptions.length, opened.elapsedNanos() / 1_000_000, steps, aborted);
  }

  private Results.Step step(String[] subscriptions, List<BenchClient> subs, Publisher publisher, boolean fanOut,
                            double rate, double seconds) {
    int reconnected = reopenClosed(subscriptions, subs);
    int stepIndex = ++stepCounter;
    pool.step(stepIndex);
    long received0 = pool.received();
    long late0 = pool.late();
    long gaps0 = pool.gaps();
    long duplicates0 = pool.duplicates();
    long errors0 = publisher.errors();
    pool.latencyInterval(); // discard what came before
    int receivers = (int) subs.stream().filter(c -> !c.closed).count();
    // Read before the CPU samples (and after them at the end), so the scrape is not in the step's CPU.
    Long allocated0 = allocation.allocatedBytes();
    ProcStats.Sample g0 = self.sample();
    ProcStats.Sample s0 = serverSample();
    long m0 = ProcStats.machineBusyNanos();
    java.time.Instant wall0 = java.time.Instant.now();
    long t0 = System.nanoTime();

    long published = ClientPool.await(publisher.run(rate, seconds, stepIndex),
        Duration.ofMillis((long) (seconds * 1000) + 60_000));
    long publishEnd = System.nanoTime();
    long expected = fanOut ? published * receivers : published;
    long deadline = publishEnd + (long) (o.drainSeconds() * 1e9);
    while (pool.received() - received0 < expected && System.nanoTime() < deadline) {
      sleep(5);
    }
    long drainEnd = System.nanoTime();
    ProcStats.Sample g1 = self.sample();
    ProcStats.Sample s1 = serverSample();
    long m1 = ProcStats.machineBusyNanos();
    long received = pool.received() - received0;
    Long allocated = ServerAllocation.between(allocated0, allocation.allocatedBytes());
    long lastArrival = pool.lastArrivalNanos();
    Results.Latency latency = LatencyHistogram.summary(pool.latencyInterval());
    Long rss = server == null ? null : server.rssBytes();
    long afterDeadline = 0;
    if (received < expected) {
      // Behind: wait for the backlog to pass, so it does not load the next step.
      waitQuiet();
      afterDeadline = pool.received() - received0 - received;
    }
    Map<String, Long> disconnects = pool.takeDisconnects();
    double publishSeconds = (publishEnd - t0) / 1e9;
    double deliverSeconds = (lastArrival - t0) / 1e9;
    Results.Cpu cpu = cpu(g0, g1, s0, s1, m0, m1);
    GcLog.Pauses gc = o.serverGcLog() == null ? null
        : GcLog.between(o.serverGcLog(), wall0, wall0.plusNanos(drainEnd - t0));
    return new Results.Step(rate, receivers, seconds, published, publisher.errors() - errors0, expected, received,
        Math.max(0, expected - received), afterDeadline, pool.gaps() - gaps0, pool.duplicates() - duplicates0,
        pool.late() - late0, expected / publishSeconds,
        received == 0 || deliverSeconds <= 0 ? 0 : received / deliverSeconds, latency,
        (drainEnd - publishEnd) / 1_000_000, cpu, rss, allocated, gc, disconnects, reconnected);
  }

  /**
   * Re-opens subscribers the server closed (e.g. 3008 slow), so each step starts with all of
   * them: in parallel, bounded like the set-up. Those that cannot be re-opened stay closed.
   */
  private int reopenClosed(String[] subscriptions, List<BenchClient> subs) {
    List<Integer> positions = new ArrayList<>();
    for (int i = 0; i < subs.size(); i++) {
      if (subs.get(i).closed) {
        positions.add(i);
      }
    }
    if (positions.isEmpty()) {
      return 0;
    }
    int[] indices = positions.stream().mapToInt(i -> subs.get(i).index).toArray();
    ClientPool.Opened opened = pool.openAll(indices, subscriptions, o.connectConcurrency());
    java.util.Map<Integer, BenchClient> byIndex = new java.util.HashMap<>();
    opened.clients().forEach(c -> byIndex.put(c.index, c));
    for (int p : positions) {
      BenchClient again = byIndex.get(subs.get(p).index);
      if (again != null) {
        subs.set(p, again);
      }
    }
    log.accept(String.format("  reconnected %d of %d subscribers closed by the server%s", opened.clients().size(),
        positions.size(), opened.failed() == 0 ? "" : "; failures: " + opened.errors()));
    return opened.clients().size();
  }

  /** Why the remaining steps cannot be measured, or null when they can. */
  private String abortReason(Results.Step s) {
    if (server != null && !server.alive()) {
      return "the server process exited";
    }
    if (s.expected() > 0 && s.received() == 0) {
      return String.format("the server delivered nothing at %,.0f publications/s (closed: %s)", s.rate(),
          s.disconnects());
    }
    if (s.receivers() == 0) {
      return "no subscriber left";
    }
    return null;
  }

  /** Waits until nothing has arrived for 500 ms, at most the drain time. */
  private void waitQuiet() {
    long cap = System.nanoTime() + (long) (o.drainSeconds() * 1e9);
    long last = pool.received() + pool.late();
    long quietSince = System.nanoTime();
    while (System.nanoTime() < cap && System.nanoTime() - quietSince < QUIET_NANOS) {
      sleep(20);
      long now = pool.received() + pool.late();
      if (now != last) {
        last = now;
        quietSince = System.nanoTime();
      }
    }
  }

  Results.Idle idle() {
    int n = o.idleConnections();
    boolean gc = o.gcForRss() && server != null && server.pid() != self.pid() && jcmd() != null;
    Map<String, long[]> heapBefore = gc ? liveHistogram() : Map.of();
    Long rssBefore = server == null ? null : server.rssBytes();
    log.accept(String.format("opening %d idle connections on %d channel(s)", n, Math.min(n, o.idleChannels())));
    String[] idleChannels = channels("bench-idle-", n);
    for (int i = 0; i < n; i++) {
      idleChannels[i] = idleChannels[i % o.idleChannels()];
    }
    ClientPool.Opened opened = pool.openAll(idleChannels, o.connectConcurrency());
    log.accept(String.format("  %d connected in %d ms, %d failed %s", opened.clients().size(),
        opened.elapsedNanos() / 1_000_000, opened.failed(), opened.errors()));
    try {
      sleep(3000);
      Long rssAfter = server == null ? null : server.rssBytes();
      Map<String, long[]> heapAfter = gc ? liveHistogram() : Map.of();
      int connected = (int) opened.clients().stream().filter(c -> !c.closed).count();
      Double perConnection = rssBefore == null || connected == 0 ? null : (double) (rssAfter - rssBefore) / connected;
      Long liveBefore = heapBefore.containsKey("") ? heapBefore.get("")[1] : null;
      Long liveAfter = heapAfter.containsKey("") ? heapAfter.get("")[1] : null;
      Double livePerConnection = liveBefore == null || liveAfter == null || connected == 0 ? null
          : (double) (liveAfter - liveBefore) / connected;
      List<Results.ClassGrowth> classes = liveBefore == null || liveAfter == null || connected == 0 ? List.of()
          : growth(heapBefore, heapAfter, connected, 15);
      log.accept(String.format("  RSS %s -> %s: %s bytes/connection; live heap %s -> %s: %s bytes/connection",
          mb(rssBefore), mb(rssAfter), round(perConnection), mb(liveBefore), mb(liveAfter), round(livePerConnection)));
      return new Results.Idle(n, connected, opened.elapsedNanos() / 1_000_000, rssBefore, rssAfter, perConnection,
          liveBefore, liveAfter, livePerConnection, classes);
    } finally {
      pool.closeAll(opened.clients());
      pool.takeDisconnects();
    }
  }

  /**
   * Opens and closes {@code n} connections, unmeasured, so that both JVMs have compiled the
   * connection path before anything is measured (a cold generator on one core connects several
   * times slower, mostly busy in its JIT compiler).
   */
  void warmUp(int n) {
    if (n <= 0) {
      return;
    }
    log.accept(String.format("warm-up: opening and closing %d connections", n));
    ClientPool.Opened opened = pool.openAll(channels("bench-warm-", n), o.connectConcurrency());
    log.accept(String.format("  %d connected in %d ms", opened.clients().size(), opened.elapsedNanos() / 1_000_000));
    pool.closeAll(opened.clients());
    pool.takeDisconnects();
    sleep(1000);
  }

  Results.Storm storm() {
    Results.Storm s = stormOnce();
    for (int retry = 1; retry <= MAX_RETRIES && s.cpu().contended(); retry++) {
      log.accept(String.format("  other processes used %.2f cores; waiting for a quiet machine, then repeating",
          s.cpu().others()));
      waitForQuietMachine();
      s = stormOnce();
    }
    return s;
  }

  private Results.Storm stormOnce() {
    int n = o.stormConnections();
    log.accept(String.format("connect storm: %d connections, %d in flight", n, o.stormConcurrency()));
    ProcStats.Sample g0 = self.sample();
    ProcStats.Sample s0 = serverSample();
    long m0 = ProcStats.machineBusyNanos();
    ClientPool.Opened opened = pool.openAll(channels("bench-storm-", n), o.stormConcurrency());
    ProcStats.Sample g1 = self.sample();
    ProcStats.Sample s1 = serverSample();
    long m1 = ProcStats.machineBusyNanos();
    try {
      long ms = opened.elapsedNanos() / 1_000_000;
      Results.Latency handshake = LatencyHistogram.summary(opened.handshakeMicros());
      log.accept(String.format("  %d connected and subscribed in %d ms (%d failed %s), handshake p50 %.1f p99 %.1f ms",
          opened.clients().size(), ms, opened.failed(), opened.errors(), handshake.p50(), handshake.p99()));
      return new Results.Storm(n, o.stormConcurrency(), opened.clients().size(), opened.failed(), ms,
          opened.clients().size() / (opened.elapsedNanos() / 1e9), handshake, cpu(g0, g1, s0, s1, m0, m1));
    } finally {
      pool.closeAll(opened.clients());
      pool.takeDisconnects();
    }
  }

  /**
   * Waits (at most two minutes) until the machine has been nearly idle for two seconds: the
   * generator's connections are idle now, so whatever keeps the CPUs busy is someone else.
   */
  private void waitForQuietMachine() {
    long deadline = System.nanoTime() + QUIET_WAIT.toNanos();
    int quietSeconds = 0;
    while (quietSeconds < 2 && System.nanoTime() < deadline) {
      long m0 = ProcStats.machineBusyNanos();
      long t0 = System.nanoTime();
      sleep(1000);
      double busy = (double) (ProcStats.machineBusyNanos() - m0) / (System.nanoTime() - t0);
      quietSeconds = busy < 0.15 ? quietSeconds + 1 : 0;
    }
    if (quietSeconds < 2) {
      log.accept("  the machine did not become quiet within " + QUIET_WAIT.toSeconds() + " s");
    }
  }

  private Results.Cpu cpu(ProcStats.Sample g0, ProcStats.Sample g1, ProcStats.Sample s0, ProcStats.Sample s1,
                          long machine0, long machine1) {
    double generator = g1.coresSince(g0);
    Double serverCores = s0 == null ? null : s1.coresSince(s0);
    Double others = null;
    // Without the server's process its CPU cannot be told apart from other load: leave it unmeasured.
    if (machine0 >= 0 && machine1 >= 0 && server != null) {
      double machine = (double) (machine1 - machine0) / (g1.wallNanos() - g0.wallNanos());
      boolean separate = server.pid() != self.pid(); // an in-process server is in the generator's figure
      others = Math.max(0, machine - generator - (separate && serverCores != null ? serverCores : 0));
    }
    return new Results.Cpu(serverCores, server == null ? null : server.allowedCpus(), generator, generatorCpus, others);
  }

  private String[] channels(String name, int n) {
    String[] channels = new String[n];
    for (int i = 0; i < n; i++) {
      channels[i] = o.channelPrefix() + name + i;
    }
    return channels;
  }

  private ProcStats.Sample serverSample() {
    return server == null ? null : server.sample();
  }

  /**
   * The server's live objects by class ({@code jcmd PID GC.class_histogram}, which collects
   * garbage first): class name → {instances, bytes}; the key {@code ""} holds the totals.
   */
  private Map<String, long[]> liveHistogram() {
    Map<String, long[]> classes = new java.util.HashMap<>();
    for (String line : jcmd("GC.class_histogram").split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length >= 3 && f[0].equals("Total")) {
        classes.put("", new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])});
      } else if (f.length >= 4 && f[0].endsWith(":")) {
        classes.merge(f[3], new long[] {Long.parseLong(f[1]), Long.parseLong(f[2])},
            (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
      }
    }
    return classes;
  }

  /** The classes whose live bytes grew most between two histograms, per connection. */
  private static List<Results.ClassGrowth> growth(Map<String, long[]> before, Map<String, long[]> after,
                                                 int connections, int top) {
    List<Results.ClassGrowth> all = new ArrayList<>();
    after.forEach((name, a) -> {
      if (name.isEmpty()) {
        return;
      }
      long[] b = before.getOrDefault(name, new long[2]);
      long bytes = a[1] - b[1];
      if (bytes > 0) {
        all.add(new Results.ClassGrowth(name, (double) (a[0] - b[0]) / connections, (double) bytes / connections));
      }
    });
    all.sort((x, y) -> Double.compare(y.bytesPerConnection(), x.bytesPerConnection()));
    return List.copyOf(all.subList(0, Math.min(top, all.size())));
  }

  /** Starts a JFR recording of the server (profile settings) when asked to; returns its file. */
  private Path startJfr(String scenario) {
    if (o.jfrDir() == null || server == null || jcmd() == null) {
      return null;
    }
    Path file = o.jfrDir().toAbsolutePath().resolve(o.label() + "-" + scenario + ".jfr");
    try {
      Files.createDirectories(file.getParent());
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    jcmd("JFR.start", "name=fluxer-bench", "settings=profile");
    log.accept("  JFR recording of the server started (" + file + ")");
    return file;
  }

  private void stopJfr(Path file) {
    if (file != null) {
      jcmd("JFR.stop", "name=fluxer-bench", "filename=" + file);
      log.accept("  JFR recording written to " + file);
    }
  }

  /** Runs {@code jcmd <server pid> command...}; returns its output ("" on failure). */
  private String jcmd(String... command) {
    List<String> cmd = new ArrayList<>(List.of(jcmd().toString(), Long.toString(server.pid())));
    cmd.addAll(List.of(command));
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      } else if (p.exitValue() != 0) {
        log.accept("  " + String.join(" ", cmd) + " exited with " + p.exitValue());
      }
      return new String(out, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      log.accept("  " + String.join(" ", cmd) + " failed: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return "";
  }

  private static Path jcmd() {
    Path p = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    return Files.isExecutable(p) ? p : null;
  }

  private static String mb(Long bytes) {
    return bytes == null ? "?" : String.format("%.1f MB", bytes / 1e6);
  }

  private static String round(Double d) {
    return d == null ? "?" : String.format("%,.0f", d);
  }

  private static void sleep(long millis) {
    ClientPool.sleep(millis);
  }
}
