package io.fluxer.relay.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.fluxer.relay.config.ClusterOptions;
import io.fluxer.relay.config.ConfigException;
import io.fluxer.relay.config.Subnet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Hazelcast configuration: {@code cluster.xml} with the node's {@code cluster.*} settings over it. */
class HazelcastSetupTest {
  @TempDir
  Path dir;

  private static ClusterOptions options(List<String> members, String dns, String file) {
    return new ClusterOptions(true, file, members, dns, 5801, 3, "10.0.1.*", null, "203.0.113.5:5801", null, 0, null,
        Duration.ofSeconds(5));
  }

  @Test
  void projectFileWithMembers() {
    Config config = HazelcastSetup.config(options(List.of("127.0.0.1:5801", "127.0.0.1:5802"), null, null), null);

    assertThat(config.getClusterName()).isEqualTo("fluxer");
    assertThat(config.getMultiMapConfig("__vertx.subs").getBackupCount()).isEqualTo(1);
    assertThat(config.getNetworkConfig().getPort()).isEqualTo(5801);
    assertThat(config.getNetworkConfig().getPortCount()).isEqualTo(3);
    assertThat(config.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("10.0.1.*");
    assertThat(config.getNetworkConfig().getPublicAddress()).isEqualTo("203.0.113.5:5801");
    JoinConfig join = config.getNetworkConfig().getJoin();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("127.0.0.1:5801", "127.0.0.1:5802");
  }

  @Test
  void dnsReplacesTcpIp() {
    Config config = HazelcastSetup.config(options(List.of(), "tasks.fluxer_relay", null), null);

    JoinConfig join = config.getNetworkConfig().getJoin();
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(config.getProperty("hazelcast.discovery.enabled")).isEqualTo("true");
    assertThat(join.getDiscoveryConfig().getDiscoveryStrategyConfigs()).singleElement().satisfies(s -> {
      assertThat(s.getDiscoveryStrategyFactory()).isInstanceOf(DnsDiscovery.Factory.class);
      assertThat(s.getProperties()).containsEntry("name", "tasks.fluxer_relay").containsEntry("port", "5801")
          .containsEntry("port-count", "3");
    });
  }

  @Test
  @DisplayName("with cluster.subnet the member binds and advertises only its address there, and DNS keeps only members there")
  void subnetPinsTheAddress() {
    ClusterOptions options = new ClusterOptions(true, null, List.of(), "tasks.s_relay.s_cluster", 5701, 1, null,
        Subnet.parse("10.231.0.0/24"), null, null, 5710, null, Duration.ofSeconds(5));

    Config config = HazelcastSetup.config(options, "10.231.0.7");

    assertThat(config.getNetworkConfig().getInterfaces().isEnabled()).isTrue();
    assertThat(config.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("10.231.0.7");
    assertThat(config.getProperty("hazelcast.socket.bind.any")).isEqualTo("false");
    assertThat(config.getNetworkConfig().getJoin().getDiscoveryConfig().getDiscoveryStrategyConfigs())
        .singleElement().satisfies(s -> assertThat(s.getProperties()).containsEntry("subnet", "10.231.0.0/24"));
  }

  @Test
  void ownFile() throws Exception {
    Path file = dir.resolve("hz.xml");
    Files.writeString(file, """
        <hazelcast xmlns="http://www.hazelcast.com/schema/config">
          <cluster-name>mine</cluster-name>
        </hazelcast>
        """);

    Config config = HazelcastSetup.config(options(List.of(), null, file.toString()), null);

    assertThat(config.getClusterName()).isEqualTo("mine");
    assertThat(config.getNetworkConfig().getJoin().getMulticastConfig().isEnabled()).isFalse();
  }

  @Test
  void missingOrBrokenFileNamesTheKey() throws Exception {
    assertThatThrownBy(() -> HazelcastSetup.config(options(List.of(), null, dir.resolve("none.xml").toString()), null))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("cluster.hazelcast_config"));
    Path broken = dir.resolve("broken.xml");
    Files.writeString(broken, "<hazelcast><network>");
    assertThatThrownBy(() -> HazelcastSetup.config(options(List.of(), null, broken.toString()), null))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("cluster.hazelcast_config"));
  }
}
