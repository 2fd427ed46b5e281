package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import centrifugal.centrifuge.protocol.Client;
import com.google.protobuf.ByteString;
import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.HttpTestClient.Response;
import io.fluxer.relay.testing.PbStreamTestClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * HTTP streaming with Protobuf, as the SDKs' Protobuf builds speak it, with a plain HTTP client and
 * the generated classes of {@code client.proto}: the connect command as a varint-delimited body,
 * varint-delimited replies on an {@code application/octet-stream} stream, later commands through a
 * Protobuf {@code POST /emulation}, and the JSON variant's limits, keepalive and disconnects.
 */
class ProtobufStreamTest extends StreamTransportTestBase {
  private static final Map<String, String> OCTETS = Map.of("Content-Type", PbStreamTestClient.OCTET_STREAM);
  private final List<PbStreamTestClient> streams = new ArrayList<>();

  @AfterEach
  void closeStreams() {
    streams.forEach(PbStreamTestClient::close);
  }

  private static Client.Command.Builder cmd(int id) {
    return Client.Command.newBuilder().setId(id);
  }

  private static byte[] connect(String token) {
    return PbStreamTestClient.delimited(cmd(1).setConnect(Client.ConnectRequest.newBuilder().setToken(token)).build());
  }

  private PbStreamTestClient httpStream(byte[] body) {
    PbStreamTestClient s = PbStreamTestClient.open(vertx, relay().httpUrl() + "/connection/http_stream", body);
    streams.add(s);
    return s;
  }

  private Client.ConnectResult connected(PbStreamTestClient s) {
    Client.Reply reply = s.awaitReply(1, SHORT);
    assertThat(reply.hasError()).as("connect error %s", reply.getError()).isFalse();
    return reply.getConnect();
  }

  private Response emulate(Client.ConnectResult c, Client.Command... commands) {
    return emulateRaw(c, PbStreamTestClient.delimited(commands));
  }

  private Response emulateRaw(Client.ConnectResult c, byte[] data) {
    return postOctets("/emulation", PbStreamTestClient.emulationBody(c.getNode(), c.getSession(), data));
  }

  private Response postOctets(String path, byte[] body) {
    return http().sendRaw(HttpMethod.POST, path, OCTETS, Buffer.buffer(body));
  }


  @Test
  @DisplayName("Connect over http_stream, subscribe and publish through /emulation, the publication pushed on the stream")
  void connectSubscribePublish() {
    PbStreamTestClient s = httpStream(connect(relay().token("alice")));
    assertThat(s.status()).isEqualTo(200);
    assertThat(s.headers().get("Content-Type")).isEqualTo("application/octet-stream");
    assertThat(s.headers().get("Cache-Control")).isEqualTo("private, no-cache, no-store, must-revalidate, max-age=0");
    Client.ConnectResult c = connected(s);
    assertThat(UUID.fromString(c.getSession())).isNotNull();
    assertThat(c.getNode()).isEqualTo(relay().node().id());
    assertThat(c.getPong()).isTrue();
    assertThat(c.getClient()).isNotEmpty();

    String channel = chat("pbstream");
    assertThat(emulate(c, cmd(2).setSubscribe(Client.SubscribeRequest.newBuilder().setChannel(channel)).build())
        .status()).isEqualTo(204);
    assertThat(s.awaitReply(2, SHORT).getSubscribe().getRecoverable()).isTrue();

    // Two commands in one request, as the SDK batches them.
    assertThat(emulate(c,
        cmd(3).setPublish(Client.PublishRequest.newBuilder().setChannel(channel)
            .setData(ByteString.copyFromUtf8("{\"n\":1}"))).build(),
        cmd(4).setPresence(Client.PresenceRequest.newBuilder().setChannel(channel)).build()).status()).isEqualTo(204);
    assertThat(s.awaitReply(3, SHORT).hasPublish()).isTrue();
    assertThat(s.awaitReply(4, SHORT).getPresence().getPresenceMap()).containsOnlyKeys(c.getClient());
    Client.Publication pub = s.awaitMatching(r -> r.hasPush() && r.getPush().hasPub(), SHORT).getPush().getPub();
    assertThat(pub.getData().toStringUtf8()).isEqualTo("{\"n\":1}");
    assertThat(pub.getOffset()).isEqualTo(1);

    // A publication of the server API reaches the Protobuf stream as the JSON text's bytes.
    api("publish", new JsonObject().put("channel", channel).put("data", new JsonObject().put("n", 2)));
    Client.Reply second = s.awaitMatching(r -> r.hasPush() && r.getPush().getPub().getOffset() == 2, SHORT);
    assertThat(new JsonObject(second.getPush().getPub().getData().toStringUtf8()).getInteger("n")).isEqualTo(2);
  }

  @Test
  @DisplayName("/emulation with Protobuf: 404 for an unknown session or node, 400 for a bad body, 413 past 64 KiB")
  void emulationStatuses() {
    PbStreamTestClient s = httpStream(connect(relay().token("alice")));
    Client.ConnectResult c = connected(s);
    byte[] pong = {0}; // an empty Command
    assertThat(emulateRaw(c, pong).status()).isEqualTo(204);
    assertThat(postOctets("/emulation", PbStreamTestClient.emulationBody(c.getNode(), UUID.randomUUID().toString(),
        pong)).status()).isEqualTo(404);
    assertThat(postOctets("/emulation", PbStreamTestClient.emulationBody(UUID.randomUUID().toString(), c.getSession(),
        pong)).status()).isEqualTo(404);
    assertThat(postOctets("/emulation", "not protobuf at all".getBytes(StandardCharsets.UTF_8)).status())
        .isEqualTo(400);
    assertThat(postOctets("/emulation", new byte[0]).status()).as("no session, no node").isEqualTo(400);
    assertThat(postOctets("/emulation", Client.EmulationRequest.newBuilder().setSession(c.getSession())
        .setData(ByteString.copyFrom(pong)).build().toByteArray()).status()).as("no node").isEqualTo(400);
    byte[] big = PbStreamTestClient.delimited(cmd(9).setPublish(Client.PublishRequest.newBuilder().setChannel("x")
        .setData(ByteString.copyFromUtf8("\"" + "y".repeat(70_000) + "\""))).build());
    assertThat(emulateRaw(c, big).status()).isEqualTo(413);
    assertThat(s.ended()).as("the session outlives refused requests").isFalse();
  }

  @Test
  @DisplayName("Malformed Protobuf through /emulation closes that session with 3501 and ends its stream")
  void malformedCommandCloses3501() {
    PbStreamTestClient other = httpStream(connect(relay().token("bob")));
    Client.ConnectResult otherConnected = connected(other);
    PbStreamTestClient s = httpStream(connect(relay().token("alice")));
    Client.ConnectResult c = connected(s);
    // A length prefix of 100 bytes with 2 behind it.
    assertThat(emulateRaw(c, new byte[] {100, 1, 2}).status()).isEqualTo(204);
    Client.Disconnect disconnect = s.awaitDisconnect(SHORT);
    assertThat(disconnect.getCode()).isEqualTo(3501);
    s.awaitEnd(SHORT);
    assertThat(emulateRaw(otherConnected, new byte[] {0}).status()).as("no other session notices").isEqualTo(204);
    assertThat(other.ended()).isFalse();
  }

  @Test
  @DisplayName("A malformed connect body is answered on the stream with 3501; an empty one with 400, a large one 413")
  void connectBodies() {
    PbStreamTestClient s = httpStream(new byte[] {5, 1});
    assertThat(s.status()).isEqualTo(200);
    assertThat(s.awaitDisconnect(SHORT).getCode()).isEqualTo(3501);
    s.awaitEnd(SHORT);
    assertThat(postOctets("/connection/http_stream", new byte[0]).status()).isEqualTo(400);
    byte[] big = PbStreamTestClient.delimited(cmd(1).setConnect(Client.ConnectRequest.newBuilder()
        .setData(ByteString.copyFrom(new byte[70_000]))).build());
    assertThat(postOctets("/connection/http_stream", big).status()).isEqualTo(413);
  }

  @Test
  @DisplayName("A server-side disconnect is a Protobuf disconnect push followed by the end of the stream")
  void serverDisconnect() {
    PbStreamTestClient s = httpStream(connect(relay().token("alice")));
    connected(s);
    api("disconnect", new JsonObject().put("user", "alice"));
    assertThat(s.awaitDisconnect(SHORT).getCode()).isEqualTo(3503);
    s.awaitEnd(SHORT);
  }

  @Test
  @DisplayName("Pings are empty replies; pongs through /emulation keep the session; none closes it with 3012")
  void keepalive() {
    startRelay(config -> clientSection(config).put("ping_interval", "300ms").put("pong_timeout", "200ms"));
    PbStreamTestClient s = httpStream(connect(relay().token("alice")));
    Client.ConnectResult c = connected(s);
    s.awaitMatching(r -> r.equals(Client.Reply.getDefaultInstance()), SHORT);
    assertThat(emulateRaw(c, new byte[] {0}).status()).isEqualTo(204);
    // The answered ping is followed by another, and only a later unanswered one ends the session.
    s.awaitMatching(r -> r.hasPush() && r.getPush().hasDisconnect(), SHORT);
    long pings = s.replies().stream().filter(r -> r.equals(Client.Reply.getDefaultInstance())).count();
    assertThat(pings).isGreaterThanOrEqualTo(2);
    assertThat(s.awaitDisconnect(SHORT).getCode()).isEqualTo(3012);
    s.awaitEnd(SHORT);
  }

  @Test
  @DisplayName("SSE and the unidirectional transports carry JSON only: a Protobuf request gets 415 (SSE's cf_connect 400) and a reason")
  void jsonOnlyTransportsRefuseProtobuf() {
    byte[] body = connect(relay().token("alice"));
    for (String path : List.of("/connection/sse", "/connection/uni_sse", "/connection/uni_http_stream")) {
      Response answer = postOctets(path, body);
      assertThat(answer.status()).as(path).isEqualTo(415);
      assertThat(answer.body()).as(path).contains("JSON only");
    }
    // The SDK's Protobuf build on sse puts its binary connect command, as text, in cf_connect.
    String asText = IntStream.range(0, body.length).mapToObj(i -> String.valueOf(body[i] & 0xFF))
        .collect(Collectors.joining(","));
    Response sse = http().get("/connection/sse?cf_connect=" + asText, HttpTestClient.NONE);
    assertThat(sse.status()).isEqualTo(400);
    assertThat(sse.body()).contains("JSON only");
  }

  @Test
  @DisplayName("A Protobuf stream reader that stops reading is closed as slow (3008)")
  void slowReaderIsClosed() throws Exception {
    startRelay(config -> clientSection(config).put("write_queue_max_size", 65536));
    String channel = chat("pbslow");
    byte[] body = connect(relay().token("slow"));
    assertStalledReaderClosedAsSlow(PbStreamTestClient.OCTET_STREAM, body, channel);
  }
}
