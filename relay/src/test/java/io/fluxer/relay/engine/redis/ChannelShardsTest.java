package io.fluxer.relay.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Which shard holds a channel decides where its data lives: these results must never change. They were
 * computed by an independent implementation (Python) of FNV-1a 64 and jump consistent hash, not by
 * this code.
 */
class ChannelShardsTest {
  @Test
  @DisplayName("FNV-1a 64 gives the published test vectors")
  void fnvTestVectors() {
    assertThat(ChannelShards.fnv1a64(new byte[0])).isEqualTo(0xcbf29ce484222325L);
    assertThat(ChannelShards.fnv1a64("a".getBytes(StandardCharsets.UTF_8))).isEqualTo(0xaf63dc4c8601ec8cL);
    assertThat(ChannelShards.fnv1a64("chat:general".getBytes(StandardCharsets.UTF_8))).isEqualTo(0xb056c454549c3cd9L);
  }

  @Test
  @DisplayName("pinned channel -> shard results for 1, 2, 3, 5 and 10 shards")
  void pinnedShards() {
    assertShards("chat:general", 0, 1, 1, 1, 7);
    assertShards("news", 0, 1, 2, 3, 3);
    assertShards("user:42#42", 0, 0, 0, 4, 9);
    assertShards("Zoë", 0, 1, 2, 2, 2); // UTF-8 bytes, not UTF-16 chars
    assertShards("", 0, 1, 1, 1, 1);
    assertShards("chat:room-1", 0, 0, 0, 0, 7);
    assertShards("chat:room-2", 0, 1, 1, 3, 3);
    assertShards("chat:room-3", 0, 1, 1, 3, 9);
  }

  private static void assertShards(String channel, int of1, int of2, int of3, int of5, int of10) {
    assertThat(new int[] {ChannelShards.shardOf(channel, 1), ChannelShards.shardOf(channel, 2),
        ChannelShards.shardOf(channel, 3), ChannelShards.shardOf(channel, 5), ChannelShards.shardOf(channel, 10)})
        .as("shards of '%s'", channel).containsExactly(of1, of2, of3, of5, of10);
  }

  @Test
  @DisplayName("appending a shard moves about 1/n of the channels, each to the new shard; the rest stay")
  void appendingAShardMovesOnlyToIt() {
    int channels = 20_000;
    int moved = 0;
    int[] perShard = new int[4];
    for (int i = 0; i < channels; i++) {
      String ch = "chat:room-" + i;
      int before = ChannelShards.shardOf(ch, 3);
      int after = ChannelShards.shardOf(ch, 4);
      perShard[after]++;
      if (after != before) {
        assertThat(after).as("where %s moved", ch).isEqualTo(3);
        moved++;
      }
    }
    assertThat(moved).isBetween(channels / 4 - channels / 40, channels / 4 + channels / 40);
    for (int n : perShard) {
      assertThat(n).isBetween(channels / 4 - channels / 40, channels / 4 + channels / 40);
    }
  }

  @Test
  void atLeastOneShard() {
    assertThatThrownBy(() -> ChannelShards.shardOf("x", 0)).isInstanceOf(IllegalArgumentException.class);
  }
}
