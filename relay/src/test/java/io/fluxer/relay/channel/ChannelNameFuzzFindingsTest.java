package io.fluxer.relay.channel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Inputs found by {@link ChannelNameFuzzTest}, kept as plain regression tests. */
class ChannelNameFuzzFindingsTest {
  @Test
  void aUserListedTwiceIsOneUserNotAnException() {
    ChannelName ch = ChannelName.parse("chat:dm#1,1");

    assertThat(ch.users()).containsExactly("1");
    assertThat(ch.limitedTo("1")).isTrue();
    assertThat(ch.limitedTo("2")).isFalse();
  }

  @Test
  void emptyUserIdsRepeatedLimitTheChannelToNobody() {
    ChannelName ch = ChannelName.parse("#,,");

    assertThat(ch.userLimited()).isTrue();
    assertThat(ch.users()).containsExactly("");
    assertThat(ch.limitedTo("")).isFalse();
  }
}
