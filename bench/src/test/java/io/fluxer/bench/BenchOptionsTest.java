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
}
