package io.fluxer.relay.engine.redis;

import io.fluxer.relay.engine.BrokerEventHandler;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.Publication;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * What goes over a channel's pub/sub channel, as bytes:
 * <ul>
 *   <li>a publication: {@code p<offset> <epoch> <delta 0|1> <info bytes> <tags bytes>\n} then the
 *       info JSON, the tags JSON and the data, each possibly empty (written by {@code publish.lua},
 *       which knows the offset, or by {@link #publication} for a channel without history);</li>
 *   <li>a join or a leave: {@code j} or {@code l}, then the client info JSON ({@link #joinLeave}).</li>
 * </ul>
 * Info and tags are {@link RedisCodec}'s JSON, as in history.
 */
final class RedisMessages {
  private RedisMessages() {}

  /** A publication without a stream position (a channel without history). */
  static byte[] publication(String data, String info, String tags, boolean delta) {
    byte[] i = info.getBytes(StandardCharsets.UTF_8);
    byte[] t = tags.getBytes(StandardCharsets.UTF_8);
    byte[] d = data.getBytes(StandardCharsets.UTF_8);
    byte[] head = ("p0  " + (delta ? '1' : '0') + ' ' + i.length + ' ' + t.length + '\n')
        .getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[head.length + i.length + t.length + d.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(i, 0, out, head.length, i.length);
    System.arraycopy(t, 0, out, head.length + i.length, t.length);
    System.arraycopy(d, 0, out, head.length + i.length + t.length, d.length);
    return out;
  }

  /** A join ({@code join true}) or a leave. */
  static String joinLeave(boolean join, ClientInfo info) {
    return (join ? "j" : "l") + RedisCodec.encodeInfo(info);
  }

  /**
   * Hands one message of pub/sub channel {@code name} to {@code handler}.
   *
   * @throws IllegalArgumentException for a message or a name this code did not write
   */
  static void dispatch(BrokerEventHandler handler, RedisKeys keys, String name, byte[] message) {
    String channel = keys.channelOfPubsub(name);
    if (channel == null || message.length == 0) {
      throw new IllegalArgumentException("not a channel message: " + name);
    }
    switch (message[0]) {
      case 'p' -> publication(handler, channel, message);
      case 'j' -> handler.onJoin(channel, RedisCodec.decodeInfo(text(message, 1, message.length - 1)));
      case 'l' -> handler.onLeave(channel, RedisCodec.decodeInfo(text(message, 1, message.length - 1)));
      default -> throw new IllegalArgumentException("unknown message kind on " + name);
    }
  }

  private static void publication(BrokerEventHandler handler, String channel, byte[] m) {
    int[] at = {1};
    long offset = Long.parseLong(field(m, at, ' '));
    String epoch = field(m, at, ' ');
    boolean delta = "1".equals(field(m, at, ' '));
    int infoLength = Integer.parseInt(field(m, at, ' '));
    int tagsLength = Integer.parseInt(field(m, at, '\n'));
    int start = at[0];
    if (infoLength < 0 || tagsLength < 0 || start + infoLength + tagsLength > m.length) {
      throw new IllegalArgumentException("publication lengths past its end");
    }
    ClientInfo info = infoLength == 0 ? null : RedisCodec.decodeInfo(text(m, start, infoLength));
    Map<String, String> tags = tagsLength == 0 ? Map.of()
        : RedisCodec.decodeTags(text(m, start + infoLength, tagsLength));
    int dataStart = start + infoLength + tagsLength;
    String data = text(m, dataStart, m.length - dataStart);
    handler.onPublication(channel, new Publication(offset, data, info, tags, delta), epoch);
  }

  /** The ASCII text from {@code at[0]} to the next {@code end}; moves {@code at[0]} past it. */
  private static String field(byte[] m, int[] at, char end) {
    int from = at[0];
    int i = from;
    while (i < m.length && m[i] != end) {
      i++;
    }
    if (i == m.length) {
      throw new IllegalArgumentException("publication header cut short");
    }
    at[0] = i + 1;
    return new String(m, from, i - from, StandardCharsets.US_ASCII);
  }

  private static String text(byte[] m, int from, int length) {
    return new String(m, from, length, StandardCharsets.UTF_8);
  }
}
