package io.fluxer.relay.client;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import java.nio.charset.StandardCharsets;

/**
 * Event bus codec for {@link Delivery}: locally the same immutable instance is handed to every
 * consumer; across the cluster it travels as channel, offset, epoch and frame bytes. The local
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
    return new Delivery(channel, offset, epoch, buffer.getBytes(pos, pos + frameLength));
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
