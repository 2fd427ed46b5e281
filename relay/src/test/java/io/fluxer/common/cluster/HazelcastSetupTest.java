package io.fluxer.common.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.fluxer.common.config.ClusterOptions;
import io.fluxer.common.config.ClusterTls;
import io.fluxer.common.config.ConfigException;
import io.fluxer.common.config.Subnet;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
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
        Duration.ofSeconds(5), null, null);
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
        Subnet.parse("10.231.0.0/24"), null, null, 5710, null, Duration.ofSeconds(5), null, null);

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

  @Test
  @DisplayName("the cluster name carries a suffix derived from cluster.signing_key: without the key, another name")
  void clusterNameDependsOnTheSigningKey() {
    String key = "k".repeat(32);
    ClusterOptions options = options(List.of("127.0.0.1:5801"), null, null).withSecurity(null, key);

    String name = HazelcastSetup.config(options, null).getClusterName();

    assertThat(name).startsWith("fluxer-").hasSize("fluxer-".length() + 32).doesNotContain(key);
    assertThat(HazelcastSetup.config(options, null).getClusterName()).isEqualTo(name);
    assertThat(HazelcastSetup.config(options.withSecurity(null, "j".repeat(32)), null).getClusterName())
        .startsWith("fluxer-").isNotEqualTo(name);
  }

  @Test
  @DisplayName("the event bus gets mutual TLS from cluster.tls; a clustered start without the files or the key fails naming it")
  void eventBusTls() {
    ClusterOptions options = options(List.of("127.0.0.1:5801"), null, null)
        .withSecurity(new ClusterTls(true, "/m.pem", "/m.key", "/ca.pem"), "k".repeat(32));
    EventBusOptions bus = new EventBusOptions();

    HazelcastSetup.tls(bus, options);

    assertThat(bus.isSsl()).isTrue();
    assertThat(bus.getClientAuth()).isEqualTo(ClientAuth.REQUIRED);
    assertThat(bus.isTrustAll()).isFalse();
    assertThat(((PemKeyCertOptions) bus.getKeyCertOptions()).getCertPaths()).containsExactly("/m.pem");
    assertThat(((PemKeyCertOptions) bus.getKeyCertOptions()).getKeyPaths()).containsExactly("/m.key");
    assertThat(((PemTrustOptions) bus.getTrustOptions()).getCertPaths()).containsExactly("/ca.pem");

    assertThatThrownBy(() -> TestRelay.await(HazelcastSetup.start(new VertxOptions(), options)))
        .hasMessageContaining("cluster.tls.cert_file").hasMessageContaining("cannot read /m.pem");
    assertThatThrownBy(() -> TestRelay.await(HazelcastSetup.start(new VertxOptions(),
        options(List.of("127.0.0.1:5801"), null, null)))).hasMessageContaining("cluster.signing_key");
  }
}
