package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What crosses to other nodes: channel, offset, epoch, tags and the frame, byte for byte. */
class DeliveryCodecTest {
  private final DeliveryCodec codec = new DeliveryCodec();

  @Test
  void roundTripOverTheWire() {
    byte[] frame = "{\"push\":{\"channel\":\"chat:é\",\"pub\":{\"data\":{},\"offset\":42}}}".getBytes(StandardCharsets.UTF_8);
    Delivery sent = new Delivery("chat:é", 42, "epoch-ü", frame, Map.of("ticker", "ÄAPL", "", "empty key"), 123);
    Buffer wire = Buffer.buffer("prefix");

    codec.encodeToWire(wire, sent);
    Delivery got = codec.decodeFromWire("prefix".length(), wire);

    assertThat(got.channel()).isEqualTo("chat:é");
    assertThat(got.offset()).isEqualTo(42);
    assertThat(got.epoch()).isEqualTo("epoch-ü");
    assertThat(got.frame()).isEqualTo(frame);
    assertThat(got.tags()).as("tags filters on other nodes test them").containsExactlyInAnyOrderEntriesOf(
        Map.of("ticker", "ÄAPL", "", "empty key"));
    assertThat(got.publishedNanos()).as("another JVM's clock does not travel").isZero();
  }

  @Test
  void joinLeaveHasNoPosition() {
    Delivery d = Delivery.joinLeave("chat:x", new byte[] {1, 2});
    Buffer wire = Buffer.buffer();
    codec.encodeToWire(wire, d);

    Delivery got = codec.decodeFromWire(0, wire);
    assertThat(got.offset()).isZero();
    assertThat(got.epoch()).isEmpty();
    assertThat(got.frame()).containsExactly(1, 2);
    assertThat(got.tags()).isEmpty();
  }
}
