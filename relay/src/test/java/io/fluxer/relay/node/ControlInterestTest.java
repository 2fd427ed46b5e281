package io.fluxer.relay.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.common.Addresses;
import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The node tells control-api which {@code logs:*} channels have subscribers, as they come and go. */
class ControlInterestTest extends RelayTestBase {
  private final List<JsonObject> notices = new CopyOnWriteArrayList<>();
  private MessageConsumer<JsonObject> consumer;
  private MessageConsumer<JsonObject> access;

  @BeforeEach
  void listen() {
    consumer = vertx.eventBus().consumer(Addresses.CONTROL_INTEREST, m -> notices.add(m.body()));
    TestRelay.await(consumer.completion());
    // a stand-in for control-api's log access rule: every service but db may be read
    access = vertx.eventBus().consumer(Addresses.CONTROL_LOGS_ACCESS,
        m -> m.reply(new JsonObject().put("allowed", !"db".equals(m.body().getString("service")))));
    TestRelay.await(access.completion());
    startRelay(config -> addNamespace(config, new JsonObject().put("name", "logs")
        .put("allow_subscribe_for_client", true)));
  }

  @AfterEach
  void unregister() {
    consumer.unregister();
    if (access != null) {
      access.unregister();
    }
  }

  private JsonObject latest() {
    return notices.isEmpty() ? new JsonObject() : notices.get(notices.size() - 1);
  }

  @Test
  @DisplayName("The first subscriber of logs:web is announced within about a second, the last one leaving too")
  void followsSubscribers() {
    WsTestClient a = connected("alice");
    WsTestClient b = connected("bob");
    a.subscribe("logs:web");
    b.subscribe("logs:web");
    a.subscribe(chat("not-logs"));

    JsonObject on = HttpTestClient.eventually(this::latest,
        n -> n.getJsonArray("channels", new JsonArray()).contains("logs:web"), Duration.ofSeconds(3));
    assertThat(on.getString("node")).isEqualTo(relay().node().id());
    assertThat(on.getJsonArray("channels")).containsExactly("logs:web");

    a.close();
    b.call("unsubscribe", new JsonObject().put("channel", "logs:web"));
    HttpTestClient.eventually(this::latest, n -> n.getJsonArray("channels").isEmpty(), Duration.ofSeconds(3));
  }

  @Test
  @DisplayName("A stopping node announces that it follows nothing any more")
  void stopAnnouncesNothing() {
    connected("alice").subscribe("logs:api");
    HttpTestClient.eventually(this::latest, n -> n.getJsonArray("channels", new JsonArray())
        .contains("logs:api"), Duration.ofSeconds(3));

    relay().close();
    forgetRelay();

    assertThat(latest().getJsonArray("channels")).isEmpty();
  }

  @Test
  @DisplayName("A logs: channel the control plane refuses is answered 103 and never announced; none answering is 100, temporary")
  void asksTheControlPlane() {
    WsTestClient a = connected("alice");
    assertThat(a.errorCode("subscribe", new JsonObject().put("channel", "logs:db"))).isEqualTo(103);
    a.subscribe("logs:web");
    HttpTestClient.eventually(this::latest, n -> n.getJsonArray("channels", new JsonArray()).contains("logs:web"),
        Duration.ofSeconds(3));
    assertThat(latest().getJsonArray("channels")).containsExactly("logs:web");

    TestRelay.await(access.unregister());
    access = null;
    JsonObject reply = a.call("subscribe", new JsonObject().put("channel", "logs:api"));
    assertThat(reply.getJsonObject("error").getInteger("code")).isEqualTo(100);
    assertThat(reply.getJsonObject("error").getBoolean("temporary")).isTrue();
  }
}
