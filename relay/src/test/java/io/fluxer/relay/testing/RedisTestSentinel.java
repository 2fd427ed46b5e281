package io.fluxer.relay.testing;

import io.fluxer.relay.engine.redis.RedisEngineOptions;
import io.fluxer.relay.engine.redis.RedisTopology;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisClientType;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.RedisRole;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real Sentinel set-up for the engine tests: a master, one replica and one sentinel (quorum 1, so
 * the single sentinel may both notice and lead a failover), each a redis-server process on a free
 * loopback port in one temp dir. {@link #start()} returns once the replica is in sync and the
 * sentinel knows it as a good replica. {@link #failover()} forces {@code SENTINEL FAILOVER} and waits
 * until the sentinel names the replica as master and it acts as one. {@link #close()} (also run by a
 * shutdown hook) kills the processes it started, by their handles, and deletes the dir.
 */
public final class RedisTestSentinel extends RedisProcessGroup {
  public static final String MASTER_NAME = "fluxer-test";
  private static final Duration READY_DEADLINE = Duration.ofSeconds(20);
  private static RedisTestSentinel shared;

  private final List<RedisProcess> data = new ArrayList<>();
  private RedisProcess sentinel;
  private Redis masterClient;

  private RedisTestSentinel() {
    super("fluxer-redis-sentinel");
  }

  /** One set-up for all tests of this JVM that never fail it over (stopped at JVM exit). */
  public static synchronized RedisTestSentinel shared() {
    if (shared == null) {
      shared = start();
    }
    return shared;
  }

  /** Starts a master, a replica and a sentinel and waits until a failover could be forced. */
  public static RedisTestSentinel start() {
    return startedOrClosed(new RedisTestSentinel(), RedisTestSentinel::launch);
  }

  private void launch() {
    int[] ports = RedisProcess.freePorts(3);
    // no persistence; a replica syncs at once (no diskless-sync delay)
    List<String> common = List.of("--save", "", "--appendonly", "no", "--repl-diskless-sync-delay", "0");
    data.add(launch(ports[0], common));
    List<String> replica = new ArrayList<>(common);
    replica.addAll(List.of("--replicaof", "127.0.0.1", Integer.toString(ports[0])));
    data.add(launch(ports[1], replica));
    RedisProcess.awaitCondition("the replica to be in sync", READY_DEADLINE,
        () -> "up".equals(data.get(1).info("replication", "master_link_status")));

    Path config = dir.resolve("sentinel-" + ports[2] + ".conf");
    try {
      // the sentinel rewrites its own config file: it must be its own and writable
      Files.writeString(config, String.join("\n",
          "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + ports[0] + " 1",
          "sentinel down-after-milliseconds " + MASTER_NAME + " 5000",
          "sentinel failover-timeout " + MASTER_NAME + " 10000",
          "sentinel parallel-syncs " + MASTER_NAME + " 1", ""));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    sentinel = launch(ports[2], List.of(config.toString(), "--sentinel"));
    awaitGoodReplica();
  }

  /** How the engines under test reach the master: through the sentinel. */
  public RedisEngineOptions engineOptions() {
    return RedisEngineOptions.of(RedisTopology.sentinel(sentinelUrls(), MASTER_NAME));
  }

  /** A client of the current master, found through the sentinel, to look at keys directly; closed with the set-up. */
  public synchronized Redis masterClient() {
    if (masterClient == null) {
      masterClient = Redis.createClient(vertx(), new RedisOptions().setType(RedisClientType.SENTINEL)
          .setEndpoints(sentinelUrls()).setMasterName(MASTER_NAME).setRole(RedisRole.MASTER));
    }
    return masterClient;
  }

  /** The sentinel URLs (one). */
  public List<String> sentinelUrls() {
    return List.of(sentinel.url());
  }

  /** The port of the master the sentinel names now. */
  public int masterPort() {
    List<?> addr = (List<?>) sentinel.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER_NAME);
    return Integer.parseInt(String.valueOf(addr.get(1)));
  }

  /** A direct URL of the master the sentinel names now. */
  public String masterUrl() {
    return "redis://127.0.0.1:" + masterPort();
  }

  /** Sends a command to the master the sentinel names now: a String, Long, List or {@code null}. */
  public Object callMaster(String... command) {
    return node(masterPort()).call(command);
  }

  /** The master's replication id ({@code INFO replication}). */
  public String masterReplicationId() {
    return node(masterPort()).info("replication", "master_replid");
  }

  /**
   * Forces a failover ({@code SENTINEL FAILOVER}, retried while the sentinel has no good replica yet
   * or one is in progress) and waits until the sentinel names the other node as master and that node
   * reports {@code role:master}. Answers the new master's port. The old master is turned into a
   * replica by the sentinel later (it waits some seconds before it does).
   */
  public int failover() {
    int old = masterPort();
    awaitGoodReplica();
    RedisProcess.awaitCondition("SENTINEL FAILOVER to be accepted", READY_DEADLINE, () -> {
      Object reply = sentinel.tryCall("SENTINEL", "FAILOVER", MASTER_NAME);
      return !(reply instanceof RedisProcess.RedisError);
    });
    RedisProcess.awaitCondition("the sentinel to name a new master that acts as one", READY_DEADLINE, () -> {
      int now = masterPort();
      return now != old && "master".equals(node(now).info("replication", "role"))
          && !flags().contains("failover_in_progress");
    });
    return masterPort();
  }

  /**
   * Waits until every data node but the master the sentinel names reports {@code role:slave} with its
   * link up: after {@link #failover()}, the end of the time in which the old master still takes writes.
   */
  public void awaitOneMaster() {
    RedisProcess.awaitCondition("the old master to be turned into a replica in sync", READY_DEADLINE, () -> {
      int master = masterPort();
      return data.stream().filter(n -> n.port() != master).allMatch(n -> "slave".equals(n.info("replication", "role"))
          && "up".equals(n.info("replication", "master_link_status")));
    });
  }

  private RedisProcess node(int port) {
    return data.stream().filter(n -> n.port() == port).findFirst()
        .orElseThrow(() -> new AssertionError("the sentinel names port " + port + ", which this set-up did not start"));
  }

  private String flags() {
    return String.valueOf(fields(sentinel.call("SENTINEL", "MASTER", MASTER_NAME)).get("flags"));
  }

  /** Waits until the sentinel lists a replica of the master that it could promote. */
  private void awaitGoodReplica() {
    RedisProcess.awaitCondition("the sentinel to know a replica in sync", READY_DEADLINE, () -> {
      for (Object r : (List<?>) sentinel.call("SENTINEL", "REPLICAS", MASTER_NAME)) {
        Map<String, Object> replica = fields(r);
        if ("slave".equals(replica.get("flags")) && "ok".equals(replica.get("master-link-status"))) {
          return true;
        }
      }
      return false;
    });
  }

  private static Map<String, Object> fields(Object reply) {
    List<?> list = (List<?>) reply;
    Map<String, Object> out = new HashMap<>();
    for (int i = 0; i + 1 < list.size(); i += 2) {
      out.put(String.valueOf(list.get(i)), list.get(i + 1));
    }
    return out;
  }
}
