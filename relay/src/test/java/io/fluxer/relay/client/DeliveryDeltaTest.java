package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import centrifugal.centrifuge.protocol.Client;
import com.google.protobuf.CodedInputStream;
import io.fluxer.relay.protocol.ClientCodec;
import io.fluxer.relay.protocol.FossilDelta;
import io.fluxer.relay.protocol.JsonCodec;
import io.fluxer.relay.protocol.ProtobufCodec;
import io.fluxer.relay.protocol.Publication;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link Delivery#deltaFrame}: what a subscription with delta compression gets, and how often it is computed. */
class DeliveryDeltaTest {
  private static final ClientCodec JSON = JsonCodec.INSTANCE;
  private static final ClientCodec PROTOBUF = new ProtobufCodec(64 * 1024);

  private static Publication pub(long offset, JsonObject data, boolean delta) {
    return new Publication(offset, data.encode(), null, Map.of(), delta);
  }

  private static JsonObject pushPub(byte[] frame) {
    return new JsonObject(new String(frame, StandardCharsets.UTF_8)).getJsonObject("push").getJsonObject("pub");
  }

  @Test
  @DisplayName("1,000 subscribers with the same previous publication cost one delta, framed once per codec")
  void oncePerPreviousAndCodec() {
    Publication before = pub(1, DeltaCompressionTest.scoreboard(1), true);
    Delivery d = Delivery.publication("scores:m", pub(2, DeltaCompressionTest.scoreboard(2), true), "e", 0);
    byte[] first = d.deltaFrame(JSON, before);
    for (int i = 0; i < 1_000; i++) {
      assertThat(d.deltaFrame(JSON, before)).isSameAs(first);
      d.deltaFrame(PROTOBUF, before);
    }
    assertThat(d.deltaComputations()).isEqualTo(1);
    assertThat(d.encodings()).isEqualTo(2);
    JsonObject p = pushPub(first);
    assertThat(p.getBoolean("delta")).isTrue();
    byte[] rebuilt = FossilDelta.apply(before.data().getBytes(StandardCharsets.UTF_8),
        p.getString("data").getBytes(StandardCharsets.UTF_8));
    assertThat(new String(rebuilt, StandardCharsets.UTF_8)).isEqualTo(d.publication().data());
  }

  @Test
  @DisplayName("Whole (as a string) with no previous publication, when not published for delta, or when the delta saves nothing")
  void wholeWhenNoDelta() {
    Publication before = pub(1, new JsonObject().put("a", 1), true);
    Delivery first = Delivery.publication("c", pub(2, new JsonObject().put("a", 2), true), "e", 0);
    assertThat(pushPub(first.deltaFrame(JSON, null)).getString("data")).isEqualTo("{\"a\":2}");
    assertThat(pushPub(first.deltaFrame(JSON, before)).containsKey("delta"))
        .as("a 7-byte document: its delta is not smaller").isFalse();

    Delivery notForDelta = Delivery.publication("c", pub(3, DeltaCompressionTest.scoreboard(3), false), "e", 0);
    JsonObject p = pushPub(notForDelta.deltaFrame(JSON, pub(2, DeltaCompressionTest.scoreboard(2), true)));
    assertThat(p.containsKey("delta")).isFalse();
    assertThat(p.getString("data")).isEqualTo(DeltaCompressionTest.scoreboard(3).encode());
    assertThat(notForDelta.deltaComputations()).isZero();
  }

  @Test
  @DisplayName("Multi-byte text: the delta is UTF-8 text for the JSON string, and the same bytes go to Protobuf")
  void multiByteText() throws Exception {
    String a = "\"" + "é".repeat(200) + "\"";
    String b = "\"" + "é".repeat(100) + "ê" + "é".repeat(99) + "\"";
    Publication before = new Publication(1, a, null, Map.of(), true);
    Delivery d = Delivery.publication("c", new Publication(2, b, null, Map.of(), true), "e", 0);

    JsonObject json = pushPub(d.deltaFrame(JSON, before));
    assertThat(json.getBoolean("delta")).isTrue();
    byte[] fromJson = json.getString("data").getBytes(StandardCharsets.UTF_8);
    assertThat(new String(FossilDelta.apply(a.getBytes(StandardCharsets.UTF_8), fromJson), StandardCharsets.UTF_8))
        .isEqualTo(b);

    Client.Publication proto = Client.Push.parseFrom(delimitedBody(d.deltaFrame(PROTOBUF, before))).getPub();
    assertThat(proto.getDelta()).isTrue();
    assertThat(proto.getData().toByteArray()).isEqualTo(fromJson);
    assertThat(d.deltaComputations()).isEqualTo(1);
  }

  /** The message of a varint-length-delimited Protobuf frame (a push frame is a Reply with a push). */
  private static byte[] delimitedBody(byte[] frame) throws Exception {
    CodedInputStream in = CodedInputStream.newInstance(frame);
    int length = in.readRawVarint32();
    Client.Reply reply = Client.Reply.parseFrom(in.readRawBytes(length));
    return reply.getPush().toByteArray();
  }
}
