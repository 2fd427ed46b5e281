package io.fluxer.relay.http;

import static io.fluxer.relay.testing.HttpTestClient.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.HttpTestClient.Response;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.http.HttpMethod;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** GET /api/v1/channels and /api/v1/channels/{channel}. */
class ChannelsApiTest extends ApiTestBase {

  @Test
  @DisplayName("Active channels are listed with subscriber counts summed over event loops, busiest first")
  void listChannels() {
    String busy = "chat:" + unique("busy");
    String quiet = "chat:" + unique("quiet");
    List<WsTestClient> clients = List.of(connected("a"), connected("b"), connected("c"));
    clients.forEach(c -> c.subscribe(busy));
    clients.get(0).subscribe(quiet);

    JsonObject body = eventually(() -> http().get("/api/v1/channels", VIEWER).json(),
        b -> b.getInteger("total") == 2, SHORT);
    JsonArray channels = body.getJsonArray("channels");
    assertThat(channels.getJsonObject(0)).isEqualTo(new JsonObject()
        .put("channel", busy).put("namespace", "chat").put("subscribers", 3).put("publications", 0L));
    assertThat(channels.getJsonObject(1)).isEqualTo(new JsonObject()
        .put("channel", quiet).put("namespace", "chat").put("subscribers", 1).put("publications", 0L));
  }

  @Test
  @DisplayName("publications counts each publication once, however many event loops hold subscribers, and restarts"
      + " when the channel's last subscriber leaves")
  void publicationCounts() {
    String channel = "chat:" + unique("counted");
    String other = "chat:" + unique("other");
    // three connections: the relay's two loops take them in turn, so both loops hold subscribers
    List<WsTestClient> clients = List.of(connected("a"), connected("b"), connected("c"));
    clients.forEach(c -> c.subscribe(channel));
    clients.get(0).subscribe(other);
    publish(channel, 2);
    clients.forEach(c -> c.awaitPublications(channel, 2, SHORT));
    long before = publications(channel);
    assertThat(before).isEqualTo(2);

    int n = 7;
    publish(channel, n);
    clients.forEach(c -> c.awaitPublications(channel, 2 + n, SHORT));
    assertThat(eventually(() -> publications(channel), count -> count >= before + n, SHORT))
        .as("counted once per publication, not once per loop or subscriber").isEqualTo(before + n);
    assertThat(publications(other)).as("another channel's count does not move").isZero();

    clients.forEach(c -> c.call("unsubscribe", new JsonObject().put("channel", channel)));
    eventually(() -> http().get("/api/v1/channels?pattern=" + enc(channel), VIEWER).json(),
        b -> b.getInteger("total") == 0, SHORT);
    WsTestClient late = connected("d");
    late.subscribe(channel);
    assertThat(publications(channel)).as("a new first subscriber starts the count anew").isZero();
  }

  /** Publishes {@code n} messages to {@code channel} through the server API. */
  private void publish(String channel, int n) {
    for (int i = 0; i < n; i++) {
      Response r = http().send(HttpMethod.POST, "/api/publish", OPS,
          new JsonObject().put("channel", channel).put("data", new JsonObject().put("n", i)).encode());
      assertThat(r.json().containsKey("result")).as(r.toString()).isTrue();
    }
  }

  /** The channel's {@code publications} in GET /api/v1/channels (it must be listed). */
  private long publications(String channel) {
    JsonArray list = http().get("/api/v1/channels?pattern=" + enc(channel), VIEWER).json().getJsonArray("channels");
    assertThat(list).as("listed: " + channel).hasSize(1);
    return list.getJsonObject(0).getLong("publications");
  }

  @Test
  @DisplayName("?pattern= filters with a glob and ?limit= caps the list; a bad limit is 400")
  void patternAndLimit() {
    WsTestClient c = connected("a");
    String prefix = unique("p");
    c.subscribe("chat:" + prefix + "-one");
    c.subscribe("chat:" + prefix + "-two");
    c.subscribe("chat:" + unique("elsewhere"));

    JsonObject all = http().get("/api/v1/channels?pattern=" + enc("chat:" + prefix + "-*"), VIEWER).json();
    assertThat(all.getInteger("total")).isEqualTo(2);
    assertThat(all.getJsonArray("channels").stream().map(o -> ((JsonObject) o).getString("channel")))
        .containsExactly("chat:" + prefix + "-one", "chat:" + prefix + "-two");

    JsonObject single = http().get("/api/v1/channels?pattern=" + enc("chat:" + prefix + "-t?o"), VIEWER).json();
    assertThat(single.getJsonArray("channels")).hasSize(1);

    JsonObject limited = http().get("/api/v1/channels?limit=1&pattern=" + enc("chat:" + prefix + "*"), VIEWER).json();
    assertThat(limited.getJsonArray("channels")).hasSize(1);
    assertThat(limited.getInteger("total")).isEqualTo(2);

    JsonObject literal = http().get("/api/v1/channels?pattern=" + enc("chat:" + prefix + "-one."), VIEWER).json();
    assertThat(literal.getInteger("total")).as("'.' is not a wildcard").isZero();

    Response bad = http().get("/api/v1/channels?limit=lots", VIEWER);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.errorMessage()).contains("limit");
    assertThat(http().get("/api/v1/channels?limit=-1", VIEWER).status()).isEqualTo(400);
  }

  @Test
  @DisplayName("?pattern= answers a pathological pattern at once; one over 256 characters is 400")
  void patternIsLinear() {
    // 120 characters: java.util.regex took 3.2 s for this pattern against 95, and ~20 s here
    String prefix = "chat:" + unique("a");
    String channel = prefix + "a".repeat(120 - prefix.length());
    connected("alice").subscribe(channel);

    long start = System.nanoTime();
    Response slow = http().get("/api/v1/channels?pattern=" + enc("*a*a*a*a*a*a*a*a*b"), VIEWER);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(slow.json().getInteger("total")).isZero();
    JsonObject matching = http().get("/api/v1/channels?pattern=" + enc("*a*a*a*a*a*a*a*a*a"), VIEWER).json();
    assertThat(matching.getJsonArray("channels").stream().map(o -> ((JsonObject) o).getString("channel")))
        .contains(channel);

    Response tooLong = http().get("/api/v1/channels?pattern=" + enc("*".repeat(257)), VIEWER);
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(tooLong.errorMessage()).contains("256");
  }

  @Test
  @DisplayName("A channel's details: subscribers, presence with its clients, history count, top offset and epoch")
  void channelDetails() {
    String channel = "chat:" + unique("room");
    WsTestClient alice = connected("alice");
    WsTestClient bob = connected("bob");
    alice.subscribe(channel);
    bob.subscribe(channel);
    for (int i = 0; i < 3; i++) {
      alice.publish(channel, new JsonObject().put("n", i));
    }

    JsonObject body = eventually(() -> channel(channel), b -> b.getInteger("subscribers") == 2, SHORT);
    assertThat(body.getString("channel")).isEqualTo(channel);
    assertThat(body.getString("namespace")).isEqualTo("chat");
    JsonObject presence = body.getJsonObject("presence");
    assertThat(presence.getInteger("num_clients")).isEqualTo(2);
    assertThat(presence.getInteger("num_users")).isEqualTo(2);
    assertThat(presence.getJsonArray("clients").stream().map(o -> ((JsonObject) o).getString("user")))
        .containsExactly("alice", "bob");
    assertThat(presence.getJsonArray("clients").getJsonObject(0).getString("client")).isNotEmpty();
    JsonObject history = body.getJsonObject("history");
    assertThat(history.getInteger("size")).isEqualTo(100);
    assertThat(history.getLong("ttl_seconds")).isEqualTo(300);
    assertThat(history.getInteger("count")).isEqualTo(3);
    assertThat(history.getLong("offset")).isEqualTo(3);
    assertThat(history.getString("epoch")).isNotEmpty();
  }

  @Test
  @DisplayName("A user-limited channel name is read URL-decoded; no presence or history where the namespace has none")
  void encodedNameWithoutPresenceOrHistory() {
    relay();
    assertThat(http().put("/api/v1/namespaces/plain", ADMIN,
        "{\"allow_subscribe_for_client\":true,\"allow_user_limited_channels\":true}").status())
        .isEqualTo(201);
    String channel = "plain:" + unique("dm") + "#alice,bob";
    connected("alice").subscribe(channel);

    JsonObject body = eventually(() -> channel(channel), b -> b.getInteger("subscribers") == 1, SHORT);
    assertThat(body.getString("channel")).isEqualTo(channel);
    assertThat(body.getString("namespace")).isEqualTo("plain");
    assertThat(body.containsKey("presence")).isFalse();
    assertThat(body.containsKey("history")).isFalse();
  }

  @Test
  @DisplayName("A channel nobody is subscribed to has 0 subscribers")
  void idleChannel() {
    JsonObject body = channel("chat:" + unique("idle"));
    assertThat(body.getInteger("subscribers")).isZero();
    assertThat(body.getJsonObject("history").getInteger("count")).isZero();
    assertThat(body.getJsonObject("presence").getJsonArray("clients")).isEmpty();
  }

  @Test
  @DisplayName("A channel of an unknown namespace is a JSON 404; a name the namespace rejects is 400")
  void unknownNamespace() {
    Response r = http().get("/api/v1/channels/" + enc("nowhere:room"), VIEWER);
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.json().getJsonObject("error").getInteger("code")).isEqualTo(404);
    assertThat(r.errorMessage()).contains("nowhere");

    assertThat(http().get("/api/v1/channels/" + enc("chat:"), VIEWER).status()).isEqualTo(400);
  }

  private JsonObject channel(String channel) {
    Response r = http().get("/api/v1/channels/" + enc(channel), VIEWER);
    assertThat(r.status()).as("%s", r).isEqualTo(200);
    return r.json();
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }
}
