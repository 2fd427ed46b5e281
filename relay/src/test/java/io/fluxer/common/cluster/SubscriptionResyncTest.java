package io.fluxer.common.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.config.DiscoveryStrategyConfig;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.listener.EntryAddedListener;
import io.fluxer.common.config.ClusterOptions;
import io.fluxer.relay.testing.ClusterCerts;
import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A node learns of another node's new subscriber of an address it already sends to, even when
 * Hazelcast reports no change: after clusters that formed apart merge (every {@code docker stack
 * deploy} of several relays starts that way, tasks being in DNS only once healthy), and while its
 * event thread is stuck.
 */
class SubscriptionResyncTest {
  private static final String ADDRESS = "fluxer.test.resync";
  private static final int NODES = 3;
  private final List<Vertx> nodes = new ArrayList<>();

  @AfterEach
  void close() {
    nodes.forEach(v -> TestRelay.await(v.close()));
  }

  @Test
  @DisplayName("after three clusters that formed apart merge, each node's publications reach every other's consumers")
  void publicationsCrossAfterMerge() throws IOException {
    int port = DnsDiscoveryTest.freePortRange(NODES);
    AtomicBoolean inDns = new AtomicBoolean();
    DnsDiscovery.Resolver dns = name -> {
      if (!inDns.get()) {
        throw new UnknownHostException(name);
      }
      return new InetAddress[] {InetAddress.getByName("127.0.0.1")};
    };
    String clusterName = "merge-test-" + UUID.randomUUID();
    List<Vertx> alone = new ArrayList<>();
    List<Set<String>> heard = new ArrayList<>();
    for (int i = 0; i < NODES; i++) {
      Vertx v = start(clusterName, port, dns);
      assertThat(members(v)).isEqualTo(1);
      Set<String> got = ConcurrentHashMap.newKeySet();
      TestRelay.await(v.eventBus().<String>consumer(ADDRESS, m -> got.add(m.body())).completion());
      alone.add(v);
      heard.add(got);
    }
    // each node sends while alone, so it holds the address's subscribers (itself) in its cache
    for (int i = 0; i < NODES; i++) {
      alone.get(i).eventBus().publish(ADDRESS, "alone-" + i);
    }
    HttpTestClient.eventually(() -> heard.stream().allMatch(h -> h.size() == 1), ok -> ok, Duration.ofSeconds(10));

    inDns.set(true);
    HttpTestClient.eventually(() -> alone.stream().mapToInt(SubscriptionResyncTest::members).sum(),
        n -> n == NODES * NODES, Duration.ofSeconds(60));

    // publish until each has heard every other; a stale cache never delivers, whatever the wait
    Set<String> every = new java.util.TreeSet<>();
    for (int i = 0; i < NODES; i++) {
      every.add("from-" + i);
    }
    HttpTestClient.eventually(() -> {
      for (int i = 0; i < NODES; i++) {
        alone.get(i).eventBus().publish(ADDRESS, "from-" + i);
      }
      pause();
      return heard.stream().map(h -> h.containsAll(every)).toList();
    }, ok -> !ok.contains(false), Duration.ofSeconds(20));
  }

  @Test
  @DisplayName("a node whose Hazelcast event thread is stuck still sends to a subscriber another node added since")
  void learnsWithoutEvents() throws Exception {
    int port = DnsDiscoveryTest.freePortRange(2);
    String clusterName = "resync-test-" + UUID.randomUUID();
    List<String> members = List.of("127.0.0.1:" + port, "127.0.0.1:" + (port + 1));
    Vertx a = start(clusterName, port, members);
    Vertx b = start(clusterName, port, members);
    HttpTestClient.eventually(() -> members(a) + members(b), n -> n == 4, Duration.ofSeconds(30));

    Set<String> heardByA = ConcurrentHashMap.newKeySet();
    TestRelay.await(a.eventBus().<String>consumer(ADDRESS, m -> heardByA.add(m.body())).completion());
    a.eventBus().publish(ADDRESS, "a-alone"); // a now holds the address's subscribers (itself)
    HttpTestClient.eventually(() -> heardByA.contains("a-alone"), ok -> ok, Duration.ofSeconds(10));

    // a's only event thread blocks in a listener of an unrelated map: no report reaches a any more
    HazelcastInstance hazelcast = ((HazelcastClusterManager) ((VertxInternal) a).clusterManager())
        .getHazelcastInstance();
    CountDownLatch stuck = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    hazelcast.<String, String>getMap("stall").addEntryListener((EntryAddedListener<String, String>) e -> {
      stuck.countDown();
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
      }
    }, false);
    hazelcast.<String, String>getMap("stall").put("k", "v");
    try {
      assertThat(stuck.await(10, TimeUnit.SECONDS)).as("a's event thread is stuck").isTrue();
      Set<String> heardByB = ConcurrentHashMap.newKeySet();
      TestRelay.await(b.eventBus().<String>consumer(ADDRESS, m -> heardByB.add(m.body())).completion());

      HttpTestClient.eventually(() -> {
        a.eventBus().publish(ADDRESS, "from-a");
        pause();
        return heardByB.contains("from-a");
      }, ok -> ok, ResyncingClusterManager.RESYNC.multipliedBy(5));
    } finally {
      release.countDown();
    }
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** A node joining {@code members}, with one Hazelcast event thread. */
  private Vertx start(String clusterName, int port, List<String> members) {
    ClusterOptions options = ClusterCerts.shared().secure(new ClusterOptions(true, null, members, null, port, 2,
        "127.0.0.1", null, null, "127.0.0.1", 0, null, Duration.ofSeconds(5), null, null));
    Config config = HazelcastSetup.config(options, null);
    config.setClusterName(clusterName);
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.event.thread.count", "1");
    return started(HazelcastSetup.start(new VertxOptions(), options, config, null));
  }

  private Vertx started(io.vertx.core.Future<Vertx> start) {
    Vertx vertx = TestRelay.await(start);
    nodes.add(vertx);
    return vertx;
  }

  /** A node found through {@code dns}, which merges with other clusters one second after seeing them. */
  private Vertx start(String clusterName, int port, DnsDiscovery.Resolver dns) {
    ClusterOptions options = ClusterCerts.shared().secure(new ClusterOptions(true, null, List.of(), "tasks.relay",
        port, NODES, "127.0.0.1", null, null, "127.0.0.1", 0, null, Duration.ofSeconds(5), null, null));
    Config config = HazelcastSetup.config(options, null);
    config.setClusterName(clusterName);
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "1");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "1");
    Collection<DiscoveryStrategyConfig> strategies = config.getNetworkConfig().getJoin().getDiscoveryConfig()
        .getDiscoveryStrategyConfigs();
    Map<String, Comparable> properties = strategies.iterator().next().getProperties();
    strategies.clear();
    strategies.add(new DiscoveryStrategyConfig(new DnsDiscovery.Factory(dns), properties));
    return started(HazelcastSetup.start(new VertxOptions(), options, config, null));
  }

  private static int members(Vertx vertx) {
    return ((VertxInternal) vertx).clusterManager().getNodes().size();
  }
}
