package io.fluxer.relay.testing;

import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL for the store tests.
 *
 * <p>{@link #sharedUrl()} is the server all tests share: the one {@code scripts/test.sh} started and
 * named in {@value #ENV}, or else one this JVM starts from {@value #BIN} (and stops on exit). Without
 * either, it fails with a message saying to run {@code scripts/test.sh}; the tests never skip.
 * {@link #freshDatabase} gives each test an empty database of its own on it.
 *
 * <p>{@link #start()} starts a private throwaway cluster (own temp dir, loopback, free port, no
 * fsync) that a test may stop and start again on the same port with its data. initdb and postgres
 * refuse to run as root: as root they run as the {@code postgres} user, owner of the data dir.
 */
public final class PgTestServer implements AutoCloseable {
  static final String ENV = "FLUXER_TEST_PG_URL";
  static final String BIN = "/usr/lib/postgresql/15/bin";
  private static final Duration STOP_DEADLINE = Duration.ofSeconds(20);
  private static String shared;

  private final Path dir;
  private final int port;
  private long pid = -1;

  private PgTestServer(Path dir, int port) {
    this.dir = dir;
    this.port = port;
  }

  /** The URL of the PostgreSQL shared by the tests of this JVM (a superuser's, so it may create databases). */
  public static synchronized String sharedUrl() {
    if (shared == null) {
      String env = System.getenv(ENV);
      if (env != null && !env.isBlank()) {
        shared = env.trim();
      } else {
        PgTestServer server = start();
        Runtime.getRuntime().addShutdownHook(new Thread(server::close));
        shared = server.url();
      }
    }
    return shared;
  }

  /** Creates an empty database on the shared server; its URL. */
  public static String freshDatabase(Vertx vertx) {
    String name = "fluxer_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    Pool admin = pool(vertx, sharedUrl());
    try {
      TestRelay.await(admin.query("CREATE DATABASE " + name).execute());
    } finally {
      TestRelay.await(admin.close());
    }
    return withDatabase(sharedUrl(), name);
  }

  /** Drops a database {@link #freshDatabase} made, closing its sessions; best effort. */
  public static void dropDatabase(Vertx vertx, String url) {
    String name = URI.create(url).getPath().substring(1);
    Pool admin = pool(vertx, sharedUrl());
    try {
      TestRelay.await(admin.query("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)").execute());
    } catch (AssertionError e) {
      // a leftover database on a throwaway server is harmless
    } finally {
      TestRelay.await(admin.close());
    }
  }

  /** A small pool on {@code url}, for tests to look into the database. */
  public static Pool pool(Vertx vertx, String url) {
    return PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(url).using(vertx).build();
  }

  /** {@code url} with its database replaced by {@code database}. */
  public static String withDatabase(String url, String database) {
    try {
      URI u = new URI(url);
      return new URI(u.getScheme(), u.getUserInfo(), u.getHost(), u.getPort(), "/" + database, u.getQuery(), null)
          .toString();
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(e);
    }
  }

  /** Starts a private PostgreSQL cluster on a free loopback port. */
  public static PgTestServer start() {
    if (!Files.isExecutable(Path.of(BIN, "initdb"))) {
      throw new AssertionError("the PostgreSQL store tests need a real PostgreSQL: " + ENV + " is not set and "
          + BIN + "/initdb does not exist. Run scripts/test.sh, which installs postgresql-15 and starts one, "
          + "or set " + ENV + "=postgresql://user@host:port/database (a user that may create databases)");
    }
    Path dir;
    try {
      dir = Files.createTempDirectory("fluxer-pg-test");
      if (root()) {
        PosixFileAttributeView view = Files.getFileAttributeView(dir, PosixFileAttributeView.class);
        UserPrincipalLookupService users = dir.getFileSystem().getUserPrincipalLookupService();
        view.setOwner(users.lookupPrincipalByName("postgres"));
        view.setGroup(users.lookupPrincipalByGroupName("postgres"));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    run(List.of(BIN + "/initdb", "-D", dir.resolve("data").toString(), "-U", "postgres", "-A", "trust",
        "-E", "UTF8", "--locale=C", "--no-sync"), dir.resolve("initdb.log"));
    AssertionError last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      PgTestServer server = new PgTestServer(dir, freePort());
      try {
        server.startAgain();
        return server;
      } catch (AssertionError e) {
        last = e; // most likely the port was taken meanwhile: try another
      }
    }
    deleteQuietly(dir);
    throw last;
  }

  public String url() {
    return "postgresql://postgres@127.0.0.1:" + port + "/postgres";
  }

  /** Starts the server (again), on the same port with the same data; waits until it accepts connections. */
  public void startAgain() {
    if (pid > 0) {
      throw new IllegalStateException("already running");
    }
    run(List.of(BIN + "/pg_ctl", "-D", dir.resolve("data").toString(), "-l", dir.resolve("postgres.log").toString(),
        "-w", "-t", "30", "-o", "-c listen_addresses=127.0.0.1 -p " + port + " -k " + dir
            + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off", "start"), dir.resolve("pg_ctl.log"));
    try {
      pid = Long.parseLong(Files.readAllLines(dir.resolve("data").resolve("postmaster.pid")).get(0).trim());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (!accepts()) {
      throw new AssertionError("postgres " + pid + " started but does not listen on port " + port);
    }
  }

  /** Stops the server (fast shutdown: sessions are ended) and waits until its postmaster is gone. */
  public void stop() {
    if (pid <= 0) {
      return;
    }
    Optional<ProcessHandle> postmaster = ProcessHandle.of(pid);
    if (postmaster.isPresent()) {
      run(List.of("kill", "-INT", Long.toString(pid)), null);
      try {
        postmaster.get().onExit().get(STOP_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        postmaster.get().destroyForcibly(); // did not stop in time
      }
    }
    pid = -1;
  }

  @Override
  public void close() {
    stop();
    deleteQuietly(dir);
  }

  private boolean accepts() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Runs a command to its end (as the postgres user when this JVM is root), failing on a non-zero exit. */
  private static void run(List<String> command, Path log) {
    List<String> full = new ArrayList<>();
    if (root() && !command.get(0).equals("kill")) {
      full.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    full.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true);
    pb.redirectOutput(log == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.appendTo(log.toFile()));
    try {
      Process p = pb.start();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError(String.join(" ", command) + " did not finish; see " + log);
      }
      if (p.exitValue() != 0) {
        throw new AssertionError(String.join(" ", command) + " exited with " + p.exitValue() + "; see " + log);
      }
    } catch (IOException e) {
      throw new AssertionError("cannot run " + command.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static boolean root() {
    return "root".equals(System.getProperty("user.name"));
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
