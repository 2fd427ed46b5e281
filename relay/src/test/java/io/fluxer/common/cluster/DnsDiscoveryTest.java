package io.fluxer.common.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.logging.Logger;
import com.hazelcast.spi.discovery.DiscoveryNode;
import com.hazelcast.spi.discovery.DiscoveryStrategy;
import io.fluxer.common.config.ClusterOptions;
import io.fluxer.relay.testing.HttpTestClient;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Members found from DNS (Docker Swarm's {@code tasks.<service>}), resolved again each round. */
class DnsDiscoveryTest {
  private final List<HazelcastInstance> members = new ArrayList<>();

  @AfterEach
  void shutdown() {
    members.forEach(HazelcastInstance::shutdown);
  }

  private static List<String> discover(DiscoveryStrategy strategy) {
    return StreamSupport.stream(strategy.discoverNodes().spliterator(), false)
        .map(DiscoveryNode::getPrivateAddress)
        .map(a -> a.getHost() + ":" + a.getPort())
        .toList();
  }

  private static DiscoveryStrategy strategy(DnsDiscovery.Resolver resolver, int port, int portCount) {
    return strategy(resolver, Map.of("name", "tasks.relay", "port", port, "port-count", portCount));
  }

  private static DiscoveryStrategy strategy(DnsDiscovery.Resolver resolver, Map<String, Comparable> properties) {
    return new DnsDiscovery.Factory(resolver).newDiscoveryStrategy(null, Logger.getLogger(DnsDiscoveryTest.class),
        properties);
  }

  private static DnsDiscovery.Resolver answering(String... ips) {
    return name -> {
      List<InetAddress> out = new ArrayList<>();
      for (String ip : ips) {
        out.add(InetAddress.getByName(ip));
      }
      return out.toArray(InetAddress[]::new);
    };
  }

  @Test
  @DisplayName("every A record is a member, on each port of the range, and each round asks DNS again")
  void resolvesEveryRound() throws Exception {
    AtomicReference<List<String>> records = new AtomicReference<>(List.of("10.0.1.2"));
    List<String> asked = new ArrayList<>();
    DiscoveryStrategy dns = strategy(name -> {
      asked.add(name);
      List<InetAddress> out = new ArrayList<>();
      for (String ip : records.get()) {
        out.add(InetAddress.getByName(ip));
      }
      return out.toArray(InetAddress[]::new);
    }, 5701, 2);

    assertThat(discover(dns)).containsExactly("10.0.1.2:5701", "10.0.1.2:5702");
    records.set(List.of("10.0.1.2", "10.0.1.7")); // a task started
    assertThat(discover(dns)).containsExactly("10.0.1.2:5701", "10.0.1.2:5702", "10.0.1.7:5701", "10.0.1.7:5702");
    records.set(List.of("10.0.1.7")); // one went away
    assertThat(discover(dns)).containsExactly("10.0.1.7:5701", "10.0.1.7:5702");
    assertThat(asked).containsExactly("tasks.relay", "tasks.relay", "tasks.relay");
  }

  @Test
  @DisplayName("with a subnet, addresses outside it (a task's other networks) are not members")
  void subnetFilters() {
    DiscoveryStrategy dns = strategy(answering("10.231.0.4", "10.0.0.9", "172.18.0.3", "10.231.0.5"),
        Map.of("name", "tasks.relay", "port", 5701, "port-count", 1, "subnet", "10.231.0.0/24"));

    assertThat(discover(dns)).containsExactly("10.231.0.4:5701", "10.231.0.5:5701");
  }

  @Test
  @DisplayName("a name that does not resolve yet (no task running) gives no members, not an error")
  void unknownNameGivesNothing() {
    DiscoveryStrategy dns = strategy(name -> {
      throw new UnknownHostException(name);
    }, 5701, 1);

    assertThat(discover(dns)).isEmpty();
  }

  @Test
  @DisplayName("two Hazelcast members configured with cluster.dns find each other through the name")
  void membersJoinThroughDns() throws IOException {
    int port = freePortPair();
    ClusterOptions options = new ClusterOptions(true, null, List.of(), "localhost", port, 2, "127.0.0.1", null, null,
        null, 0, null, Duration.ofSeconds(5), null, null);
    for (int i = 0; i < 2; i++) {
      Config config = HazelcastSetup.config(options, null);
      config.setClusterName("dns-test-" + port);
      config.setProperty("hazelcast.wait.seconds.before.join", "1");
      members.add(Hazelcast.newHazelcastInstance(config));
    }

    HttpTestClient.eventually(() -> members.get(0).getCluster().getMembers().size(), n -> n == 2,
        Duration.ofSeconds(30));
    assertThat(members.get(1).getCluster().getMembers()).hasSize(2);
  }

  /** The first of two free consecutive ports. */
  static int freePortPair() throws IOException {
    return freePortRange(2);
  }

  /** The first of {@code count} free consecutive ports. */
  static int freePortRange(int count) throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int first;
      try (ServerSocket a = new ServerSocket(0)) {
        first = a.getLocalPort();
      }
      if (first + count > 65536) {
        continue;
      }
      List<ServerSocket> held = new ArrayList<>();
      try {
        for (int p = first; p < first + count; p++) {
          held.add(new ServerSocket(p));
        }
        return first;
      } catch (IOException taken) {
        // try another range
      } finally {
        for (ServerSocket s : held) {
          s.close();
        }
      }
    }
    throw new IOException("no " + count + " free consecutive ports");
  }
}
