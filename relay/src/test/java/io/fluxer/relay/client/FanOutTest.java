package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Delivery from one publisher to many subscribers on both event loops of a node, join/leave and
 * presence, and the coalescing of several messages into one WebSocket frame.
 */
class FanOutTest extends RelayTestBase {

  @Test
  @DisplayName("50 subscribers on two event loops each receive 100 publications exactly once, in publish order")
  void fiftySubscribersReceiveEverythingInOrder() {
    String channel = chat("fanout");
    int subscribers = 50;
    int publications = 100;
    List<WsTestClient> subs = new ArrayList<>();
    for (int i = 0; i < subscribers; i++) {
      WsTestClient s = connected("user" + i);
      s.subscribe(channel);
      subs.add(s);
    }
    WsTestClient publisher = connected("publisher");
    assertThat(relay().sessionsPerLoop())
        .as("connections are spread over both event loops")
        .hasSize(2).allSatisfy(n -> assertThat(n).isPositive());

    List<Long> ids = new ArrayList<>();
    for (int n = 0; n < publications; n++) {
      ids.add(publisher.send("publish", new JsonObject().put("channel", channel)
          .put("data", new JsonObject().put("n", n))));
    }
    ids.forEach(id -> assertThat(publisher.awaitReply(id).containsKey("error")).isFalse());

    List<Integer> expected = IntStream.range(0, publications).boxed().toList();
    for (WsTestClient s : subs) {
      List<JsonObject> pubs = s.awaitPublications(channel, publications, Duration.ofSeconds(15));
      assertThat(pubs).extracting(p -> p.getJsonObject("data").getInteger("n")).containsExactlyElementsOf(expected);
      assertThat(pubs).extracting(p -> p.getLong("offset")).isSorted().doesNotHaveDuplicates();
      assertThat(pubs.get(0).getJsonObject("info").getString("user")).isEqualTo("publisher");
      assertThat(s.isClosed()).isFalse();
    }
  }

  @Test
  @DisplayName("Subscribers are told when another client joins and leaves the channel")
  void joinAndLeavePushes() {
    String channel = chat("joinleave");
    WsTestClient alice = connected("alice");
    alice.subscribe(channel);
    WsTestClient bob = open();
    String bobClient = bob.connectWith(relay().token("bob")).getString("client");

    bob.subscribe(channel);

    JsonObject join = alice.awaitMessage(m -> isPush(m, channel, "join", bobClient), SHORT);
    assertThat(join.getJsonObject("push").getJsonObject("join").getJsonObject("info").getString("user"))
        .isEqualTo("bob");

    bob.result("unsubscribe", new JsonObject().put("channel", channel));

    JsonObject leave = alice.awaitMessage(m -> isPush(m, channel, "leave", bobClient), SHORT);
    assertThat(leave.getJsonObject("push").getJsonObject("leave").getJsonObject("info").getString("user"))
        .isEqualTo("bob");
  }

  @Test
  @DisplayName("presence lists both connected subscribers and presence_stats counts 2 clients and 2 users")
  void presenceOfTwoUsers() {
    String channel = chat("presence");
    WsTestClient alice = open();
    String aliceClient = alice.connectWith(relay().token("alice")).getString("client");
    alice.subscribe(channel);
    WsTestClient bob = open();
    String bobClient = bob.connectWith(relay().token("bob")).getString("client");
    bob.subscribe(channel);

    JsonObject presence = alice.result("presence", new JsonObject().put("channel", channel)).getJsonObject("presence");
    JsonObject stats = bob.result("presence_stats", new JsonObject().put("channel", channel));

    assertThat(presence.fieldNames()).containsExactlyInAnyOrder(aliceClient, bobClient);
    assertThat(presence.getJsonObject(aliceClient).getString("user")).isEqualTo("alice");
    assertThat(presence.getJsonObject(bobClient).getString("user")).isEqualTo("bob");
    assertThat(stats.getInteger("num_clients")).isEqualTo(2);
    assertThat(stats.getInteger("num_users")).isEqualTo(2);
  }

  @Test
  @DisplayName("A burst of publications reaches the client with several messages in one frame, all valid JSON")
  void burstIsCoalesced() {
    String channel = chat("burst");
    WsTestClient subscriber = connected("alice");
    subscriber.subscribe(channel);
    WsTestClient publisher = connected("bob");
    int count = 200;

    // All publishes in one frame: the node handles them in one event-loop turn.
    String frame = IntStream.range(0, count)
        .mapToObj(n -> publisher.command("publish", new JsonObject().put("channel", channel)
            .put("data", new JsonObject().put("n", n).put("text", "message " + n))).encode())
        .collect(Collectors.joining("\n"));
    publisher.sendRaw(frame);

    List<JsonObject> pubs = subscriber.awaitPublications(channel, count, SHORT);
    assertThat(pubs).extracting(p -> p.getJsonObject("data").getInteger("n"))
        .containsExactlyElementsOf(IntStream.range(0, count).boxed().toList());
    assertThat(subscriber.messagesPerFrame()).as("messages per received frame").anyMatch(n -> n > 1);
    assertThat(subscriber.invalidLines()).isEmpty();
    assertThat(publisher.invalidLines()).isEmpty();
  }

  @Test
  @DisplayName("with client.write_delay, publications sent in separate frames arrive together in one frame")
  void writeDelayGathersSeparatePublications() {
    startRelay(config -> clientSection(config).put("write_delay", "400ms"));
    String channel = chat("delayed");
    WsTestClient subscriber = connected("alice");
    subscriber.subscribe(channel);
    WsTestClient publisher = connected("bob");
    int before = subscriber.messagesPerFrame().size();

    // Each publish in a WebSocket frame of its own: separate event-loop turns on the server.
    List<Long> ids = new ArrayList<>();
    for (int n = 0; n < 3; n++) {
      ids.add(publisher.send("publish", new JsonObject().put("channel", channel).put("data", new JsonObject().put("n", n))));
    }
    ids.forEach(id -> assertThat(publisher.awaitReply(id).containsKey("error")).isFalse());

    List<JsonObject> pubs = subscriber.awaitPublications(channel, 3, SHORT);
    assertThat(pubs).extracting(p -> p.getJsonObject("data").getInteger("n")).containsExactly(0, 1, 2);
    List<Integer> frames = subscriber.messagesPerFrame();
    assertThat(frames.subList(before, frames.size())).as("frames after the subscribe").containsExactly(3);
  }

  private static boolean isPush(JsonObject m, String channel, String type, String client) {
    JsonObject push = m.getJsonObject("push");
    return push != null && channel.equals(push.getString("channel")) && push.containsKey(type)
        && client.equals(push.getJsonObject(type).getJsonObject("info").getString("client"));
  }
}
