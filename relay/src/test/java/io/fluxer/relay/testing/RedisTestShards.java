package io.fluxer.relay.testing;

import java.util.ArrayList;
import java.util.List;

/**
 * Independent standalone Redis servers for the sharded engine tests: each a redis-server process on a
 * free loopback port, in one temp dir, without persistence. {@link #close()} (also run by a shutdown
 * hook) kills the processes it started, by their handles, and deletes the dir.
 */
public final class RedisTestShards extends RedisProcessGroup {
  private static RedisTestShards shared;

  private final List<RedisProcess> servers = new ArrayList<>();

  private RedisTestShards() {
    super("fluxer-redis-shards");
  }

  /** Three servers for all tests of this JVM that never stop one (stopped at JVM exit). */
  public static synchronized RedisTestShards shared() {
    if (shared == null) {
      shared = start(3);
    }
    return shared;
  }

  /** Starts {@code n} servers; answers once each answers PING. */
  public static RedisTestShards start(int n) {
    return startedOrClosed(new RedisTestShards(), s -> {
      for (int port : RedisProcess.freePorts(n)) {
        s.servers.add(s.launch(port, List.of("--save", "", "--appendonly", "no")));
      }
    });
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
    return keyCounts(servers, pattern);
  }

  /** Kills shard {@code i} (SIGKILL): its port then refuses connections. */
  public void kill(int i) {
    servers.get(i).kill();
  }
}
