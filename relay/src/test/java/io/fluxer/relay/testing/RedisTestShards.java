package io.fluxer.relay.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Independent standalone Redis servers for the sharded engine tests: each a redis-server process on a
 * free loopback port, in one temp dir, without persistence. {@link #close()} (also run by a shutdown
 * hook) kills the processes it started, by their handles, and deletes the dir.
 */
public final class RedisTestShards implements AutoCloseable {
  private static RedisTestShards shared;

  private final Path dir = RedisProcess.tempDir("fluxer-redis-shards");
  private final List<RedisProcess> servers = new ArrayList<>();
  private final Thread hook = new Thread(this::stopAll);

  private RedisTestShards() {}

  /** Three servers for all tests of this JVM that never stop one (stopped at JVM exit). */
  public static synchronized RedisTestShards shared() {
    if (shared == null) {
      shared = start(3);
    }
    return shared;
  }

  /** Starts {@code n} servers; answers once each answers PING. */
  public static RedisTestShards start(int n) {
    RedisProcess.requireBinary();
    RedisTestShards s = new RedisTestShards();
    Runtime.getRuntime().addShutdownHook(s.hook);
    try {
      int[] ports = RedisProcess.freePorts(n);
      for (int port : ports) {
        s.servers.add(RedisProcess.start(s.dir, port, List.of("--save", "", "--appendonly", "no")));
      }
    } catch (RuntimeException | AssertionError e) {
      s.close();
      throw e;
    }
    return s;
  }

  /** The servers' URLs, in shard order. */
  public List<String> urls() {
    return servers.stream().map(RedisProcess::url).toList();
  }

  /** Sends a command to shard {@code i}: a String, Long, List or {@code null}; an error reply throws. */
  public Object call(int i, String... command) {
    return servers.get(i).call(command);
  }

  /** How many keys matching {@code pattern} each shard holds, in shard order. */
  public List<Long> keyCounts(String pattern) {
    List<Long> counts = new ArrayList<>();
    for (RedisProcess s : servers) {
      counts.add((long) ((List<?>) s.call("KEYS", pattern)).size());
    }
    return counts;
  }

  /** Kills shard {@code i} (SIGKILL): its port then refuses connections. */
  public void kill(int i) {
    servers.get(i).kill();
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
    servers.forEach(RedisProcess::kill);
    RedisProcess.deleteQuietly(dir);
  }
}
