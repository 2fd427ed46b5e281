package io.fluxer.relay.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * One redis-server process a test started (a cluster node, a master, a replica or a sentinel), with
 * a blocking RESP client for set-up commands. It is stopped through its own {@link Process} handle.
 */
final class RedisProcess {
  static final String BINARY = RedisTestServer.BINARY;
  private static final Duration READY_DEADLINE = Duration.ofSeconds(10);

  private final int port;
  private final Path dir;
  private Process process;

  private RedisProcess(int port, Path dir) {
    this.port = port;
    this.dir = dir;
  }

  /**
   * Starts {@code redis-server} with {@code args} (a config file first, if any) on {@code port} in
   * {@code dir}, and waits until it answers PING.
   */
  static RedisProcess start(Path dir, int port, List<String> args) {
    requireBinary();
    RedisProcess p = new RedisProcess(port, dir);
    List<String> command = new ArrayList<>();
    command.add(BINARY);
    command.addAll(args);
    command.addAll(List.of("--port", Integer.toString(port), "--bind", "127.0.0.1", "--dir", dir.toString(),
        "--daemonize", "no", "--logfile", dir.resolve("redis-" + port + ".log").toString()));
    try {
      p.process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(dir.resolve("redis-" + port + ".out").toFile()).start();
    } catch (IOException e) {
      throw new AssertionError("cannot start " + BINARY + ": " + e.getMessage(), e);
    }
    try {
      awaitCondition("redis-server on port " + port + " to answer PING", READY_DEADLINE, () -> {
        if (!p.process.isAlive()) {
          throw new AssertionError("redis-server on port " + port + " exited with " + p.process.exitValue()
              + "; see " + dir);
        }
        return p.answersPing();
      });
    } catch (AssertionError e) {
      p.kill();
      throw e;
    }
    return p;
  }

  static void requireBinary() {
    if (!Files.isExecutable(Path.of(BINARY))) {
      throw new AssertionError("the Redis topology tests need a real redis-server at " + BINARY
          + "; run scripts/test.sh, which installs it");
    }
  }

  int port() {
    return port;
  }

  String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Sends one command and answers the reply: a String, Long, List or {@code null}; an error reply throws. */
  Object call(String... args) {
    return call(port, args);
  }

  /** Like {@link #call}, but an error reply is answered as a {@link RedisError} instead of thrown. */
  Object tryCall(String... args) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      StringBuilder request = new StringBuilder("*").append(args.length).append("\r\n");
      for (String a : args) {
        request.append('$').append(a.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(a).append("\r\n");
      }
      out.write(request.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      return read(new BufferedInputStream(socket.getInputStream()));
    } catch (IOException e) {
      throw new UncheckedIOException("redis on port " + port + ": " + e.getMessage(), e);
    }
  }

  static Object call(int port, String... args) {
    RedisProcess p = new RedisProcess(port, null);
    Object reply = p.tryCall(args);
    if (reply instanceof RedisError error) {
      throw new AssertionError("redis on port " + port + " answered " + String.join(" ", args) + " with " + error.message());
    }
    return reply;
  }

  /** A field of an {@code INFO} section ({@code role}, {@code master_replid}...), or {@code null}. */
  String info(String section, String field) {
    for (String line : String.valueOf(call("INFO", section)).split("\r\n")) {
      if (line.startsWith(field + ":")) {
        return line.substring(field.length() + 1);
      }
    }
    return null;
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  /** Kills the process (SIGKILL) and waits until it is gone. */
  void kill() {
    Process p = process;
    if (p == null) {
      return;
    }
    p.destroyForcibly();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        throw new AssertionError("redis-server " + p.pid() + " did not exit");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
    process = null;
  }

  /** An error reply. */
  record RedisError(String message) {}

  private static Object read(InputStream in) throws IOException {
    int type = in.read();
    String line = readLine(in);
    switch (type) {
      case '+':
        return line;
      case '-':
        return new RedisError(line);
      case ':':
        return Long.parseLong(line);
      case '$': {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return null;
        }
        byte[] data = in.readNBytes(n + 2);
        return new String(data, 0, n, StandardCharsets.UTF_8);
      }
      case '*': {
        int n = Integer.parseInt(line);
        if (n < 0) {
          return null;
        }
        List<Object> items = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
          items.add(read(in));
        }
        return items;
      }
      default:
        throw new IOException("unexpected RESP type " + type);
    }
  }

  private static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != '\r') {
      if (c < 0) {
        throw new IOException("connection closed");
      }
      sb.append((char) c);
    }
    in.read(); // '\n'
    return sb.toString();
  }

  private boolean answersPing() {
    try {
      return "PONG".equals(tryCall("PING"));
    } catch (UncheckedIOException e) {
      return false;
    }
  }

  /** Polls {@code condition} until it holds, failing after {@code deadline}. */
  static void awaitCondition(String what, Duration deadline, BooleanSupplier condition) {
    long end = System.nanoTime() + deadline.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - end > 0) {
        throw new AssertionError("timed out after " + deadline + " waiting for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  /** Free loopback ports, all distinct (each held open until all are found). */
  static int[] freePorts(int n) {
    List<ServerSocket> held = new ArrayList<>();
    try {
      int[] ports = new int[n];
      for (int i = 0; i < n; i++) {
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        held.add(s);
        ports[i] = s.getLocalPort();
      }
      return ports;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (ServerSocket s : held) {
        try {
          s.close();
        } catch (IOException e) {
          // already free
        }
      }
    }
  }

  static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void deleteQuietly(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temp dir is harmless
    }
  }
}
