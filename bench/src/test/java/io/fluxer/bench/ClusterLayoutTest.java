package io.fluxer.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ClusterLayoutTest {
  @Test
  void channelsGoRoundRobinOverTheNodesSoEachHoldsAThird() {
    assertThat(ClusterLayout.nodeOf(0, 3)).isZero();
    assertThat(ClusterLayout.nodeOf(4, 3)).isEqualTo(1);
    assertThat(ClusterLayout.nodeOf(5, 3)).isEqualTo(2);
    assertThat(ClusterLayout.channelsPerNode(5000, 3)).containsExactly(1667, 1667, 1666);
    assertThat(ClusterLayout.channelsPerNode(6, 3)).containsExactly(2, 2, 2);
    assertThatThrownBy(() -> ClusterLayout.nodeOf(1, 0)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aNodeExpectsThePublicationsOfItsOwnConnectedChannelsOnly() {
    long[] published = {10, 20, 30, 40, 50, 60, 70};
    boolean[] subscribed = {true, true, true, true, false, true, true};
    // node 0: channels 0, 3, 6; node 1: 1, 4 (not connected); node 2: 2, 5
    assertThat(ClusterLayout.expectedPerNode(published, subscribed, 3)).containsExactly(120, 20, 90);
    assertThatThrownBy(() -> ClusterLayout.expectedPerNode(new long[2], new boolean[3], 3))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void deltaSubtractsElementByElement() {
    assertThat(ClusterLayout.delta(new long[] {1, 2}, new long[] {5, 2, 7})).containsExactly(4, 0, 7);
  }
}
