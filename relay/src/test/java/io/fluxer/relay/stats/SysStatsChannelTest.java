package io.fluxer.relay.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.config.ChannelOptions;
import io.fluxer.relay.config.RelayConfig;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The node publishes its stats to sys:stats, which holders of the viewer role may subscribe to. */
@ExtendWith(VertxExtension.class)
class SysStatsChannelTest {
  private static final Duration DEADLINE = Duration.ofSeconds(5);

  @Test
  @DisplayName("A viewer subscribes to sys:stats and receives this node's stats, without stream offsets, every interval")
  void viewerReceivesStats(Vertx vertx) {
    try (TestRelay relay = TestRelay.start(vertx, c -> { });
         WsTestClient viewer = connect(vertx, relay, "vera", "viewer")) {
      JsonObject result = viewer.subscribe(StatsPublisher.CHANNEL);
      assertThat(result.containsKey("recoverable")).isFalse();

      JsonObject pub = viewer.awaitPublications(StatsPublisher.CHANNEL, 1, DEADLINE).get(0);
      assertThat(pub.containsKey("offset")).isFalse();
      JsonObject node = pub.getJsonObject("data").getJsonObject("node");
      assertThat(node.getString("id")).isEqualTo(relay.node().id());
      assertThat(node.getString("name")).isEqualTo("test");
      assertThat(node.getInteger("connections")).isEqualTo(1);
      assertThat(node.getInteger("subscriptions")).isEqualTo(1);
      assertThat(node.getJsonObject("per_second")).isNotNull();
    }
  }

  @Test
  @DisplayName("Stats are published at server.stats_interval")
  void publishedAtInterval(Vertx vertx) {
    try (TestRelay relay = TestRelay.start(vertx, c -> c.getJsonObject("server").put("stats_interval", "100ms"));
         WsTestClient ops = connect(vertx, relay, "olga", "ops")) {
      ops.subscribe(StatsPublisher.CHANNEL);
      long start = System.nanoTime();
      ops.awaitPublications(StatsPublisher.CHANNEL, 5, DEADLINE);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }
  }

  @Test
  @DisplayName("Without a role sys:stats is 103; nobody may publish to it")
  void othersDenied(Vertx vertx) {
    try (TestRelay relay = TestRelay.start(vertx, c -> { });
         WsTestClient plain = connect(vertx, relay, "bob");
         WsTestClient admin = connect(vertx, relay, "ada", "admin")) {
      assertThat(plain.errorCode("subscribe", new JsonObject().put("channel", StatsPublisher.CHANNEL))).isEqualTo(103);
      assertThat(admin.errorCode("publish", new JsonObject().put("channel", StatsPublisher.CHANNEL)
          .put("data", new JsonObject().put("fake", true)))).isEqualTo(103);
      assertThat(admin.errorCode("history", new JsonObject().put("channel", StatsPublisher.CHANNEL))).isNotZero();
    }
  }

  @Test
  @DisplayName("The reserved sys namespace is added only when the config does not define one")
  void reservedNamespace() {
    JsonObject json = TestRelay.defaultConfig();
    ChannelOptions added = RelayConfig.fromJson(json).channel().withReserved();
    assertThat(added.namespaces()).containsKeys("chat", "sys");
    assertThat(added.namespaces().get("sys")).isEqualTo(ChannelOptions.sysNamespace());
    assertThat(ChannelOptions.sysNamespace().historySize()).isZero();
    assertThat(ChannelOptions.sysNamespace().allowSubscribeForClient()).isFalse();

    json.getJsonObject("channel").getJsonArray("namespaces")
        .add(new JsonObject().put("name", "sys").put("allow_subscribe_for_role", "ops"));
    ChannelOptions configured = RelayConfig.fromJson(json).channel().withReserved();
    assertThat(configured.namespaces().get("sys").allowSubscribeForRole().id()).isEqualTo("ops");
  }

  private static WsTestClient connect(Vertx vertx, TestRelay relay, String user, String... roles) {
    JsonObject claims = new JsonObject().put("sub", user).put("exp", Instant.now().getEpochSecond() + 3600);
    if (roles.length > 0) {
      claims.put("roles", new JsonArray(List.of((Object[]) roles)));
    }
    WsTestClient c = WsTestClient.open(vertx, relay.wsUrl());
    c.connectWith(relay.token(claims));
    return c;
  }
}
