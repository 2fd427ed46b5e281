package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.protocol.FossilDelta;
import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Fossil delta compression over the JSON protocol, checked by applying the deltas as a client does:
 * namespace {@code scores} allows it and keeps history; {@code chat} does not allow it.
 */
class DeltaCompressionTest extends RelayTestBase {
  @BeforeEach
  void start() {
    startRelay(config -> addNamespace(config, new JsonObject().put("name", "scores").put("history_size", 100)
        .put("history_ttl", "5m").put("force_recovery", true).put("allow_subscribe_for_client", true)
        .put("allowed_delta_types", new JsonArray().add("fossil"))));
  }

  /** A scoreboard of 40 players as JSON; {@code round} changes a few scores. */
  static JsonObject scoreboard(int round) {
    JsonArray players = new JsonArray();
    for (int i = 0; i < 40; i++) {
      players.add(new JsonObject().put("id", "player-" + i).put("name", "Player number " + i)
          .put("team", i % 2 == 0 ? "red" : "blue").put("score", i * 10 + (i % 7 == round % 7 ? round : 0)));
    }
    return new JsonObject().put("match", "final").put("round", round).put("players", players);
  }

  @Test
  @DisplayName("The first publication comes whole as a JSON string, later ones as Fossil deltas that rebuild the data exactly")
  void deltasRebuildTheData() {
    String channel = "scores:" + unique("match");
    WsTestClient c = connected("alice");
    JsonObject reply = c.result("subscribe", new JsonObject().put("channel", channel).put("delta", "fossil"));
    assertThat(reply.getBoolean("delta")).isTrue();

    List<String> sent = new ArrayList<>();
    for (int round = 1; round <= 5; round++) {
      sent.add(publish(channel, scoreboard(round), true));
    }
    List<JsonObject> pubs = c.awaitPublications(channel, 5, SHORT);
    assertThat(pubs.get(0).containsKey("delta")).isFalse();
    assertThat(pubs.subList(1, 5)).allSatisfy(p -> assertThat(p.getBoolean("delta")).isTrue());
    byte[] previous = null;
    int wire = 0;
    int whole = 0;
    for (int i = 0; i < pubs.size(); i++) {
      byte[] payload = pubs.get(i).getString("data").getBytes(StandardCharsets.UTF_8);
      byte[] data = pubs.get(i).getBoolean("delta", false) ? FossilDelta.apply(previous, payload) : payload;
      assertThat(new String(data, StandardCharsets.UTF_8)).isEqualTo(sent.get(i));
      previous = data;
      wire += payload.length;
      whole += data.length;
    }
    assertThat(wire).as("bytes on the wire against the data's %d", whole).isLessThan(whole / 2);
  }

  @Test
  @DisplayName("Publications not published for delta come whole (as strings); without negotiation data stays raw JSON")
  void wholeWhenNotAsked() {
    String channel = "scores:" + unique("plain");
    WsTestClient delta = connected("alice");
    delta.result("subscribe", new JsonObject().put("channel", channel).put("delta", "fossil"));
    WsTestClient plain = connected("bob");
    assertThat(plain.result("subscribe", new JsonObject().put("channel", channel)).getBoolean("delta", false)).isFalse();

    String first = publish(channel, scoreboard(1), false);
    String second = publish(channel, scoreboard(2), false);
    List<JsonObject> got = delta.awaitPublications(channel, 2, SHORT);
    assertThat(got).extracting(p -> p.getString("data")).containsExactly(first, second);
    assertThat(got).allSatisfy(p -> assertThat(p.containsKey("delta")).isFalse());
    assertThat(plain.awaitPublications(channel, 2, SHORT)).extracting(p -> p.getJsonObject("data").encode())
        .containsExactly(first, second);

    WsTestClient chat = connected("carol");
    JsonObject notAllowed = chat.result("subscribe", new JsonObject().put("channel", chat("d")).put("delta", "fossil"));
    assertThat(notAllowed.getBoolean("delta", false)).as("chat does not allow delta").isFalse();
  }

  @Test
  @DisplayName("Recovery with delta: recovered publications come whole as strings, and the next delta is against the last of them")
  void recoveryThenDelta() {
    String channel = "scores:" + unique("recover");
    WsTestClient first = connected("alice");
    JsonObject sub = first.result("subscribe", new JsonObject().put("channel", channel).put("delta", "fossil"));
    publish(channel, scoreboard(1), true);
    long offset = first.awaitPublications(channel, 1, SHORT).get(0).getLong("offset");
    first.close();
    String missed = publish(channel, scoreboard(2), true);

    WsTestClient again = connected("alice");
    JsonObject reply = again.result("subscribe", new JsonObject().put("channel", channel).put("delta", "fossil")
        .put("recover", true).put("offset", offset).put("epoch", sub.getString("epoch")));
    assertThat(reply.getBoolean("recovered")).isTrue();
    assertThat(reply.getBoolean("delta")).isTrue();
    JsonObject recovered = reply.getJsonArray("publications").getJsonObject(0);
    assertThat(recovered.getString("data")).isEqualTo(missed);

    String next = publish(channel, scoreboard(3), true);
    JsonObject live = again.awaitPublications(channel, 1, SHORT).get(0);
    assertThat(live.getBoolean("delta")).isTrue();
    byte[] rebuilt = FossilDelta.apply(missed.getBytes(StandardCharsets.UTF_8),
        live.getString("data").getBytes(StandardCharsets.UTF_8));
    assertThat(new String(rebuilt, StandardCharsets.UTF_8)).isEqualTo(next);
  }

  @Test
  @DisplayName("A tags filter together with delta is error 107; both alone subscribe")
  void notWithTagsFilter() {
    WsTestClient c = connected("alice");
    JsonObject refused = c.call("subscribe", new JsonObject().put("channel", "scores:" + unique("x")).put("delta", "fossil")
        .put("tf", new JsonObject().put("key", "k").put("cmp", "ex")));
    assertThat(refused.getJsonObject("error").getInteger("code")).isEqualTo(107);
    assertThat(refused.getJsonObject("error").getString("message")).contains("cannot be used together");
  }

  /** Publishes through the server API; answers the data's JSON text as stored. */
  private String publish(String channel, JsonObject data, boolean delta) {
    JsonObject body = new JsonObject().put("channel", channel).put("data", data).put("delta", delta);
    HttpTestClient.Response r = http().sendRaw(HttpMethod.POST, "/api/publish",
        Map.of("X-API-Key", TestRelay.OPS_KEY, "Content-Type", "application/json"), Buffer.buffer(body.encode()));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).doesNotContain("\"error\"");
    return data.encode();
  }
}
