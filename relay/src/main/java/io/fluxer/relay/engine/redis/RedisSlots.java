package io.fluxer.relay.engine.redis;

import io.vertx.redis.client.Response;
import java.nio.charset.StandardCharsets;

/**
 * Redis Cluster's key-to-slot function and the slot map of a {@code CLUSTER SLOTS} reply. The
 * subscriber needs the slot of a pub/sub channel name to reach the master that serves it; the
 * Vert.x client keeps its own in implementation classes only.
 */
final class RedisSlots {
  static final int SLOTS = 16384;

  private RedisSlots() {}

  /** The slot of {@code key}: CRC16 (XMODEM) of its hash tag when it has a non-empty one, else of all of it. */
  static int slot(String key) {
    byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
    int start = 0;
    int end = bytes.length;
    int open = indexOf(bytes, (byte) '{', 0);
    if (open >= 0) {
      int close = indexOf(bytes, (byte) '}', open + 1);
      // "{}" and an unclosed "{" are not tags: the whole key counts
      if (close > open + 1) {
        start = open + 1;
        end = close;
      }
    }
    return crc16(bytes, start, end) & (SLOTS - 1);
  }

  static int crc16(byte[] bytes, int start, int end) {
    int crc = 0;
    for (int i = start; i < end; i++) {
      crc ^= (bytes[i] & 0xff) << 8;
      for (int bit = 0; bit < 8; bit++) {
        crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      }
    }
    return crc & 0xffff;
  }

  private static int indexOf(byte[] bytes, byte b, int from) {
    for (int i = from; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The master address ({@code host:port}) of every slot from a {@code CLUSTER SLOTS} reply; a slot
   * no master serves (mid-failover) is {@code null}. A master announced without a host ({@code ""}
   * or {@code "?"}) is on the host the reply came from.
   */
  static String[] owners(Response reply, String askedHost) {
    String[] owners = new String[SLOTS];
    if (reply == null) {
      return owners;
    }
    for (Response range : reply) {
      if (range == null || range.size() < 3) {
        continue;
      }
      int first = range.get(0).toInteger();
      int last = range.get(1).toInteger();
      Response master = range.get(2);
      String host = master.get(0) == null ? "" : master.get(0).toString();
      if (host.isEmpty() || "?".equals(host)) {
        host = askedHost;
      }
      String address = host + ":" + master.get(1).toInteger();
      for (int s = Math.max(0, first); s <= Math.min(SLOTS - 1, last); s++) {
        owners[s] = address;
      }
    }
    return owners;
  }
}
