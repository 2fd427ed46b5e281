package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.JsonCodec;
import io.fluxer.relay.protocol.ProtobufCodec;
import io.fluxer.relay.protocol.Publication;
import io.vertx.core.buffer.Buffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What crosses to other nodes: what the push says (channel, epoch, the publication with its info
 * and tags, or who joined or left), from which the receiving node encodes the same frames.
 */
class DeliveryCodecTest {
  private final DeliveryCodec codec = new DeliveryCodec();
  private final ProtobufCodec protobuf = new ProtobufCodec(64 * 1024);

  private Delivery roundTrip(Delivery sent) {
    Buffer wire = Buffer.buffer("prefix");
    codec.encodeToWire(wire, sent);
    return codec.decodeFromWire("prefix".length(), wire);
  }

  @Test
  void publicationRoundTripOverTheWire() {
    Publication pub = new Publication(42, "{\"text\":\"ü\"}", new ClientInfo("alice", "c1", "{\"name\":\"A\"}", null),
        Map.of("ticker", "ÄAPL", "", "empty key"), true);
    Delivery sent = Delivery.publication("chat:é", pub, "epoch-ü", 123);

    Delivery got = roundTrip(sent);

    assertThat(got.kind()).isEqualTo(Delivery.Kind.PUBLICATION);
    assertThat(got.channel()).isEqualTo("chat:é");
    assertThat(got.offset()).isEqualTo(42);
    assertThat(got.epoch()).isEqualTo("epoch-ü");
    assertThat(got.publication()).as("delta: other nodes send deltas to their subscribers too").isEqualTo(pub);
    assertThat(got.tags()).as("tags filters on other nodes test them").containsExactlyInAnyOrderEntriesOf(
        Map.of("ticker", "ÄAPL", "", "empty key"));
    assertThat(got.publishedNanos()).as("another JVM's clock does not travel").isZero();
    assertThat(got.frame(JsonCodec.INSTANCE)).isEqualTo(sent.frame(JsonCodec.INSTANCE));
    assertThat(got.frame(protobuf)).isEqualTo(sent.frame(protobuf));
  }

  @Test
  void publicationFromTheServerHasNoInfo() {
    Delivery got = roundTrip(Delivery.publication("news", new Publication(0, "1", null, null), "", 0));
    assertThat(got.publication().info()).isNull();
    assertThat(got.publication().delta()).isFalse();
    assertThat(got.offset()).isZero();
    assertThat(got.tags()).isEmpty();
  }

  @Test
  void joinAndLeaveHaveNoPosition() {
    ClientInfo info = new ClientInfo("bob", "c2", null, "{\"role\":\"mod\"}");
    for (Delivery d : new Delivery[] {Delivery.join("chat:x", info), Delivery.leave("chat:x", info)}) {
      Delivery got = roundTrip(d);
      assertThat(got.kind()).isEqualTo(d.kind());
      assertThat(got.info()).isEqualTo(info);
      assertThat(got.offset()).isZero();
      assertThat(got.epoch()).isEmpty();
      assertThat(got.tags()).isEmpty();
      assertThat(got.frame(JsonCodec.INSTANCE)).isEqualTo(d.frame(JsonCodec.INSTANCE));
    }
  }
}
