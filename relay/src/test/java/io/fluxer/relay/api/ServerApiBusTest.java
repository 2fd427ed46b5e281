package io.fluxer.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.common.Addresses;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The server API on the event bus ({@code fluxer.relay.api}), as control-api will call it. */
class ServerApiBusTest extends RelayTestBase {

  private JsonObject request(Object body) {
    relay();
    Message<Object> reply = TestRelay.await(vertx.eventBus().request(Addresses.API, body));
    return (JsonObject) reply.body();
  }

  @Test
  @DisplayName("a publish over the bus reaches a WebSocket subscriber and answers its position")
  void publishOverTheBus() {
    String channel = chat("bus");
    WsTestClient sub = connected("alice");
    sub.subscribe(channel);

    JsonObject reply = request(new JsonObject().put("method", "publish")
        .put("params", new JsonObject().put("channel", channel).put("data", new JsonObject().put("n", 1))));

    assertThat(reply.getJsonObject("result").getLong("offset")).isEqualTo(1L);
    List<JsonObject> pubs = sub.awaitPublications(channel, 1, SHORT);
    assertThat(pubs.get(0).getJsonObject("data").getInteger("n")).isEqualTo(1);
  }

  @Test
  @DisplayName("a malformed request answers error 107, an unknown method 104, and nothing is published")
  void badRequests() {
    assertThat(request("not json").getJsonObject("error").getInteger("code")).isEqualTo(107);
    assertThat(request(new JsonObject().put("method", "publish").put("params", "x"))
        .getJsonObject("error").getInteger("code")).isEqualTo(107);
    assertThat(request(new JsonObject().put("method", "nope")).getJsonObject("error").getInteger("code"))
        .isEqualTo(104);
    JsonObject history = request(new JsonObject().put("method", "history")
        .put("params", new JsonObject().put("channel", chat("untouched")).put("limit", -1)));
    assertThat(history.getJsonObject("result").getJsonArray("publications", new JsonArray())).isEmpty();
  }
}
