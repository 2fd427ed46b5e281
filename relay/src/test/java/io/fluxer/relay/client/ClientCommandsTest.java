package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.protocol.Disconnect;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Instant;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Each client command's main success and error paths, through a session on a fake transport (no
 * socket). Namespace {@code chat} allows everything; {@code closed} allows nothing and keeps neither
 * history nor presence.
 */
@ExtendWith(VertxExtension.class)
class ClientCommandsTest {
  private static JsonObject channel(String name) {
    return new JsonObject().put("channel", name);
  }

  private static SessionRig rig(Vertx vertx) {
    return new SessionRig(vertx, config -> config.getJsonObject("channel").getJsonArray("namespaces")
        .add(new JsonObject().put("name", "closed")));
  }

  private static long expiresIn(long seconds) {
    return Instant.now().getEpochSecond() + seconds;
  }

  @Test
  @DisplayName("subscribe: refused with 107 (no channel, type 1), 102, 103, 105 and 106; an unknown delta closes 3501")
  void subscribeErrors(Vertx vertx) {
    SessionRig rig = new SessionRig(vertx, config -> {
      config.getJsonObject("client").put("channel_limit", 1);
      config.getJsonObject("channel").getJsonArray("namespaces").add(new JsonObject().put("name", "closed"));
    });
    SessionRig.Client c = rig.connected("alice");
    JsonObject noChannel = c.error("subscribe", channel(""));
    assertThat(noChannel.getInteger("code")).isEqualTo(107);
    assertThat(noChannel.getString("message")).isEqualTo("channel required");
    assertThat(c.error("subscribe", channel("nowhere:x")).getInteger("code")).isEqualTo(102);
    assertThat(c.error("subscribe", channel("closed:x")).getInteger("code")).isEqualTo(103);
    assertThat(c.error("subscribe", channel("chat:x").put("type", 1)).getInteger("code")).isEqualTo(107);
    c.subscribe("chat:x");
    c.transport.next(); // the join push
    assertThat(c.error("subscribe", channel("chat:x")).getInteger("code")).isEqualTo(105);
    assertThat(c.error("subscribe", channel("chat:y")).getInteger("code")).isEqualTo(106);
    c.send("subscribe", channel("chat:z").put("delta", "zstd"));
    assertThat(c.transport.closedWith()).isEqualTo(Disconnect.BAD_REQUEST);
  }

  @Test
  @DisplayName("subscribe with a subscription token: admitted where clients may not subscribe; sub_refresh extends it")
  void subscriptionTokenAndSubRefresh(Vertx vertx) {
    SessionRig rig = rig(vertx);
    SessionRig.Client c = rig.connected("alice");
    assertThat(c.error("sub_refresh", channel("closed:room").put("token", "x")).getString("message"))
        .isEqualTo("not subscribed");
    JsonObject sub = c.call("subscribe", channel("closed:room").put("token", rig.token(new JsonObject()
        .put("sub", "alice").put("channel", "closed:room").put("exp", expiresIn(60))))).getJsonObject("subscribe");
    assertThat(sub.getBoolean("expires")).isTrue();
    JsonObject refreshed = c.call("sub_refresh", channel("closed:room").put("token", rig.token(new JsonObject()
        .put("sub", "alice").put("channel", "closed:room").put("exp", expiresIn(600))))).getJsonObject("sub_refresh");
    assertThat(refreshed.getBoolean("expires")).isTrue();
    assertThat(refreshed.getLong("ttl")).isGreaterThan(60L);

    c.send("sub_refresh", channel("closed:room").put("token", rig.token(new JsonObject()
        .put("sub", "bob").put("channel", "closed:room").put("exp", expiresIn(600)))));
    assertThat(c.transport.closedWith().code()).as("a token for another user").isEqualTo(3500);
  }

  @Test
  @DisplayName("unsubscribe: replied to whether subscribed or not; no publication follows it")
  void unsubscribe(Vertx vertx) {
    SessionRig rig = rig(vertx);
    SessionRig.Client c = rig.connected("alice");
    c.subscribe("chat:room");
    c.transport.next(); // the join push
    assertThat(c.call("unsubscribe", channel("chat:room")).getJsonObject("unsubscribe")).isEqualTo(new JsonObject());
    assertThat(c.session.channels()).isEmpty();
    assertThat(c.call("unsubscribe", channel("chat:other")).containsKey("unsubscribe")).isTrue();
    c.call("publish", channel("chat:room").put("data", "\"after\""));
    assertThat(c.call("presence_stats", channel("chat:room")).containsKey("presence_stats"))
        .as("the next message is a reply, not the publication").isTrue();
  }

  @Test
  @DisplayName("publish: 102 for an unknown channel, 103 where clients may not publish, 107 without a channel")
  void publishErrors(Vertx vertx) {
    SessionRig.Client c = rig(vertx).connected("alice");
    assertThat(c.error("publish", channel("nowhere:x").put("data", "1")).getInteger("code")).isEqualTo(102);
    assertThat(c.error("publish", channel("closed:x").put("data", "1")).getInteger("code")).isEqualTo(103);
    assertThat(c.error("publish", channel("").put("data", "1")).getInteger("code")).isEqualTo(107);
  }

  @Test
  @DisplayName("history: the publications, newest last; 108 without history; 103 where clients may not read it")
  void history(Vertx vertx) {
    SessionRig rig = new SessionRig(vertx, config -> config.getJsonObject("channel").getJsonArray("namespaces")
        .add(new JsonObject().put("name", "closed"))
        .add(new JsonObject().put("name", "kept").put("history_size", 10).put("history_ttl", "1m")));
    SessionRig.Client c = rig.connected("alice");
    c.call("publish", channel("chat:h").put("data", "1"));
    c.call("publish", channel("chat:h").put("data", "2"));
    JsonObject history = c.call("history", channel("chat:h").put("limit", -1)).getJsonObject("history");
    JsonArray pubs = history.getJsonArray("publications");
    assertThat(pubs).hasSize(2);
    assertThat(pubs.getJsonObject(1).getString("data")).isEqualTo("2");
    assertThat(history.getLong("offset")).isEqualTo(2L);
    assertThat(c.error("history", channel("closed:h")).getInteger("code")).isEqualTo(108);
    assertThat(c.error("history", channel("kept:h")).getInteger("code")).isEqualTo(103);
  }

  @Test
  @DisplayName("publish: each publication is kept by its own namespace's history rules, with the publisher's info, "
      + "however a client's publishes alternate between namespaces")
  void publishesAlternatingBetweenNamespaces(Vertx vertx) {
    SessionRig rig = new SessionRig(vertx, config -> config.getJsonObject("channel").getJsonArray("namespaces")
        .add(new JsonObject().put("name", "short").put("history_size", 1).put("history_ttl", "1m")
            .put("allow_publish_for_client", true).put("allow_history_for_client", true)));
    SessionRig.Client c = rig.connected("alice");
    for (int i = 1; i <= 3; i++) {
      c.call("publish", channel("chat:long").put("data", Integer.toString(i)));
      c.call("publish", channel("short:s").put("data", Integer.toString(10 * i)));
    }
    JsonArray chat = c.call("history", channel("chat:long").put("limit", -1)).getJsonObject("history")
        .getJsonArray("publications");
    assertThat(chat).extracting(p -> ((JsonObject) p).getString("data")).containsExactly("1", "2", "3");
    assertThat(chat.getJsonObject(2).getJsonObject("info").getString("user")).isEqualTo("alice");
    JsonArray kept = c.call("history", channel("short:s").put("limit", -1)).getJsonObject("history")
        .getJsonArray("publications");
    assertThat(kept).extracting(p -> ((JsonObject) p).getString("data")).containsExactly("30");
  }

  @Test
  @DisplayName("presence and presence_stats: who is subscribed; 108 where the namespace keeps no presence")
  void presence(Vertx vertx) {
    SessionRig rig = rig(vertx);
    SessionRig.Client c = rig.connected("alice");
    c.subscribe("chat:p");
    c.transport.next(); // the join push
    JsonObject presence = c.call("presence", channel("chat:p")).getJsonObject("presence").getJsonObject("presence");
    assertThat(presence.fieldNames()).containsExactly(c.session.clientId());
    assertThat(presence.getJsonObject(c.session.clientId()).getString("user")).isEqualTo("alice");
    JsonObject stats = c.call("presence_stats", channel("chat:p")).getJsonObject("presence_stats");
    assertThat(stats.getInteger("num_clients")).isEqualTo(1);
    assertThat(stats.getInteger("num_users")).isEqualTo(1);
    assertThat(c.error("presence", channel("closed:p")).getInteger("code")).isEqualTo(108);
    assertThat(c.error("presence_stats", channel("closed:p")).getInteger("code")).isEqualTo(108);
  }

  @Test
  @DisplayName("refresh: a new token for the same user extends the connection; 107 without a token; another user closes 3500")
  void refresh(Vertx vertx) {
    SessionRig rig = rig(vertx);
    SessionRig.Client c = rig.connected("alice");
    assertThat(c.error("refresh", new JsonObject()).getString("message")).isEqualTo("token required");
    JsonObject refreshed = c.call("refresh", new JsonObject().put("token", rig.token(new JsonObject()
        .put("sub", "alice").put("exp", expiresIn(7200))))).getJsonObject("refresh");
    assertThat(refreshed.getString("client")).isEqualTo(c.session.clientId());
    assertThat(refreshed.getBoolean("expires")).isTrue();
    assertThat(refreshed.getLong("ttl")).isGreaterThan(3600L);
    c.send("refresh", new JsonObject().put("token", rig.token("bob")));
    assertThat(c.transport.closedWith()).isEqualTo(new Disconnect(3500, "token is for another user"));
  }

  @Test
  @DisplayName("rpc is answered with 104; send gets no reply")
  void rpcAndSend(Vertx vertx) {
    SessionRig.Client c = rig(vertx).connected("alice");
    assertThat(c.error("rpc", new JsonObject().put("method", "sum").put("data", "[1,2]")).getInteger("code"))
        .isEqualTo(104);
    c.sendRaw(new JsonObject().put("send", new JsonObject().put("data", "\"fire and forget\"")).encode());
    assertThat(c.call("presence_stats", channel("chat:a")).containsKey("presence_stats")).isTrue();
  }
}
