package io.fluxer.relay.testing;

import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * redis-server processes a test set-up started together ({@link RedisTestCluster},
 * {@link RedisTestSentinel}, {@link RedisTestShards}): all in one temp dir, stopped together by
 * {@link #close()} or, if a test run ends without it, by a shutdown hook, which kill them by their
 * handles (the last started first) and delete the dir.
 */
abstract class RedisProcessGroup implements AutoCloseable {
  final Path dir;
  private final List<RedisProcess> started = new ArrayList<>();
  private final Thread hook = new Thread(this::stopAll);
  /** For the clients a group hands out ({@link #vertx()}); made on first use, closed with the group. */
  private Vertx vertx;

  RedisProcessGroup(String dirPrefix) {
    RedisProcess.requireBinary();
    dir = RedisProcess.tempDir(dirPrefix);
    Runtime.getRuntime().addShutdownHook(hook);
  }

  /** Runs the set-up of a new group; a set-up that fails stops what it started before it throws. */
  static <G extends RedisProcessGroup> G startedOrClosed(G group, Consumer<G> setUp) {
    try {
      setUp.accept(group);
    } catch (RuntimeException | AssertionError e) {
      group.close();
      throw e;
    }
    return group;
  }

  /** Starts a redis-server in this group's dir, stopped with the group. */
  synchronized RedisProcess launch(int port, List<String> args) {
    RedisProcess p = RedisProcess.start(dir, port, args);
    started.add(p);
    return p;
  }

  /** A Vert.x of the group's own, for the clients it hands the tests; closed by {@link #close()}. */
  synchronized Vertx vertx() {
    if (vertx == null) {
      vertx = Vertx.vertx();
    }
    return vertx;
  }

  /** How many keys matching {@code pattern} each of {@code servers} holds, in their order. */
  static List<Long> keyCounts(List<RedisProcess> servers, String pattern) {
    List<Long> counts = new ArrayList<>();
    for (RedisProcess s : servers) {
      counts.add((long) ((List<?>) s.call("KEYS", pattern)).size());
    }
    return counts;
  }

  @Override
  public void close() {
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook runs anyway
    }
  }

  private synchronized void stopAll() {
    if (vertx != null) {
      vertx.close();
      vertx = null;
    }
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).kill();
    }
    RedisProcess.deleteQuietly(dir);
  }
}
