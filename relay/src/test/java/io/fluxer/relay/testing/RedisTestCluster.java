package io.fluxer.relay.testing;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Redis Cluster of three masters (no replicas) for the engine tests: three redis-server
 * processes with {@code cluster-enabled yes} on free loopback ports (client and cluster-bus ports
 * both chosen free), in their own temp dir, the 16384 slots split in three ranges, joined with
 * {@code CLUSTER MEET}. {@link #start()} returns once every node says {@code cluster_state:ok} and
 * knows the three masters. {@link #close()} (also run by a shutdown hook) kills the processes it
 * started, by their handles, and deletes the dir.
 */
public final class RedisTestCluster implements AutoCloseable {
  private static final int MASTERS = 3;
  private static final int SLOTS = 16384;
  private static final Duration READY_DEADLINE = Duration.ofSeconds(20);
  private static RedisTestCluster shared;

  private final Path dir = RedisProcess.tempDir("fluxer-redis-cluster");
  private final List<RedisProcess> nodes = new ArrayList<>();
  private final Thread hook = new Thread(this::stopAll);

  private RedisTestCluster() {}

  /** One cluster for all tests of this JVM that only read and write (stopped at JVM exit). */
  public static synchronized RedisTestCluster shared() {
    if (shared == null) {
      shared = start();
    }
    return shared;
  }

  /** Starts a fresh three-master cluster and waits until it serves every slot. */
  public static RedisTestCluster start() {
    RedisProcess.requireBinary();
    RedisTestCluster cluster = new RedisTestCluster();
    Runtime.getRuntime().addShutdownHook(cluster.hook);
    try {
      cluster.launch();
    } catch (RuntimeException | AssertionError e) {
      cluster.close();
      throw e;
    }
    return cluster;
  }

  private void launch() {
    int[] ports = RedisProcess.freePorts(2 * MASTERS);
    for (int i = 0; i < MASTERS; i++) {
      int port = ports[2 * i];
      nodes.add(RedisProcess.start(dir, port, List.of(
          "--cluster-enabled", "yes",
          "--cluster-config-file", dir.resolve("nodes-" + port + ".conf").toString(),
          "--cluster-port", Integer.toString(ports[2 * i + 1]),
          "--cluster-announce-ip", "127.0.0.1",
          "--cluster-node-timeout", "5000",
          "--save", "", "--appendonly", "no")));
    }
    for (int i = 0; i < MASTERS; i++) {
      int first = i * SLOTS / MASTERS;
      int last = (i + 1) * SLOTS / MASTERS - 1;
      nodes.get(i).call("CLUSTER", "ADDSLOTSRANGE", Integer.toString(first), Integer.toString(last));
    }
    for (int i = 1; i < MASTERS; i++) {
      // the bus port is not the default (port + 10000): name it
      nodes.get(0).call("CLUSTER", "MEET", "127.0.0.1", Integer.toString(nodes.get(i).port()),
          Integer.toString(ports[2 * i + 1]));
    }
    RedisProcess.awaitCondition("every cluster node to report cluster_state:ok with " + MASTERS + " masters",
        READY_DEADLINE, () -> nodes.stream().allMatch(n -> {
          String info = String.valueOf(n.call("CLUSTER", "INFO"));
          return info.contains("cluster_state:ok") && info.contains("cluster_size:" + MASTERS)
              && info.contains("cluster_known_nodes:" + MASTERS) && info.contains("cluster_slots_ok:" + SLOTS);
        }));
  }

  /** The seed node URLs, one per master. */
  public List<String> urls() {
    return nodes.stream().map(RedisProcess::url).toList();
  }

  /** The client ports of the masters. */
  public List<Integer> ports() {
    return nodes.stream().map(RedisProcess::port).toList();
  }

  /** The port of the master that serves {@code key}'s slot. */
  public int portOf(String key) {
    long slot = (Long) nodes.get(0).call("CLUSTER", "KEYSLOT", key);
    for (int i = 0; i < MASTERS; i++) {
      if (slot >= (long) i * SLOTS / MASTERS && slot < (long) (i + 1) * SLOTS / MASTERS) {
        return nodes.get(i).port();
      }
    }
    throw new AssertionError("slot " + slot + " has no master");
  }

  /** How many keys matching {@code pattern} each master holds, in {@link #ports()} order. */
  public List<Long> keyCounts(String pattern) {
    List<Long> counts = new ArrayList<>();
    for (RedisProcess n : nodes) {
      counts.add((long) ((List<?>) n.call("KEYS", pattern)).size());
    }
    return counts;
  }

  /** Empties every master's script cache ({@code SCRIPT FLUSH}), as a restart would. */
  public void flushScripts() {
    nodes.forEach(n -> n.call("SCRIPT", "FLUSH"));
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
    nodes.forEach(RedisProcess::kill);
    RedisProcess.deleteQuietly(dir);
  }
}
