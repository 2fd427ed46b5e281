package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.protocol.Publication;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Recovery of missed publications on resubscribe, and the history command. Namespace {@code chat}
 * keeps 100 publications with forced recovery; namespace {@code short} keeps only 10.
 */
class RecoveryTest extends RelayTestBase {

  /** Where a subscriber stopped: the epoch and the offset of the last publication it saw. */
  private record Position(String epoch, long offset) {}

  @Test
  @DisplayName("Resubscribing with recover, offset and epoch returns exactly the missed publications, in order")
  void recoversMissedPublications() {
    String channel = chat("recover");
    WsTestClient publisher = connected("bob");
    Position seen = subscribeReceiveAndLeave(channel, publisher, 3);
    publishNumbered(publisher, channel, 100, 5);

    WsTestClient again = connected("alice");
    JsonObject reply = again.result("subscribe", recoverFrom(channel, seen));

    assertThat(reply.getBoolean("recovered")).isTrue();
    assertThat(reply.getBoolean("was_recovering")).isTrue();
    assertThat(reply.getString("epoch")).isEqualTo(seen.epoch());
    assertThat(reply.getLong("offset")).isEqualTo(seen.offset() + 5);
    List<JsonObject> missed = reply.getJsonArray("publications").stream().map(JsonObject.class::cast).toList();
    assertThat(missed).extracting(p -> p.getJsonObject("data").getInteger("n")).containsExactly(100, 101, 102, 103, 104);
    assertThat(missed).extracting(p -> p.getLong("offset"))
        .containsExactly(seen.offset() + 1, seen.offset() + 2, seen.offset() + 3, seen.offset() + 4, seen.offset() + 5);

    // Live publications continue right after the recovered ones.
    again.publish(channel, new JsonObject().put("n", 105));
    JsonObject live = again.awaitPublications(channel, 1, SHORT).get(0);
    assertThat(live.getLong("offset")).isEqualTo(seen.offset() + 6);
    assertThat(again.publications(channel)).hasSize(1);
  }

  @Test
  @DisplayName("Recovering when nothing was missed answers recovered:true with no publications")
  void nothingMissedIsRecovered() {
    String channel = chat("uptodate");
    WsTestClient publisher = connected("bob");
    Position seen = subscribeReceiveAndLeave(channel, publisher, 2);

    WsTestClient again = connected("alice");
    JsonObject reply = again.result("subscribe", recoverFrom(channel, seen));

    assertThat(reply.getBoolean("recovered")).isTrue();
    assertThat(reply.getBoolean("was_recovering")).isTrue();
    assertThat(reply.containsKey("publications")).isFalse();
    assertThat(reply.getLong("offset")).isEqualTo(seen.offset());
  }

  @Test
  @DisplayName("Recovering with a wrong epoch answers recovered:false and no publications")
  void wrongEpochIsNotRecovered() {
    String channel = chat("epoch");
    WsTestClient publisher = connected("bob");
    Position seen = subscribeReceiveAndLeave(channel, publisher, 2);
    publishNumbered(publisher, channel, 100, 3);

    WsTestClient again = connected("alice");
    JsonObject reply = again.result("subscribe", recoverFrom(channel, new Position("not-" + seen.epoch(), seen.offset())));

    assertThat(reply.getBoolean("recovered", false)).isFalse();
    assertThat(reply.getBoolean("was_recovering")).isTrue();
    assertThat(reply.containsKey("publications")).isFalse();
    assertThat(reply.getString("epoch")).isEqualTo(seen.epoch());
    assertThat(reply.getLong("offset")).isEqualTo(seen.offset() + 3);
  }

  @Test
  @DisplayName("With flag bit 2 (rejectUnrecovered, getState) an unrecoverable position is error 112 and no subscription")
  void rejectUnrecoveredFlag() {
    String channel = chat("reject");
    WsTestClient publisher = connected("bob");
    Position seen = subscribeReceiveAndLeave(channel, publisher, 2);
    publishNumbered(publisher, channel, 100, 3);

    WsTestClient again = connected("alice");
    JsonObject refused = again.call("subscribe",
        recoverFrom(channel, new Position("not-" + seen.epoch(), seen.offset())).put("flag", 3));
    assertThat(refused.getJsonObject("error").getInteger("code")).as("reply %s", refused).isEqualTo(112);
    assertThat(again.result("presence", new JsonObject().put("channel", channel)).getJsonObject("presence").encode())
        .as("no presence left behind").doesNotContain("alice");

    JsonObject recovered = again.result("subscribe", recoverFrom(channel, seen).put("flag", 3));
    assertThat(recovered.getBoolean("recovered")).as("a recoverable position with the flag subscribes").isTrue();
    assertThat(recovered.getJsonArray("publications")).hasSize(3);
  }

  @Test
  @DisplayName("A subscription type other than a stream (0) is refused with 107 and a clear message")
  void otherSubscriptionTypesAreRefused() {
    WsTestClient c = connected("alice");
    JsonObject reply = c.call("subscribe", new JsonObject().put("channel", chat("typed")).put("type", 1));
    assertThat(reply.getJsonObject("error").getInteger("code")).isEqualTo(107);
    assertThat(reply.getJsonObject("error").getString("message")).contains("subscription type 1 is not supported");
    assertThat(c.result("subscribe", new JsonObject().put("channel", chat("typed")))).isNotNull();
  }

  @Test
  @DisplayName("A gap longer than the history answers recovered:false, never part of the gap")
  void gapLargerThanHistoryIsNotRecovered() {
    startRelay(config -> addNamespace(config, new JsonObject().put("name", "short").put("history_size", 10)
        .put("history_ttl", "5m").put("force_recovery", true).put("allow_subscribe_for_client", true)
        .put("allow_publish_for_client", true)));
    String channel = "short:" + unique("gap");
    WsTestClient publisher = connected("bob");
    Position seen = subscribeReceiveAndLeave(channel, publisher, 1);
    publishNumbered(publisher, channel, 100, 30);

    WsTestClient again = connected("alice");
    JsonObject reply = again.result("subscribe", recoverFrom(channel, seen));

    assertThat(reply.getBoolean("recovered", false)).isFalse();
    assertThat(reply.getBoolean("was_recovering")).isTrue();
    assertThat(reply.containsKey("publications")).as("reply %s", reply).isFalse();
    assertThat(reply.getLong("offset")).isEqualTo(seen.offset() + 30);
  }

  @Test
  @DisplayName("history honours limit, reverse and since")
  void historyLimitReverseSince() {
    String channel = chat("history");
    WsTestClient c = connected("alice");
    publishNumbered(c, channel, 0, 10);

    JsonObject first3 = c.result("history", new JsonObject().put("channel", channel).put("limit", 3));
    JsonObject last3 = c.result("history", new JsonObject().put("channel", channel).put("limit", 3).put("reverse", true));
    JsonObject positionOnly = c.result("history", new JsonObject().put("channel", channel));
    String epoch = first3.getString("epoch");
    JsonObject after7 = c.result("history", new JsonObject().put("channel", channel).put("limit", -1)
        .put("since", new JsonObject().put("offset", 7).put("epoch", epoch)));
    JsonObject all = c.result("history", new JsonObject().put("channel", channel).put("limit", -1));

    assertThat(numbers(first3)).containsExactly(0, 1, 2);
    assertThat(numbers(last3)).containsExactly(9, 8, 7);
    assertThat(numbers(after7)).containsExactly(7, 8, 9);
    assertThat(offsets(after7)).containsExactly(8L, 9L, 10L);
    assertThat(numbers(all)).containsExactlyElementsOf(IntStream.range(0, 10).boxed().toList());
    assertThat(positionOnly.containsKey("publications")).isFalse();
    for (JsonObject h : List.of(first3, last3, positionOnly, after7, all)) {
      assertThat(h.getString("epoch")).isEqualTo(epoch);
      assertThat(h.getLong("offset")).isEqualTo(10L);
    }
  }

  @Test
  @DisplayName("history since a position of another epoch is error 112")
  void historySinceWrongEpoch() {
    String channel = chat("history-epoch");
    WsTestClient c = connected("alice");
    publishNumbered(c, channel, 0, 2);

    int code = c.errorCode("history", new JsonObject().put("channel", channel).put("limit", -1)
        .put("since", new JsonObject().put("offset", 1).put("epoch", "other")));

    assertThat(code).isEqualTo(112);
  }

  /**
   * A client subscribes, receives {@code count} publications from {@code publisher}, and
   * disconnects; returns the position it reached, taken from the subscribe reply and the pubs.
   */
  @Test
  @DisplayName("A publication that skips an offset closes the subscriber with 3010, so it reconnects and recovers")
  void missingPublicationClosesWith3010() {
    String channel = chat("gap");
    WsTestClient alice = connected("alice");
    JsonObject subscribed = alice.subscribe(channel);
    WsTestClient bob = connected("bob");
    publishNumbered(bob, channel, 1, 2);
    alice.awaitPublications(channel, 2, SHORT);
    String epoch = subscribed.getString("epoch");
    assertThat(epoch).isNotEmpty();

    // As if offset 3 were lost between nodes and 4 arrived.
    Publication fourth = new Publication(4, "{\"n\":4}", null, null);
    relay().node().fanout().deliver(Delivery.publication(channel, fourth, epoch, 0));

    assertThat(alice.awaitClose(SHORT).code()).isEqualTo((short) 3010);
    assertThat(alice.publications(channel)).hasSize(2);
  }

  private Position subscribeReceiveAndLeave(String channel, WsTestClient publisher, int count) {
    WsTestClient first = connected("alice");
    JsonObject sub = first.subscribe(channel);
    assertThat(sub.getBoolean("recoverable")).isTrue();
    String epoch = sub.getString("epoch");
    long offset = sub.getLong("offset", 0L);
    publishNumbered(publisher, channel, 0, count);
    List<JsonObject> pubs = first.awaitPublications(channel, count, SHORT);
    for (JsonObject p : pubs) {
      assertThat(p.getLong("offset")).isEqualTo(++offset);
    }
    first.close();
    return new Position(epoch, offset);
  }

  private static void publishNumbered(WsTestClient publisher, String channel, int from, int count) {
    for (int n = from; n < from + count; n++) {
      publisher.publish(channel, new JsonObject().put("n", n));
    }
  }

  private static JsonObject recoverFrom(String channel, Position p) {
    return new JsonObject().put("channel", channel).put("recover", true).put("offset", p.offset()).put("epoch", p.epoch());
  }

  private static List<Integer> numbers(JsonObject history) {
    return publications(history).stream().map(p -> p.getJsonObject("data").getInteger("n")).toList();
  }

  private static List<Long> offsets(JsonObject history) {
    return publications(history).stream().map(p -> p.getLong("offset")).toList();
  }

  private static List<JsonObject> publications(JsonObject history) {
    return history.getJsonArray("publications", new JsonArray()).stream()
        .map(JsonObject.class::cast).toList();
  }
}
