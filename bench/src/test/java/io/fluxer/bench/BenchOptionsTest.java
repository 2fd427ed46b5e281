package io.fluxer.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {
  @Test
  void allRunsEveryScenarioIncludingChannelsWithOneUser() {
    BenchOptions o = BenchOptions.parse(new String[] {"all"});
    assertThat(o.scenarios()).containsExactly("idle", "storm", "fanout", "channels", "channels-one-user");
    assertThat(o.oneUser()).isFalse();
    assertThat(BenchOptions.USAGE).contains("channels-one-user").contains("all: idle,storm,fanout,channels,channels-one-user");
  }

  @Test
  void scenariosAreCommaSeparatedAndOptionsTakeSpaceOrEquals() {
    BenchOptions o = BenchOptions.parse(new String[] {"channels,channels-one-user", "--channel-connections", "500",
        "--channel-rates=500,1000", "--one-user", "--label", "relay-x"});
    assertThat(o.scenarios()).containsExactly("channels", "channels-one-user");
    assertThat(o.channelConnections()).isEqualTo(500);
    assertThat(o.channelRates()).isEqualTo(List.of(500.0, 1000.0));
    assertThat(o.oneUser()).isTrue();
    assertThat(o.label()).isEqualTo("relay-x");
  }

  @Test
  void rejectsUnknownScenariosAndOptionsAndBadValues() {
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"channels-two-users"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown scenario");
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"--url", "ws://x:1/"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("first argument");
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"fanout", "--fast"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a value");
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"fanout", "--rates", "0"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive rates");
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"fanout", "--url", "http://x:1/"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--url");
  }

  @Test
  void clusterChannelsNeedsNodesAndPublishesThroughTheFirst() {
    BenchOptions o = BenchOptions.parse(new String[] {"cluster-channels", "--nodes",
        "ws://127.0.0.1:1/connection/websocket,ws://127.0.0.1:2/connection/websocket,ws://127.0.0.1:3/connection/websocket",
        "--node-pids", "11,12,13", "--redis-pid", "14", "--redis-url", "redis://127.0.0.1:6000",
        "--cluster-rates", "500,1000"});
    assertThat(o.scenarios()).containsExactly("cluster-channels");
    assertThat(o.url().getPort()).isEqualTo(1);
    assertThat(o.nodePids()).containsExactly(11L, 12L, 13L);
    assertThat(o.clusterChannels()).isEqualTo(5000);
    assertThat(o.clusterRates()).containsExactly(500.0, 1000.0);
    assertThat(BenchOptions.parse(new String[] {"all"}).scenarios()).doesNotContain("cluster-channels");
    assertThat(BenchOptions.parse(new String[] {"idle"}).idleChannels()).isEqualTo(10_000);
    assertThat(BenchOptions.parse(new String[] {"idle", "--idle-channels", "1"}).idleChannels()).isEqualTo(1);
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"cluster-channels"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--nodes");
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"cluster-channels", "--nodes",
        "ws://127.0.0.1:1/c,ws://127.0.0.1:2/c", "--node-pids", "1"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--node-pids");
    assertThatThrownBy(() -> BenchOptions.parse(new String[] {"cluster-channels", "--nodes",
        "ws://127.0.0.1:1/c,ws://127.0.0.1:2/c", "--url", "ws://127.0.0.1:2/c"}))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("first of --nodes");
  }
}
