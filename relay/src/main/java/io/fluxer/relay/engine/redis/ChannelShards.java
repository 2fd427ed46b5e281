package io.fluxer.relay.engine.redis;

import java.nio.charset.StandardCharsets;

/**
 * Which shard holds a channel: jump consistent hash (Lamping and Veach, "A Fast, Minimal Memory,
 * Consistent Hash Algorithm", 2014) of the 64-bit FNV-1a hash of the channel name's UTF-8 bytes.
 *
 * <p>This decides where a channel's history and presence live, so it must give the same answer in
 * every version of every node: never change the hash, its input or the jump constants. Tests pin
 * some results ({@code ChannelShardsTest}). Jump hash moves only the channels that must move when a
 * shard is appended (about 1/n of them, all to the new last shard) or the last removed, but the
 * shard list's order is still part of the layout: reordering moves the channels of every shard whose
 * position changed, and removing another shard changes the positions of those after it.
 */
public final class ChannelShards {
  private static final long FNV_OFFSET_BASIS = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;
  private static final long JUMP_MULTIPLIER = 2862933555777941757L;

  private ChannelShards() {}

  /** The shard, in {@code [0, shards)}, of {@code channel}. */
  public static int shardOf(String channel, int shards) {
    if (shards < 1) {
      throw new IllegalArgumentException("shards must be at least 1, got " + shards);
    }
    return jump(fnv1a64(channel.getBytes(StandardCharsets.UTF_8)), shards);
  }

  /** 64-bit FNV-1a; Java's wrapping long multiplication is the unsigned one mod 2^64. */
  static long fnv1a64(byte[] bytes) {
    long hash = FNV_OFFSET_BASIS;
    for (byte b : bytes) {
      hash ^= b & 0xff;
      hash *= FNV_PRIME;
    }
    return hash;
  }

  /** Jump consistent hash of an unsigned 64-bit key over {@code buckets}. */
  static int jump(long key, int buckets) {
    long b = -1;
    long j = 0;
    while (j < buckets) {
      b = j;
      key = key * JUMP_MULTIPLIER + 1;
      // the key's top 31 bits as an unsigned value, plus one
      j = (long) ((b + 1) * ((double) (1L << 31) / (double) ((key >>> 33) + 1)));
    }
    return (int) b;
  }
}
