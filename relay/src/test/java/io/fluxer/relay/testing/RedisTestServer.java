package io.fluxer.relay.testing;

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
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Redis for the tests of the Redis engines and of the cluster.
 *
 * <p>{@link #sharedUrl()} is the Redis all tests share: the one {@code scripts/test.sh} started and
 * named in {@value #ENV}, or else one this JVM starts from {@value #BINARY} (and stops on exit). Without
 * either, it fails with a message saying to run {@code scripts/test.sh}; the tests never skip.
 *
 * <p>{@link #start()} starts a private throwaway redis-server (no persistence, loopback, free port,
 * own temp dir) that a test may stop and restart on the same port.
 */
public final class RedisTestServer implements AutoCloseable {
  public static final String ENV = "FLUXER_TEST_REDIS_URL";
  public static final String BINARY = "/usr/bin/redis-server";
  private static final Duration READY_DEADLINE = Duration.ofSeconds(10);
  private static String shared;

  private final Path dir;
  private final int port;
  private Process process;

  private RedisTestServer(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  /** The URL of the Redis shared by the tests of this JVM. */
  public static synchronized String sharedUrl() {
    if (shared == null) {
      String env = System.getenv(ENV);
      if (env != null && !env.isBlank()) {
        shared = env.trim();
      } else {
        RedisTestServer server = start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        shared = server.url();
      }
    }
    return shared;
  }

  /** Starts a private redis-server on a free loopback port. */
  public static RedisTestServer start() {
    if (!Files.isExecutable(Path.of(BINARY))) {
      throw new AssertionError("the Redis engine tests need a real Redis: " + ENV + " is not set and "
          + BINARY + " does not exist. Run scripts/test.sh, which installs redis-server and starts one, "
          + "or set " + ENV + "=redis://host:port");
    }
    Path dir;
    try {
      dir = Files.createTempDirectory("fluxer-redis-test");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    AssertionError last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      RedisTestServer server = new RedisTestServer(dir, freePort());
      try {
        server.launch();
        return server;
      } catch (AssertionError e) {
        last = e; // most likely the port was taken meanwhile: try another
        server.kill();
      }
    }
    deleteQuietly(dir);
    throw last;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** Kills the server (SIGKILL, as a crash would) and waits until it is gone; its data is lost. */
  public void kill() {
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

  /** Starts the server again on the same port, empty. */
  public void restart() {
    kill();
    launch();
  }

  @Override
  public void close() {
    kill();
    deleteQuietly(dir);
  }

  private void launch() {
    List<String> command = List.of(BINARY, "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--dir", dir.toString(), "--daemonize", "no",
        "--logfile", dir.resolve("redis-" + port + ".log").toString());
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(dir.resolve("redis-" + port + ".out").toFile()).start();
    } catch (IOException e) {
      throw new AssertionError("cannot start " + BINARY + ": " + e.getMessage(), e);
    }
    awaitReady();
  }

  /** Waits until the server answers PING, failing if it exits or the deadline passes. */
  private void awaitReady() {
    long end = System.nanoTime() + READY_DEADLINE.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new AssertionError("redis-server on port " + port + " exited with " + process.exitValue()
            + "; see " + dir);
      }
      if (answersPing()) {
        return;
      }
      if (System.nanoTime() - end > 0) {
        throw new AssertionError("redis-server on port " + port + " did not answer within " + READY_DEADLINE);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  private boolean answersPing() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      socket.setSoTimeout(500);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] reply = new byte[7];
      int n = in.readNBytes(reply, 0, reply.length);
      return new String(reply, 0, n, StandardCharsets.US_ASCII).equals("+PONG\r\n");
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temp dir is harmless
    }
  }
}
