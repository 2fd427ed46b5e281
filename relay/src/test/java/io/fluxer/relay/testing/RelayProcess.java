package io.fluxer.relay.testing;

import io.fluxer.relay.auth.JwtSigner;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A relay node in its own JVM ({@code io.fluxer.relay.Main --dev --cluster}), for the cluster
 * tests: the embedded dev defaults (HMAC secret, admin API key) plus the environment this class
 * sets; the test's own classpath; output in a log file under {@code target/cluster-logs/}.
 *
 * <p>{@link #launch} starts the JVM, {@link #awaitListening} waits for its "listening" line.
 * {@link #kill9()} ends it as a crash would (SIGKILL), {@link #sigterm()} as an orchestrator stops
 * it (SIGTERM: the node closes its clients with 3001 and leaves the cluster). {@link #close()} kills
 * what is still running. Only the process this object started is ever signalled.
 */
public final class RelayProcess implements AutoCloseable {
  /** The dev defaults' admin API key ({@code fluxer-dev.json}). */
  public static final String API_KEY = "fluxer-dev-api-key-not-for-production";
  /** The dev defaults' HMAC secret, to sign connection tokens. */
  public static final String HMAC_SECRET = "fluxer-dev-secret-not-for-production";
  /** What Hazelcast needs on JDK 17 (see platform-notes), and a small, quick-starting JVM. */
  private static final List<String> JVM_FLAGS = List.of(
      "--add-modules", "java.se",
      "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens", "java.base/java.lang=ALL-UNNAMED",
      "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens", "java.management/sun.management=ALL-UNNAMED",
      "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
      "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
      "-Djava.net.preferIPv4Stack=true",
      // join at once instead of after 5 s; bind to 127.0.0.1 only, not every interface
      "-Dhazelcast.wait.seconds.before.join=0",
      "-Dhazelcast.socket.bind.any=false");
  private static final String LISTENING = "Fluxer relay ";
  private static final String TOKEN_LINE = "FLUXER_DEV_TOKEN=";
  private static final Duration STOP_DEADLINE = Duration.ofSeconds(20);
  private static final JwtSigner SIGNER = JwtSigner.hmac("HS256", HMAC_SECRET.getBytes(StandardCharsets.UTF_8));
  /** Nodes not yet ended, killed when the test JVM exits without closing them (a crash, a timeout). */
  private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
        "relay-process-cleanup"));
  }

  /**
   * How to start one node.
   *
   * @param name node name ({@code server.node_name}), also the log file's name
   * @param httpPort the client and API port
   * @param clusterPort the Hazelcast member port
   * @param members {@code host:port} of every member, this one included
   * @param env further {@code FLUXER_*} settings
   */
  public record Spec(String name, int httpPort, int clusterPort, List<String> members, Map<String, String> env) {
    public Spec {
      members = List.copyOf(members);
      env = Map.copyOf(env);
    }
  }

  private final Spec spec;
  private final Process process;
  private final Path log;
  private final long startedNanos = System.nanoTime();
  private String devToken;
  private Duration startTime;

  private RelayProcess(Spec spec, Process process, Path log) {
    this.spec = spec;
    this.process = process;
    this.log = log;
  }

  /** Starts the node's JVM; returns without waiting for it to listen. */
  public static RelayProcess launch(Spec spec, Path logDir) {
    return launch(spec, logDir, "io.fluxer.relay.Main", List.of("--dev", "--cluster"));
  }

  /**
   * Starts another Fluxer program of the test's classpath the same way (control-api's launcher), with
   * the node's settings in its environment.
   */
  public static RelayProcess launch(Spec spec, Path logDir, String mainClass, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_FLAGS);
    command.add("-cp");
    command.add(classpath());
    command.add(mainClass);
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command);
    // Only this node's settings: FLUXER_* variables of the test's own environment are not passed on.
    pb.environment().keySet().removeIf(k -> k.startsWith("FLUXER_"));
    pb.environment().putAll(environment(spec));
    Path log;
    try {
      Files.createDirectories(logDir);
      log = logDir.resolve(spec.name() + ".log");
      pb.redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
      Process process = pb.start();
      RUNNING.add(process);
      process.onExit().thenRun(() -> RUNNING.remove(process));
      process.getOutputStream().close();
      return new RelayProcess(spec, process, log);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start relay node " + spec.name(), e);
    }
  }

  private static Map<String, String> environment(Spec spec) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("FLUXER_SERVER_HOST", "127.0.0.1");
    env.put("FLUXER_SERVER_PORT", Integer.toString(spec.httpPort()));
    env.put("FLUXER_SERVER_NODE_NAME", spec.name());
    env.put("FLUXER_SERVER_INSTANCES", "2");
    env.put("FLUXER_CLUSTER_PORT", Integer.toString(spec.clusterPort()));
    env.put("FLUXER_CLUSTER_MEMBERS", String.join(",", spec.members()));
    env.put("FLUXER_CLUSTER_INTERFACE", "127.0.0.1");
    env.put("FLUXER_CLUSTER_BUS_HOST", "127.0.0.1");
    env.put("FLUXER_ENGINE_TYPE", "redis");
    // the event bus with mutual TLS, as outside --dev (the dev defaults turn it off)
    env.putAll(ClusterCerts.shared().env());
    env.putAll(spec.env());
    return env;
  }

  /** The forked test JVM's classpath (surefire puts it in {@code surefire.test.class.path}). */
  private static String classpath() {
    String cp = System.getProperty("surefire.test.class.path");
    if (cp == null || cp.isBlank()) {
      cp = System.getProperty("java.class.path");
    }
    return cp;
  }

  /** Waits until the process printed {@code text}; fails with the log's tail when it exits first or time runs out. */
  public RelayProcess awaitOutput(String text, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!output().contains(text)) {
      if (!process.isAlive()) {
        throw new AssertionError(name() + " exited with " + process.exitValue() + " before printing '" + text
            + "'\n" + tail(40));
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError(name() + " did not print '" + text + "' within " + timeout.toMillis() + " ms\n"
            + tail(40));
      }
      sleep(50);
    }
    return this;
  }

  /**
   * Waits until the node printed its "listening" line and its dev token; fails with the log's tail
   * when it exits first or {@code timeout} passes.
   */
  public RelayProcess awaitListening(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      String out = output();
      int at = out.indexOf(TOKEN_LINE);
      if (out.contains(LISTENING) && at >= 0) {
        int end = out.indexOf('\n', at);
        if (end > 0) {
          devToken = out.substring(at + TOKEN_LINE.length(), end).strip();
          startTime = Duration.ofNanos(System.nanoTime() - startedNanos);
          return this;
        }
      }
      if (!process.isAlive()) {
        throw new AssertionError("relay node " + name() + " exited with " + process.exitValue()
            + " before listening\n" + tail(40));
      }
      if (System.nanoTime() - deadline > 0) {
        throw new AssertionError("relay node " + name() + " did not listen within " + timeout.toMillis() + " ms\n"
            + tail(40));
      }
      sleep(50);
    }
  }

  /** Kills the JVM with SIGKILL (no shutdown hook runs) and waits until it is gone. */
  public void kill9() {
    process.destroyForcibly();
    awaitExit(STOP_DEADLINE);
  }

  /** Sends SIGTERM (the JVM's shutdown hook stops the node); returns at once. */
  public void sigterm() {
    process.destroy();
  }

  /** Waits for the JVM to exit and returns its exit code; fails after {@code timeout}. */
  public int awaitExit(Duration timeout) {
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("relay node " + name() + " (pid " + pid() + ") did not exit within "
            + timeout.toMillis() + " ms\n" + tail(40));
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long pid() {
    return process.pid();
  }

  public String name() {
    return spec.name();
  }

  public int port() {
    return spec.httpPort();
  }

  public String httpUrl() {
    return "http://127.0.0.1:" + port();
  }

  public String wsUrl() {
    return "ws://127.0.0.1:" + port() + "/connection/websocket";
  }

  /** The token for user {@code dev} the node printed. */
  public String devToken() {
    return devToken;
  }

  /** From launch to the "listening" line. */
  public Duration startTime() {
    return startTime;
  }

  /** A connection token for {@code user}, valid for an hour, signed with the dev secret. */
  public static String token(String user) {
    return SIGNER.sign(new JsonObject().put("sub", user).put("exp", Instant.now().getEpochSecond() + 3600));
  }

  public Path logFile() {
    return log;
  }

  /** Everything the node printed so far. */
  public String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** The last {@code lines} lines of the node's output, with a header naming the node and its log. */
  public String tail(int lines) {
    String[] all = output().split("\n");
    int from = Math.max(0, all.length - lines);
    StringBuilder sb = new StringBuilder("--- node ").append(name()).append(" (pid ").append(pid())
        .append(process.isAlive() ? ", running" : ", exited " + process.exitValue()).append("), ")
        .append(log).append(", last ").append(all.length - from).append(" lines ---\n");
    for (int i = from; i < all.length; i++) {
      sb.append(all[i]).append('\n');
    }
    return sb.toString();
  }

  /** Kills the JVM if it still runs. */
  @Override
  public void close() {
    if (process.isAlive()) {
      kill9();
    }
  }

  @Override
  public String toString() {
    return "RelayProcess[" + name() + " pid " + pid() + " port " + port() + "]";
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The directory for the logs of one test class's nodes: {@code target/cluster-logs/<name>}. */
  public static Path logDir(String name) {
    Path target = Path.of("target");
    if (!Files.isDirectory(target) && Files.isDirectory(Path.of("relay", "target"))) {
      target = Path.of("relay", "target");
    }
    return target.resolve("cluster-logs").resolve(name).toAbsolutePath();
  }
}
