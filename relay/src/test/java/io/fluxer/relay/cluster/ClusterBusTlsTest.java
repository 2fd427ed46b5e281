package io.fluxer.relay.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.common.Addresses;
import io.fluxer.common.cluster.HazelcastSetup;
import io.fluxer.common.config.ClusterOptions;
import io.fluxer.common.config.ClusterTls;
import io.fluxer.relay.testing.ClusterCerts;
import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.RedisTestServer;
import io.fluxer.relay.testing.RelayCluster;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster's event bus with mutual TLS, in one JVM: node A runs a relay, member B holds a
 * certificate of the same CA and the same signing key; they form a cluster and B calls A's server
 * API over the bus. A stranger that holds the signing key (so Hazelcast admits it) but a certificate
 * of another CA, or no TLS at all, cannot deliver a message to them: its call fails and A never acts
 * on it. A stranger without the signing key does not even join.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterBusTlsTest {
  private static final Duration FORM = Duration.ofSeconds(60);
  private static final long STRANGER_TIMEOUT_MILLIS = 3_000;

  @TempDir
  static Path dir;
  private static Path hazelcastXml;
  private static List<String> members;
  private static List<Integer> ports;
  private static Vertx a;
  private static Vertx b;
  private static TestRelay relay;
  private static String channelPrefix;
  private final List<Vertx> strangers = new ArrayList<>();

  @BeforeAll
  static void startTwoMembers() throws IOException {
    hazelcastXml = dir.resolve("hz.xml");
    // A cluster name of its own (the signing key's suffix is added to it): no other test's nodes join.
    Files.writeString(hazelcastXml, """
        <hazelcast xmlns="http://www.hazelcast.com/schema/config">
          <cluster-name>bus-tls-test-%s</cluster-name>
          <properties><property name="hazelcast.wait.seconds.before.join">0</property></properties>
          <multimap name="__vertx.subs"><value-collection-type>SET</value-collection-type></multimap>
        </hazelcast>
        """.formatted(UUID.randomUUID()));
    ports = RelayCluster.freePorts(5);
    members = ports.stream().map(p -> "127.0.0.1:" + p).toList();
    ClusterCerts certs = ClusterCerts.shared();
    a = start(0, certs.member("node-a").tls(), ClusterCerts.SIGNING_KEY);
    b = start(1, certs.member("node-b").tls(), ClusterCerts.SIGNING_KEY);
    channelPrefix = "chat:tls-" + UUID.randomUUID().toString().substring(0, 8);
    relay = TestRelay.start(a, config -> config
        .put("engine", new JsonObject().put("type", "redis").put("redis_url", RedisTestServer.sharedUrl())
            .put("redis_prefix", "bus-tls-" + UUID.randomUUID().toString().substring(0, 8)))
        .put("cluster", new JsonObject().put("signing_key", ClusterCerts.SIGNING_KEY)));
    awaitNodes(b, 2);
  }

  @AfterAll
  static void stopMembers() {
    if (relay != null) {
      relay.close();
    }
    for (Vertx v : new Vertx[] {b, a}) {
      if (v != null) {
        TestRelay.await(v.close());
      }
    }
  }

  @AfterEach
  void stopStrangers() {
    strangers.forEach(v -> TestRelay.await(v.close()));
    strangers.clear();
  }

  @Test
  @DisplayName("two members with certificates of the cluster CA form a cluster and call the server API over the bus")
  void membersTalkOverTls() {
    String channel = channelPrefix + "-members";

    JsonObject published = call(b, "publish", new JsonObject().put("channel", channel)
        .put("data", new JsonObject().put("from", "b")));

    assertThat(published.getJsonObject("result").getLong("offset")).isEqualTo(1L);
    assertThat(history(channel)).singleElement()
        .satisfies(p -> assertThat(((JsonObject) p).getJsonObject("data").getString("from")).isEqualTo("b"));
  }

  @Test
  @DisplayName("a stranger with the signing key but a certificate of another CA joins Hazelcast, yet cannot deliver: nothing is published")
  void certificateOfAnotherCaCannotDeliver() {
    Vertx stranger = stranger(2, ClusterCerts.otherCa("stranger").tls(), ClusterCerts.SIGNING_KEY);
    String channel = channelPrefix + "-other-ca";

    assertThat(failure(stranger, "publish", new JsonObject().put("channel", channel)
        .put("data", new JsonObject().put("from", "stranger"))))
        .as("the stranger's call fails").isInstanceOf(ReplyException.class);
    assertThat(history(channel)).as("A never published the stranger's message").isEmpty();
    assertThat(call(b, "publish", new JsonObject().put("channel", channel).put("data", new JsonObject()))
        .getJsonObject("result").getLong("offset")).as("the members still talk").isEqualTo(1L);
  }

  @Test
  @DisplayName("a stranger with the signing key but without TLS cannot deliver: nothing is published")
  void plainTcpCannotDeliver() {
    Vertx stranger = stranger(3, new ClusterTls(false, null, null, null), ClusterCerts.SIGNING_KEY);
    String channel = channelPrefix + "-plain";

    assertThat(failure(stranger, "publish", new JsonObject().put("channel", channel)
        .put("data", new JsonObject().put("from", "stranger"))))
        .as("the stranger's call fails").isInstanceOf(ReplyException.class);
    assertThat(history(channel)).as("A never published the stranger's message").isEmpty();
  }

  @Test
  @DisplayName("a node with the cluster's certificates but another signing key gets another Hazelcast cluster name: it sees no handler")
  void anotherSigningKeyDoesNotJoin() {
    Vertx outsider = start(4, ClusterCerts.shared().member("outsider").tls(), "another-signing-key-".repeat(2));
    strangers.add(outsider);

    assertThat(failure(outsider, "info", new JsonObject()))
        .isInstanceOfSatisfying(ReplyException.class,
            e -> assertThat(e.failureType()).isEqualTo(ReplyFailure.NO_HANDLERS));
    assertThat(((VertxInternal) a).clusterManager().getNodes()).hasSize(2);
  }

  /** A stranger that holds the signing key, so Hazelcast admits it; waits until it sees every member. */
  private Vertx stranger(int index, ClusterTls tls, String key) {
    Vertx v = start(index, tls, key);
    strangers.add(v);
    awaitNodes(v, 3);
    return v;
  }

  private static Vertx start(int index, ClusterTls tls, String key) {
    int port = ports.get(index);
    ClusterOptions options = new ClusterOptions(true, hazelcastXml.toString(), members, null, port, 1, "127.0.0.1",
        null, null, "127.0.0.1", 0, null, Duration.ofSeconds(5), tls, key);
    return TestRelay.await(HazelcastSetup.start(new VertxOptions(), options));
  }

  private static void awaitNodes(Vertx v, int n) {
    HttpTestClient.eventually(() -> ((VertxInternal) v).clusterManager().getNodes().size(), size -> size == n, FORM);
  }

  /** Calls server API {@code method} on the bus from {@code from}; the failure when there is no answer in time. */
  private static JsonObject call(Vertx from, String method, JsonObject params) {
    return (JsonObject) TestRelay.await(from.eventBus().request(Addresses.API,
        new JsonObject().put("method", method).put("params", params),
        new DeliveryOptions().setSendTimeout(STRANGER_TIMEOUT_MILLIS))).body();
  }

  /** Why a call from {@code from} failed, or {@code null} when it was answered. */
  private static Throwable failure(Vertx from, String method, JsonObject params) {
    return TestRelay.await(from.eventBus().request(Addresses.API,
        new JsonObject().put("method", method).put("params", params),
        new DeliveryOptions().setSendTimeout(STRANGER_TIMEOUT_MILLIS)).transform(ar -> Future.succeededFuture(
            ar.failed() ? ar.cause() : null)));
  }

  private static JsonArray history(String channel) {
    JsonObject reply = call(b, "history", new JsonObject().put("channel", channel).put("limit", -1));
    return reply.getJsonObject("result").getJsonArray("publications", new JsonArray());
  }
}
