package io.fluxer.relay.client;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Event bus codec for {@link Delivery}: locally the same immutable instance is handed to every
 * consumer; across the cluster it travels as channel, offset, epoch, tags and frame bytes. The local
 * {@code publishedNanos} timestamp does not travel (another JVM's {@code nanoTime} is meaningless
 * here), so deliveries from other nodes are not counted in the publish-to-write latency.
 */
public final class DeliveryCodec implements MessageCodec<Delivery, Delivery> {
  public static final String NAME = "fluxer.delivery";

  @Override
  public void encodeToWire(Buffer buffer, Delivery d) {
    byte[] channel = d.channel().getBytes(StandardCharsets.UTF_8);
    byte[] epoch = d.epoch().getBytes(StandardCharsets.UTF_8);
    buffer.appendInt(channel.length).appendBytes(channel).appendLong(d.offset())
        .appendInt(epoch.length).appendBytes(epoch)
        .appendInt(d.frame().length).appendBytes(d.frame());
    buffer.appendInt(d.tags().size());
    for (Map.Entry<String, String> e : d.tags().entrySet()) {
      appendString(buffer, e.getKey());
      appendString(buffer, e.getValue());
    }
  }

  private static void appendString(Buffer buffer, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    buffer.appendInt(bytes.length).appendBytes(bytes);
  }

  @Override
  public Delivery decodeFromWire(int pos, Buffer buffer) {
    int channelLength = buffer.getInt(pos);
    pos += 4;
    String channel = buffer.getString(pos, pos + channelLength, "UTF-8");
    pos += channelLength;
    long offset = buffer.getLong(pos);
    pos += 8;
    int epochLength = buffer.getInt(pos);
    pos += 4;
    String epoch = buffer.getString(pos, pos + epochLength, "UTF-8");
    pos += epochLength;
    int frameLength = buffer.getInt(pos);
    pos += 4;
    byte[] frame = buffer.getBytes(pos, pos + frameLength);
    pos += frameLength;
    int tagCount = buffer.getInt(pos);
    pos += 4;
    Map<String, String> tags = tagCount == 0 ? Map.of() : new HashMap<>(tagCount * 2);
    for (int i = 0; i < tagCount; i++) {
      int keyLength = buffer.getInt(pos);
      String key = buffer.getString(pos + 4, pos + 4 + keyLength, "UTF-8");
      pos += 4 + keyLength;
      int valueLength = buffer.getInt(pos);
      String value = buffer.getString(pos + 4, pos + 4 + valueLength, "UTF-8");
      pos += 4 + valueLength;
      tags.put(key, value);
    }
    return new Delivery(channel, offset, epoch, frame, tags, 0);
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
