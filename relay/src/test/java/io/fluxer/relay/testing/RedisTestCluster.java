package io.fluxer.relay.testing;

import io.fluxer.relay.engine.redis.RedisEngineOptions;
import io.fluxer.relay.engine.redis.RedisTopology;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real Redis Cluster of three masters (and, from {@link #startWithReplicas}, a replica each) for
 * the engine tests: three redis-server
 * processes with {@code cluster-enabled yes} on free loopback ports (client and cluster-bus ports
 * both chosen free), in their own temp dir, the 16384 slots split in three ranges, joined with
 * {@code CLUSTER MEET}. {@link #start()} returns once every node says {@code cluster_state:ok} and
 * knows the three masters. {@link #close()} (also run by a shutdown hook) kills the processes it
 * started, by their handles, and deletes the dir.
 */
public final class RedisTestCluster extends RedisProcessGroup {
  private static final int MASTERS = 3;
  private static final int SLOTS = 16384;
  private static final Duration READY_DEADLINE = Duration.ofSeconds(20);
  private static RedisTestCluster shared;

  /** The first masters, in slot-range order. */
  private final List<RedisProcess> nodes = new ArrayList<>();
  /** Their replicas, same order; empty without replicas. */
  private final List<RedisProcess> replicas = new ArrayList<>();
  private final boolean withReplicas;
  private Redis client;
  private final Duration nodeTimeout;

  private RedisTestCluster(boolean withReplicas, Duration nodeTimeout) {
    super("fluxer-redis-cluster");
    this.withReplicas = withReplicas;
    this.nodeTimeout = nodeTimeout;
  }

  /** One cluster for all tests of this JVM that only read and write (stopped at JVM exit). */
  public static synchronized RedisTestCluster shared() {
    if (shared == null) {
      shared = start();
    }
    return shared;
  }

  /** Starts a fresh three-master cluster and waits until it serves every slot. */
  public static RedisTestCluster start() {
    return start(new RedisTestCluster(false, Duration.ofSeconds(5)));
  }

  /**
   * Three masters with a replica each, the replicas in sync, for failover tests. A master that
   * stops answering is failed over after about {@code nodeTimeout}; the other shards keep serving
   * meanwhile ({@code cluster-require-full-coverage no}).
   */
  public static RedisTestCluster startWithReplicas(Duration nodeTimeout) {
    return start(new RedisTestCluster(true, nodeTimeout));
  }

  private static RedisTestCluster start(RedisTestCluster cluster) {
    return startedOrClosed(cluster, RedisTestCluster::launch);
  }

  private RedisProcess startNode(int port, int busPort) {
    return launch(port, List.of(
        "--cluster-enabled", "yes",
        "--cluster-config-file", dir.resolve("nodes-" + port + ".conf").toString(),
        "--cluster-port", Integer.toString(busPort),
        "--cluster-announce-ip", "127.0.0.1",
        "--cluster-node-timeout", Long.toString(nodeTimeout.toMillis()),
        "--cluster-require-full-coverage", withReplicas ? "no" : "yes",
        "--save", "", "--appendonly", "no"));
  }

  private void launch() {
    int[] ports = RedisProcess.freePorts(2 * MASTERS * (withReplicas ? 2 : 1));
    for (int i = 0; i < MASTERS; i++) {
      nodes.add(startNode(ports[2 * i], ports[2 * i + 1]));
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
    if (withReplicas) {
      addReplicas(ports);
    }
  }

  private void addReplicas(int[] ports) {
    for (int i = 0; i < MASTERS; i++) {
      int at = 2 * (MASTERS + i);
      RedisProcess replica = startNode(ports[at], ports[at + 1]);
      replicas.add(replica);
      nodes.get(0).call("CLUSTER", "MEET", "127.0.0.1", Integer.toString(ports[at]), Integer.toString(ports[at + 1]));
    }
    for (int i = 0; i < MASTERS; i++) {
      RedisProcess replica = replicas.get(i);
      String masterId = String.valueOf(nodes.get(i).call("CLUSTER", "MYID"));
      // CLUSTER REPLICATE needs the master in the replica's node table first
      RedisProcess.awaitCondition("replica " + replica.port() + " to know its master", READY_DEADLINE,
          () -> String.valueOf(replica.call("CLUSTER", "NODES")).contains(masterId));
      replica.call("CLUSTER", "REPLICATE", masterId);
    }
    RedisProcess.awaitCondition("every replica in sync and every node to know all " + 2 * MASTERS + " nodes",
        READY_DEADLINE, () -> replicas.stream().allMatch(r -> "up".equals(r.info("replication", "master_link_status")))
            && all().stream().allMatch(n -> {
              String info = String.valueOf(n.call("CLUSTER", "INFO"));
              return info.contains("cluster_state:ok") && info.contains("cluster_known_nodes:" + 2 * MASTERS);
            }));
  }

  private List<RedisProcess> all() {
    List<RedisProcess> all = new ArrayList<>(nodes);
    all.addAll(replicas);
    return all;
  }

  /**
   * Kills (SIGKILL) the master that serves {@code key}'s slot now and waits until its replica took
   * over the slot in every surviving node's view ({@code deadline}); answers the new master's port.
   */
  public int killMasterAndAwaitFailover(String key, Duration deadline) {
    int oldPort = currentMasterPortOf(key);
    RedisProcess master = all().stream().filter(n -> n.port() == oldPort).findFirst().orElseThrow();
    master.kill();
    return awaitNewMaster(key, oldPort, deadline);
  }

  /**
   * A manual failover ({@code CLUSTER FAILOVER} on the replica of {@code key}'s master: the master
   * stops writes until the replica caught up, then the replica takes over); answers the new master's
   * port once every node agrees.
   */
  public int failoverCleanly(String key, Duration deadline) {
    int oldPort = currentMasterPortOf(key);
    String masterId = String.valueOf(RedisProcess.call(oldPort, "CLUSTER", "MYID"));
    RedisProcess replica = replicas.stream().filter(r -> r.alive() && masterId.equals(replicaMasterId(r)))
        .findFirst().orElseThrow();
    replica.call("CLUSTER", "FAILOVER");
    return awaitNewMaster(key, oldPort, deadline);
  }

  /** The id of the master a replica follows, from its own line of CLUSTER NODES. */
  private static String replicaMasterId(RedisProcess replica) {
    for (String line : String.valueOf(replica.call("CLUSTER", "NODES")).split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length > 3 && f[2].contains("myself")) {
        return f[3];
      }
    }
    return null;
  }

  private int awaitNewMaster(String key, int oldPort, Duration deadline) {
    int[] promoted = {-1};
    RedisProcess.awaitCondition("a replica to take over the slot of " + key + " from " + oldPort, deadline, () -> {
      List<RedisProcess> alive = all().stream().filter(RedisProcess::alive).toList();
      int port = currentMasterPortOf(key, alive.get(0));
      if (port == oldPort || port < 0) {
        return false;
      }
      for (RedisProcess n : alive) {
        if (currentMasterPortOf(key, n) != port
            || !String.valueOf(n.call("CLUSTER", "INFO")).contains("cluster_state:ok")) {
          return false;
        }
      }
      promoted[0] = port;
      return true;
    });
    return promoted[0];
  }

  /** The port of the master that serves {@code key}'s slot, as a live node says now. */
  public int currentMasterPortOf(String key) {
    return currentMasterPortOf(key, all().stream().filter(RedisProcess::alive).findFirst().orElseThrow());
  }

  private static int currentMasterPortOf(String key, RedisProcess asked) {
    long slot = (Long) asked.call("CLUSTER", "KEYSLOT", key);
    for (Object range : (List<?>) asked.call("CLUSTER", "SLOTS")) {
      List<?> r = (List<?>) range;
      if ((Long) r.get(0) <= slot && slot <= (Long) r.get(1)) {
        return ((Long) ((List<?>) r.get(2)).get(1)).intValue();
      }
    }
    return -1;
  }

  /**
   * Moves the slot of {@code key}, which must hold no keys, from its master to the master on
   * {@code toPort} (the resharding steps without MIGRATE), and waits until every live node agrees.
   */
  public void moveEmptySlot(String key, int toPort, Duration deadline) {
    int fromPort = currentMasterPortOf(key);
    String slot = String.valueOf(RedisProcess.call(toPort, "CLUSTER", "KEYSLOT", key));
    String fromId = String.valueOf(RedisProcess.call(fromPort, "CLUSTER", "MYID"));
    String toId = String.valueOf(RedisProcess.call(toPort, "CLUSTER", "MYID"));
    RedisProcess.call(toPort, "CLUSTER", "SETSLOT", slot, "IMPORTING", fromId);
    RedisProcess.call(fromPort, "CLUSTER", "SETSLOT", slot, "MIGRATING", toId);
    // the new owner first: it bumps its config epoch, so its claim wins everywhere
    RedisProcess.call(toPort, "CLUSTER", "SETSLOT", slot, "NODE", toId);
    RedisProcess.call(fromPort, "CLUSTER", "SETSLOT", slot, "NODE", toId);
    List<RedisProcess> alive = all().stream().filter(RedisProcess::alive).toList();
    for (RedisProcess n : alive) {
      if (n.port() != toPort && n.port() != fromPort && "master".equals(n.info("replication", "role"))) {
        n.call("CLUSTER", "SETSLOT", slot, "NODE", toId);
      }
    }
    RedisProcess.awaitCondition("every node to name " + toPort + " as the master of slot " + slot, deadline,
        () -> alive.stream().allMatch(n -> currentMasterPortOf(key, n) == toPort));
  }

  /** Sends a command to the node on {@code port} (a master or a replica of this cluster). */
  public Object call(int port, String... args) {
    return RedisProcess.call(port, args);
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

  /** How the engines under test reach this cluster (its seed nodes). */
  public RedisEngineOptions engineOptions() {
    return RedisEngineOptions.of(RedisTopology.cluster(urls()));
  }

  /** A cluster client of the tests' own, to look at keys directly; closed with the cluster. */
  public synchronized Redis client() {
    if (client == null) {
      client = Redis.createClient(vertx(), new RedisOptions().setType(RedisClientType.CLUSTER).setEndpoints(urls()));
    }
    return client;
  }

  /** How many keys matching {@code pattern} each master holds, in {@link #ports()} order. */
  public List<Long> keyCounts(String pattern) {
    return keyCounts(nodes, pattern);
  }

  /** Empties every master's script cache ({@code SCRIPT FLUSH}), as a restart would. */
  public void flushScripts() {
    nodes.forEach(n -> n.call("SCRIPT", "FLUSH"));
  }
}
