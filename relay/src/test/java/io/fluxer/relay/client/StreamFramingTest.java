package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import centrifugal.centrifuge.protocol.Client;
import io.fluxer.relay.protocol.Disconnect;
import io.fluxer.relay.protocol.ProtobufCodec;
import io.fluxer.relay.protocol.ProtocolEncoder;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Stream framing, the unidirectional unwrapping of pushes and uni connect requests, without sockets. */
class StreamFramingTest {
  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String framed(StreamFraming f, String message) {
    Buffer out = Buffer.buffer();
    byte[] m = bytes(message);
    f.append(out, m, 0, m.length);
    assertThat(out.length()).isEqualTo(f.framedLength(m.length));
    return out.toString(StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("SSE: \\r\\n first, then data: <json>\\n\\n; HTTP streaming: <json>\\n")
  void framings() {
    assertThat(new String(StreamFraming.SSE.prelude(), StandardCharsets.US_ASCII)).isEqualTo("\r\n");
    assertThat(framed(StreamFraming.SSE, "{\"id\":1}")).isEqualTo("data: {\"id\":1}\n\n");
    assertThat(StreamFraming.JSON_LINES.prelude()).isEmpty();
    assertThat(framed(StreamFraming.JSON_LINES, "{}")).isEqualTo("{}\n");
  }

  @Test
  @DisplayName("HTTP streaming with Protobuf: the varint-delimited replies as they are, one after the other")
  void protobufFraming() throws Exception {
    assertThat(StreamFraming.PROTOBUF.prelude()).isEmpty();
    assertThat(StreamFraming.PROTOBUF.contentType()).isEqualTo("application/octet-stream");
    byte[] push = ProtobufCodec.disconnectPush(Disconnect.SLOW);
    Buffer out = Buffer.buffer();
    StreamFraming.PROTOBUF.append(out, push, 0, push.length);
    byte[] noPong = ProtobufCodec.disconnectPush(Disconnect.NO_PONG);
    StreamFraming.PROTOBUF.append(out, noPong, 0, noPong.length);
    assertThat(StreamFraming.PROTOBUF.framedLength(push.length)).isEqualTo(push.length);
    ByteArrayInputStream in = new ByteArrayInputStream(out.getBytes());
    assertThat(Client.Reply.parseDelimitedFrom(in).getPush().getDisconnect().getCode()).isEqualTo(3008);
    Client.Disconnect second = Client.Reply.parseDelimitedFrom(in).getPush().getDisconnect();
    assertThat(second.getCode()).isEqualTo(3012);
    assertThat(second.getReason()).isEqualTo("no pong");
  }

  @Test
  @DisplayName("Unidirectional transports send the push without its wrapper; other messages as they are")
  void unwrap() {
    byte[] pub = bytes("{\"push\":{\"channel\":\"c\",\"pub\":{\"data\":{}}}}");
    assertThat(new String(UniPush.unwrap(pub), StandardCharsets.UTF_8)).isEqualTo("{\"channel\":\"c\",\"pub\":{\"data\":{}}}");
    assertThat(new String(UniPush.unwrap(ProtocolEncoder.disconnectPush(Disconnect.SLOW)), StandardCharsets.UTF_8))
        .isEqualTo("{\"disconnect\":{\"code\":3008,\"reason\":\"slow\"}}");
    byte[] connect = bytes("{\"connect\":{\"client\":\"x\"}}");
    assertThat(UniPush.unwrap(connect)).isSameAs(connect);
    assertThat(UniPush.unwrap(ProtocolEncoder.PING)).isSameAs(ProtocolEncoder.PING);
    byte[] partial = bytes("{\"push\":");
    assertThat(UniPush.unwrap(partial)).isSameAs(partial);
  }

  @Test
  @DisplayName("A uni connect request becomes a connect command only when it is one JSON object of a connect's field types")
  void uniConnect() {
    assertThat(StreamEndpoints.uniConnect("{\"token\":\"t\",\"data\":{\"a\":1}}"))
        .isEqualTo("{\"id\":1,\"connect\":{\"token\":\"t\",\"data\":{\"a\":1}}}");
    assertThat(StreamEndpoints.uniConnect("{}")).isNotNull();
    assertThat(StreamEndpoints.uniConnect("{\"token\":5}")).isNull();
    assertThat(StreamEndpoints.uniConnect("[1]")).isNull();
    assertThat(StreamEndpoints.uniConnect("nope")).isNull();
    assertThat(StreamEndpoints.uniConnect("{}}\n{\"id\":2,\"connect\":{}")).as("a second command smuggled in").isNull();
    assertThat(StreamEndpoints.uniConnect("{}},\"x\":{")).isNull();
  }
}
