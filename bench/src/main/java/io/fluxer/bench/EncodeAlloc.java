package io.fluxer.bench;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.sun.management.ThreadMXBean;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.ProtocolEncoder;
import io.fluxer.relay.protocol.Publication;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What encoding one publication push costs the relay's thread, in bytes allocated and nanoseconds:
 * {@link ProtocolEncoder#publication} against a Jackson generator per frame writing the same bytes
 * (how the encoder worked before its own writer). Measured on one thread after a warm-up, from the
 * JVM's per-thread allocation counter.
 *
 * <p>{@code java -cp <bench classpath> io.fluxer.bench.EncodeAlloc [frames]}
 */
public final class EncodeAlloc {
  private static final JsonFactory JACKSON = new JsonFactory();
  private static final String CHANNEL = "chat:room-4711";
  private static final Publication PUB = new Publication(123_456, "{\"text\":\"hello, world\",\"n\":42}",
      new ClientInfo("user-17", "9d8c0f3e-0b1a-4c55-9e2e-5f0c3f6f4a21", null, null), Map.of());

  private EncodeAlloc() {}

  public static void main(String[] args) {
    int frames = args.length > 0 ? Integer.parseInt(args[0]) : 2_000_000;
    ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    System.out.printf("frame: %s%n", new String(ProtocolEncoder.publication(CHANNEL, PUB)));
    for (int round = 0; round < 3; round++) {
      measure("ProtocolEncoder (JsonWriter)", () -> ProtocolEncoder.publication(CHANNEL, PUB), frames, mx);
      measure("Jackson generator per frame", EncodeAlloc::jackson, frames, mx);
    }
  }

  private static void measure(String what, Supplier<byte[]> encode, int frames, ThreadMXBean mx) {
    long sink = 0;
    for (int i = 0; i < frames / 4; i++) { // warm-up
      sink += encode.get().length;
    }
    long id = Thread.currentThread().getId();
    long bytes0 = mx.getThreadAllocatedBytes(id);
    long t0 = System.nanoTime();
    for (int i = 0; i < frames; i++) {
      sink += encode.get().length;
    }
    long nanos = System.nanoTime() - t0;
    long bytes = mx.getThreadAllocatedBytes(id) - bytes0;
    System.out.printf("%-30s %7.1f B/frame  %6.1f ns/frame  (%d frames, %d bytes out)%n", what,
        (double) bytes / frames, (double) nanos / frames, frames, sink);
  }

  private static byte[] jackson() {
    try (ByteArrayBuilder out = new ByteArrayBuilder(256); JsonGenerator g = JACKSON.createGenerator(out)) {
      g.writeStartObject();
      g.writeFieldName("push");
      g.writeStartObject();
      g.writeStringField("channel", CHANNEL);
      g.writeFieldName("pub");
      g.writeStartObject();
      g.writeFieldName("data");
      g.writeRawValue(PUB.data());
      g.writeFieldName("info");
      g.writeStartObject();
      g.writeStringField("user", PUB.info().user());
      g.writeStringField("client", PUB.info().client());
      g.writeEndObject();
      g.writeNumberField("offset", PUB.offset());
      g.writeEndObject();
      g.writeEndObject();
      g.writeEndObject();
      g.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
