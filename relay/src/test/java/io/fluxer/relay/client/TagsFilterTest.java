package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Tags filters ({@code tf} on subscribe): namespace {@code market} allows them and keeps history
 * with forced recovery; {@code chat} does not allow them.
 */
class TagsFilterTest extends RelayTestBase {
  private static final JsonObject AAPL = new JsonObject().put("key", "ticker").put("cmp", "eq").put("val", "AAPL");

  @BeforeEach
  void start() {
    startRelay(config -> addNamespace(config, new JsonObject().put("name", "market").put("history_size", 100)
        .put("history_ttl", "5m").put("force_recovery", true).put("allow_subscribe_for_client", true)
        .put("allow_tags_filter", true)));
  }

  @Test
  @DisplayName("A subscriber with a filter gets only the publications whose tags match, one without gets all")
  void onlyMatchingPublications() {
    String channel = "market:" + unique("stocks");
    WsTestClient filtered = connected("alice");
    WsTestClient all = connected("bob");
    filtered.result("subscribe", new JsonObject().put("channel", channel).put("tf", AAPL));
    all.subscribe(channel);

    publish(channel, 1, Map.of("ticker", "AAPL"));
    publish(channel, 2, Map.of("ticker", "MSFT"));
    publish(channel, 3, Map.of());
    publish(channel, 4, Map.of("ticker", "AAPL", "source", "NASDAQ"));

    List<JsonObject> every = all.awaitPublications(channel, 4, SHORT);
    assertThat(every).extracting(p -> p.getJsonObject("data").getInteger("n")).containsExactly(1, 2, 3, 4);
    List<JsonObject> matching = filtered.awaitPublications(channel, 2, SHORT);
    assertThat(matching).extracting(p -> p.getJsonObject("data").getInteger("n")).containsExactly(1, 4);
    assertThat(matching).extracting(p -> p.getLong("offset")).as("offsets of the matching ones, with holes")
        .containsExactly(1L, 4L);
    assertThat(matching.get(1).getJsonObject("tags").getString("source")).isEqualTo("NASDAQ");

    // the publications the filter dropped were no gap: the subscriber is still there and still served
    publish(channel, 5, Map.of("ticker", "AAPL"));
    assertThat(filtered.awaitPublications(channel, 3, SHORT).get(2).getJsonObject("data").getInteger("n")).isEqualTo(5);
    assertThat(filtered.isClosed()).isFalse();
    assertThat(filtered.publications(channel)).hasSize(3);
  }

  @Test
  @DisplayName("Logical filters: and/or/not over numeric and string comparisons")
  void logicalFilter() {
    String channel = "market:" + unique("logic");
    JsonObject tf = new JsonObject().put("op", "and").put("nodes", new JsonArray()
        .add(new JsonObject().put("key", "price").put("cmp", "gte").put("val", "100"))
        .add(new JsonObject().put("op", "not").put("nodes", new JsonArray()
            .add(new JsonObject().put("key", "source").put("cmp", "in").put("vals", new JsonArray().add("OTC"))))));
    WsTestClient c = connected("alice");
    c.result("subscribe", new JsonObject().put("channel", channel).put("tf", tf));

    publish(channel, 1, Map.of("price", "99.5", "source", "NYSE"));
    publish(channel, 2, Map.of("price", "150.25", "source", "OTC"));
    publish(channel, 3, Map.of("price", "150.25", "source", "NASDAQ"));
    publish(channel, 4, Map.of("price", "not a number"));
    publish(channel, 5, Map.of("price", "100"));

    List<JsonObject> got = c.awaitPublications(channel, 2, SHORT);
    assertThat(got).extracting(p -> p.getJsonObject("data").getInteger("n")).containsExactly(3, 5);
  }

  @Test
  @DisplayName("An invalid filter, or one in a namespace that does not allow filters, is error 107 and no subscription")
  void refusedFilters() {
    WsTestClient c = connected("alice");
    String market = "market:" + unique("bad");
    JsonObject noCmp = c.call("subscribe", new JsonObject().put("channel", market)
        .put("tf", new JsonObject().put("key", "ticker").put("val", "AAPL")));
    assertThat(noCmp.getJsonObject("error").getInteger("code")).as("reply %s", noCmp).isEqualTo(107);
    JsonObject notObject = c.call("subscribe", new JsonObject().put("channel", market).put("tf", "ticker=AAPL"));
    assertThat(notObject.getJsonObject("error").getInteger("code")).isEqualTo(107);
    assertThat(notObject.getJsonObject("error").getString("message")).contains("tf must be an object");

    String chat = chat("nofilter");
    JsonObject notAllowed = c.call("subscribe", new JsonObject().put("channel", chat).put("tf", AAPL));
    assertThat(notAllowed.getJsonObject("error").getInteger("code")).isEqualTo(107);
    assertThat(notAllowed.getJsonObject("error").getString("message")).contains("allow_tags_filter");

    // nothing was subscribed: the same channels subscribe normally afterwards
    assertThat(c.result("subscribe", new JsonObject().put("channel", market))).isNotNull();
    assertThat(c.result("subscribe", new JsonObject().put("channel", chat))).isNotNull();
  }

  @Test
  @DisplayName("Recovery with a filter returns only the missed publications that match, and recovered:true")
  void recoveryIsFiltered() {
    String channel = "market:" + unique("recover");
    WsTestClient first = connected("alice");
    JsonObject sub = first.result("subscribe", new JsonObject().put("channel", channel).put("tf", AAPL));
    publish(channel, 1, Map.of("ticker", "AAPL"));
    JsonObject seen = first.awaitPublications(channel, 1, SHORT).get(0);
    first.close();

    publish(channel, 2, Map.of("ticker", "MSFT"));
    publish(channel, 3, Map.of("ticker", "AAPL"));
    publish(channel, 4, Map.of("ticker", "IBM"));

    WsTestClient again = connected("alice");
    JsonObject reply = again.result("subscribe", new JsonObject().put("channel", channel).put("tf", AAPL)
        .put("recover", true).put("offset", seen.getLong("offset")).put("epoch", sub.getString("epoch")));
    assertThat(reply.getBoolean("recovered")).isTrue();
    assertThat(reply.getLong("offset")).as("the stream's position, past the filtered ones").isEqualTo(4L);
    assertThat(reply.getJsonArray("publications").stream().map(JsonObject.class::cast)
        .map(p -> p.getJsonObject("data").getInteger("n")).toList()).containsExactly(3);

    publish(channel, 5, Map.of("ticker", "AAPL"));
    assertThat(again.awaitPublications(channel, 1, SHORT).get(0).getLong("offset")).isEqualTo(5L);
  }

  @Test
  @DisplayName("delta: fossil subscribes with the data whole (not negotiated yet); an unknown delta type closes with 3501")
  void deltaTypes() {
    WsTestClient c = connected("alice");
    JsonObject reply = c.result("subscribe", new JsonObject().put("channel", chat("delta")).put("delta", "fossil"));
    assertThat(reply.getBoolean("delta", false)).isFalse();

    WsTestClient other = connected("bob");
    other.send("subscribe", new JsonObject().put("channel", chat("delta")).put("delta", "bsdiff"));
    assertThat(other.awaitClose(SHORT).code()).isEqualTo((short) 3501);
    assertThat(c.isClosed()).isFalse();
  }

  private void publish(String channel, int n, Map<String, String> tags) {
    JsonObject body = new JsonObject().put("channel", channel).put("data", new JsonObject().put("n", n));
    if (!tags.isEmpty()) {
      body.put("tags", new JsonObject(Map.copyOf(tags)));
    }
    HttpTestClient.Response r = http().sendRaw(HttpMethod.POST, "/api/publish",
        Map.of("X-API-Key", TestRelay.OPS_KEY, "Content-Type", "application/json"), Buffer.buffer(body.encode()));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.body()).doesNotContain("\"error\"");
  }
}
