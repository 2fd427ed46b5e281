package io.fluxer.common.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxer.common.config.ConfigException;
import io.fluxer.common.config.Subnet;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A multi-homed task picks its cluster address by the cluster network's subnet. */
class ClusterAddressTest {
  private static List<InetAddress> addresses(String... literals) throws Exception {
    List<InetAddress> out = new ArrayList<>();
    for (String l : literals) {
      out.add(InetAddress.getByName(l));
    }
    return out;
  }

  @Test
  @DisplayName("a Swarm task with a published port: ingress on eth0, the cluster overlay next, the bridge last")
  void picksTheClusterNetworkNotTheFirstInterface() throws Exception {
    List<InetAddress> task = addresses("127.0.0.1", "10.0.0.12", "10.0.5.3", "10.231.0.9", "172.18.0.4");

    assertThat(ClusterAddress.pick(Subnet.parse("10.231.0.0/24"), task).getHostAddress()).isEqualTo("10.231.0.9");
  }

  @Test
  void noAddressInTheSubnetSaysWhatTheHostHas() throws Exception {
    List<InetAddress> host = addresses("127.0.0.1", "10.0.0.12");

    assertThatThrownBy(() -> ClusterAddress.pick(Subnet.parse("10.231.0.0/24"), host))
        .isInstanceOfSatisfying(ConfigException.class, e -> {
          assertThat(e.key()).isEqualTo("cluster.subnet");
          assertThat(e.getMessage()).contains("10.231.0.0/24").contains("127.0.0.1, 10.0.0.12");
        });
  }

  @Test
  void thisHostHasItsLoopback() {
    assertThat(ClusterAddress.pick(Subnet.parse("127.0.0.0/8")).getHostAddress()).startsWith("127.");
  }
}
