package io.fluxer.relay.client;

import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.Publication;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Event bus codec for {@link Delivery}: locally the same instance (with the frames it has encoded)
 * is handed to every consumer; across the cluster it travels as what the push says, not as a frame,
 * so each receiving node encodes it once per codec its subscribers use:
 * <pre>
 *   byte kind (1 publication, 2 join, 3 leave), string channel,
 *   publication: string epoch, long offset, string data, info (optional), int tag count, tags
 *   join, leave: info
 *   info: byte present (publication only), string user, string client, nullable conn_info, chan_info
 *   string: int length + UTF-8 bytes; nullable: length -1 for null
 * </pre>
 * The local {@code publishedNanos} timestamp does not travel (another JVM's {@code nanoTime} is
 * meaningless here), so deliveries from other nodes are not counted in the publish-to-write latency.
 */
public final class DeliveryCodec implements MessageCodec<Delivery, Delivery> {
  public static final String NAME = "fluxer.delivery";
  private static final byte PUBLICATION = 1;
  private static final byte JOIN = 2;
  private static final byte LEAVE = 3;

  @Override
  public void encodeToWire(Buffer buffer, Delivery d) {
    switch (d.kind()) {
      case PUBLICATION -> {
        Publication p = d.publication();
        buffer.appendByte(PUBLICATION);
        appendString(buffer, d.channel());
        appendString(buffer, d.epoch());
        buffer.appendLong(p.offset());
        appendString(buffer, p.data());
        buffer.appendByte((byte) (p.info() == null ? 0 : 1));
        if (p.info() != null) {
          appendInfo(buffer, p.info());
        }
        buffer.appendInt(p.tags().size());
        for (Map.Entry<String, String> e : p.tags().entrySet()) {
          appendString(buffer, e.getKey());
          appendString(buffer, e.getValue());
        }
        buffer.appendByte((byte) (p.delta() ? 1 : 0));
      }
      case JOIN, LEAVE -> {
        buffer.appendByte(d.kind() == Delivery.Kind.JOIN ? JOIN : LEAVE);
        appendString(buffer, d.channel());
        appendInfo(buffer, d.info());
      }
      default -> throw new IllegalStateException(d.kind().toString());
    }
  }

  private static void appendInfo(Buffer buffer, ClientInfo info) {
    appendString(buffer, info.user());
    appendString(buffer, info.client());
    appendString(buffer, info.connInfo());
    appendString(buffer, info.chanInfo());
  }

  /** A string, or {@code null} as length -1. */
  private static void appendString(Buffer buffer, String s) {
    if (s == null) {
      buffer.appendInt(-1);
      return;
    }
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    buffer.appendInt(bytes.length).appendBytes(bytes);
  }

  @Override
  public Delivery decodeFromWire(int pos, Buffer buffer) {
    Reader in = new Reader(buffer, pos);
    byte kind = in.buffer.getByte(in.pos++);
    String channel = in.string();
    switch (kind) {
      case PUBLICATION -> {
        String epoch = in.string();
        long offset = in.buffer.getLong(in.pos);
        in.pos += 8;
        String data = in.string();
        ClientInfo info = in.buffer.getByte(in.pos++) == 0 ? null : in.info();
        int tagCount = in.buffer.getInt(in.pos);
        in.pos += 4;
        Map<String, String> tags = tagCount == 0 ? Map.of() : new HashMap<>(tagCount * 2);
        for (int i = 0; i < tagCount; i++) {
          tags.put(in.string(), in.string());
        }
        boolean delta = in.buffer.getByte(in.pos++) == 1;
        return Delivery.received(Delivery.Kind.PUBLICATION, channel, epoch,
            new Publication(offset, data, info, tags, delta), null);
      }
      case JOIN -> {
        return Delivery.received(Delivery.Kind.JOIN, channel, "", null, in.info());
      }
      case LEAVE -> {
        return Delivery.received(Delivery.Kind.LEAVE, channel, "", null, in.info());
      }
      default -> throw new IllegalStateException("unknown delivery kind " + kind + " (a node of another version?)");
    }
  }

  /** A read position in a buffer from another node. */
  private static final class Reader {
    final Buffer buffer;
    int pos;

    Reader(Buffer buffer, int pos) {
      this.buffer = buffer;
      this.pos = pos;
    }

    String string() {
      int length = buffer.getInt(pos);
      pos += 4;
      if (length < 0) {
        return null;
      }
      String s = buffer.getString(pos, pos + length, "UTF-8");
      pos += length;
      return s;
    }

    ClientInfo info() {
      return new ClientInfo(string(), string(), string(), string());
    }
  }

  @Override
  public Delivery transform(Delivery d) {
    return d;
  }

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public byte systemCodecID() {
    return -1;
  }
}
