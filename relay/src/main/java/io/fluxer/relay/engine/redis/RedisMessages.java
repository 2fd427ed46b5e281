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
 *       which knows the offset; 0 and an empty epoch for a channel without history);</li>
 *   <li>a join or a leave: {@code j} or {@code l}, then the client info JSON ({@link #joinLeave}).</li>
 * </ul>
 * Info and tags are {@link RedisCodec}'s JSON, as in history.
 */
final class RedisMessages {
  private RedisMessages() {}

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
