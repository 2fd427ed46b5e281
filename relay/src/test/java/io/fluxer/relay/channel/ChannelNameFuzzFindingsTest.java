package io.fluxer.relay.channel;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Inputs found by {@link ChannelNameFuzzTest}, kept as plain regression tests. */
class ChannelNameFuzzFindingsTest {
  @Test
  void aUserListedTwiceParsesAndAdmitsNoOneElse() {
    ChannelName ch = ChannelName.parse("chat:dm#1,1");

    assertThat(ch.userLimited()).isTrue();
    assertThat(ch.limitedTo("2")).isFalse();
    assertThat(ch.limitedTo("")).isFalse();
  }

  @Test
  void emptyUserIdsRepeatedParseAndAdmitNobody() {
    ChannelName ch = ChannelName.parse("#,,");

    assertThat(ch.userLimited()).isTrue();
    assertThat(ch.limitedTo("")).isFalse();
    assertThat(ch.limitedTo(",")).isFalse();
  }
}
