package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import centrifugal.centrifuge.protocol.Client;
import com.google.protobuf.ByteString;
import io.fluxer.relay.testing.PbTestClient;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The Protobuf protocol over WebSocket against a real relay: the subprotocol handshake, commands and
 * replies in binary frames, JSON and Protobuf subscribers of one channel, data that must be JSON,
 * malformed input closing one session only, and a publication encoded once per codec.
 */
class ProtobufProtocolTest extends RelayTestBase {
  private final List<PbTestClient> pbClients = new ArrayList<>();

  @AfterEach
  void closePbClients() {
    pbClients.forEach(PbTestClient::close);
  }

  private PbTestClient openPb() {
    PbTestClient c = PbTestClient.open(vertx, relay().wsUrl());
    pbClients.add(c);
    return c;
  }

  private PbTestClient connectedPb(String user) {
    PbTestClient c = openPb();
    c.connectWith(relay().token(user));
    return c;
  }

  private static Client.Command.Builder cmd() {
    return Client.Command.newBuilder();
  }

  @Test
  @DisplayName("The handshake agrees on centrifuge-protobuf; connect, subscribe, publish, presence and history work")
  void commandsOverProtobuf() {
    PbTestClient c = openPb();
    assertThat(c.subProtocol()).isEqualTo("centrifuge-protobuf");
    Client.ConnectResult connected = c.connectWith(relay().token("alice"));
    assertThat(connected.getClient()).isNotEmpty();
    assertThat(connected.getPing()).isPositive();
    assertThat(connected.getPong()).isTrue();

    String channel = chat("pb");
    Client.SubscribeResult sub = c.subscribe(channel);
    assertThat(sub.getRecoverable()).isTrue();
    assertThat(sub.getEpoch()).isNotEmpty();

    assertThat(c.publish(channel, "{\"text\":\"grüß\"}").hasPublish()).isTrue();
    Client.Publication pub = c.awaitPublications(channel, 1, SHORT).get(0);
    assertThat(PbTestClient.text(pub)).isEqualTo("{\"text\":\"grüß\"}");
    assertThat(pub.getOffset()).isEqualTo(1);
    assertThat(pub.getInfo().getUser()).isEqualTo("alice");

    Client.PresenceResult presence = c.result(cmd().setPresence(Client.PresenceRequest.newBuilder()
        .setChannel(channel))).getPresence();
    assertThat(presence.getPresenceMap()).containsKey(connected.getClient());
    Client.PresenceStatsResult stats = c.result(cmd().setPresenceStats(Client.PresenceStatsRequest.newBuilder()
        .setChannel(channel))).getPresenceStats();
    assertThat(stats.getNumClients()).isEqualTo(1);

    Client.HistoryResult history = c.result(cmd().setHistory(Client.HistoryRequest.newBuilder().setChannel(channel)
        .setLimit(10))).getHistory();
    assertThat(history.getPublicationsList()).extracting(PbTestClient::text).containsExactly("{\"text\":\"grüß\"}");
    assertThat(history.getEpoch()).isEqualTo(sub.getEpoch());
  }

  @Test
  @DisplayName("As in Centrifugo, format=protobuf or cf_protocol=protobuf in the URL asks for Protobuf too")
  void protobufAskedByUrl() {
    for (String query : List.of("?format=protobuf", "?cf_protocol=protobuf")) {
      PbTestClient c = PbTestClient.open(vertx, relay().wsUrl() + query, false);
      pbClients.add(c);
      assertThat(c.subProtocol()).isNull();
      assertThat(c.connectWith(relay().token("alice")).getClient()).isNotEmpty();
    }
    assertThat(RelayServerVerticle.wantsProtobuf(null, "format=json")).isFalse();
    assertThat(RelayServerVerticle.wantsProtobuf(null, "")).isFalse();
    assertThat(RelayServerVerticle.wantsProtobuf("", "x=1&format=protobuf")).isTrue();
  }

  @Test
  @DisplayName("Errors have the same codes as in JSON")
  void errors() {
    PbTestClient c = connectedPb("alice");
    Client.Reply unknown = c.call(cmd().setSubscribe(Client.SubscribeRequest.newBuilder().setChannel("nope:x")));
    assertThat(unknown.getError().getCode()).isEqualTo(102);
    String channel = chat("twice");
    c.subscribe(channel);
    assertThat(c.call(cmd().setSubscribe(Client.SubscribeRequest.newBuilder().setChannel(channel)))
        .getError().getCode()).isEqualTo(105);
    assertThat(c.call(cmd().setRpc(Client.RPCRequest.newBuilder().setMethod("m"))).getError().getCode())
        .isEqualTo(104);
  }

  @Test
  @DisplayName("A JSON and a Protobuf subscriber get the same publications, each encoded once per codec")
  void jsonAndProtobufSubscribersOfOneChannel() {
    String channel = chat("mixed");
    List<Delivery> seen = new ArrayList<>();
    relay().node().fanout().register(vertx.getOrCreateContext(), d -> {
      if (d.kind() == Delivery.Kind.PUBLICATION) {
        synchronized (seen) {
          seen.add(d);
        }
      }
    });
    List<WsTestClient> json = IntStream.range(0, 3).mapToObj(i -> connected("j" + i)).toList();
    List<PbTestClient> pb = IntStream.range(0, 3).mapToObj(i -> connectedPb("p" + i)).toList();
    json.forEach(c -> c.subscribe(channel));
    pb.forEach(c -> c.subscribe(channel));

    json.get(0).publish(channel, new JsonObject().put("from", "json").put("n", 1));
    pb.get(0).publish(channel, "{\"from\":\"protobuf\",\"n\":2}");

    for (WsTestClient c : json) {
      assertThat(c.awaitPublications(channel, 2, SHORT)).extracting(p -> p.getJsonObject("data"))
          .containsExactly(new JsonObject().put("from", "json").put("n", 1),
              new JsonObject().put("from", "protobuf").put("n", 2));
    }
    for (PbTestClient c : pb) {
      assertThat(c.awaitPublications(channel, 2, SHORT)).extracting(PbTestClient::text)
          .containsExactly("{\"from\":\"json\",\"n\":1}", "{\"from\":\"protobuf\",\"n\":2}");
    }
    synchronized (seen) {
      List<Delivery> ours = seen.stream().filter(d -> d.channel().equals(channel)).toList();
      assertThat(ours).hasSize(2);
      assertThat(ours).allSatisfy(d -> assertThat(d.encodings()).as("6 subscribers, 2 codecs").isEqualTo(2));
    }
  }

  @Test
  @DisplayName("Publish data that is not JSON is error 107 and nothing is published")
  void publishDataMustBeJson() {
    String channel = chat("notjson");
    WsTestClient watcher = connected("watcher");
    watcher.subscribe(channel);
    PbTestClient c = connectedPb("alice");
    Client.Reply reply = c.call(cmd().setPublish(Client.PublishRequest.newBuilder().setChannel(channel)
        .setData(ByteString.copyFrom(new byte[] {(byte) 0x89, 'P', 'N', 'G'}))));
    assertThat(reply.getError().getCode()).isEqualTo(107);
    assertThat(reply.getError().getMessage()).contains("JSON");

    c.publish(channel, "\"after\"");
    assertThat(watcher.awaitPublications(channel, 1, SHORT)).extracting(p -> p.getValue("data"))
        .containsExactly("after");
  }

  @Test
  @DisplayName("Malformed Protobuf closes that session with 3501; another stays connected")
  void malformedClosesOneSession() {
    PbTestClient bad = connectedPb("mallory");
    PbTestClient good = connectedPb("alice");
    bad.sendRaw(new byte[] {0x05, 0x08}); // a command of 5 bytes, 1 there
    assertThat(bad.awaitClose(SHORT).code()).isEqualTo((short) 3501);
    String channel = chat("still");
    assertThat(good.subscribe(channel).getRecoverable()).isTrue();
    assertThat(good.closeInfo()).isNull();
  }

  @Test
  @DisplayName("A text frame on a Protobuf connection closes it with 3501")
  void textFrameOnProtobuf() {
    PbTestClient c = openPb();
    c.sendText("{\"id\":1,\"connect\":{}}");
    assertThat(c.awaitClose(SHORT).code()).isEqualTo((short) 3501);
  }

  @Test
  @DisplayName("A binary message over client.max_message_size closes with 1009, as a text one does")
  void oversizedMessage() {
    PbTestClient c = connectedPb("alice");
    c.sendRaw(new byte[64 * 1024 + 1]);
    assertThat(c.awaitClose(SHORT).code()).isEqualTo(WebSocketTransport.MESSAGE_TOO_BIG);
  }

  @Test
  @DisplayName("Replies of one turn share a binary frame, concatenated")
  void repliesAreBatched() {
    PbTestClient c = connectedPb("alice");
    List<Integer> ids = c.send(
        cmd().setSubscribe(Client.SubscribeRequest.newBuilder().setChannel("nope:a")),
        cmd().setSubscribe(Client.SubscribeRequest.newBuilder().setChannel("nope:b")),
        cmd().setSubscribe(Client.SubscribeRequest.newBuilder().setChannel("nope:c")));
    ids.forEach(id -> assertThat(c.awaitReply(id).getError().getCode()).isEqualTo(102));
    assertThat(c.messagesPerFrame()).contains(3);
  }

  @Test
  @DisplayName("The server pings with an empty Reply; an empty Command answers it")
  void pingPong() {
    startRelay(config -> clientSection(config).put("ping_interval", "1s").put("pong_timeout", "500ms"));
    PbTestClient c = connectedPb("alice");
    c.awaitPings(3, java.time.Duration.ofSeconds(10));
    assertThat(c.closeInfo()).isNull();
  }
}
