package io.fluxer.relay.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxer.common.cluster.HazelcastSetup;
import io.fluxer.common.config.ClusterOptions;
import io.fluxer.relay.Main;
import io.fluxer.relay.config.RelayConfig;
import io.fluxer.relay.testing.ClusterCerts;
import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One node on a clustered Vert.x (a one-member Hazelcast cluster of its own): what cluster mode
 * refuses, and the node's own view of the cluster. The cluster across JVMs is tested elsewhere.
 */
class ClusteredNodeTest {
  @TempDir
  static Path dir;
  private static Vertx vertx;

  @BeforeAll
  static void startClusteredVertx() throws IOException {
    Path xml = dir.resolve("hz.xml");
    // A cluster of its own: no other test or dev cluster on this machine can join it.
    Files.writeString(xml, """
        <hazelcast xmlns="http://www.hazelcast.com/schema/config">
          <cluster-name>clustered-node-test-%s</cluster-name>
          <properties><property name="hazelcast.wait.seconds.before.join">0</property></properties>
          <multimap name="__vertx.subs"><value-collection-type>SET</value-collection-type></multimap>
        </hazelcast>
        """.formatted(UUID.randomUUID()));
    int port = freePort();
    ClusterOptions options = ClusterCerts.shared().secure(new ClusterOptions(true, xml.toString(),
        List.of("127.0.0.1:" + port), null, port, 1, "127.0.0.1", null, null, "127.0.0.1", 0, null,
        Duration.ofSeconds(5), null, null));
    vertx = TestRelay.await(HazelcastSetup.start(new VertxOptions(), options));
  }

  @AfterAll
  static void close() {
    if (vertx != null) {
      TestRelay.await(vertx.close());
    }
  }

  private static RelayConfig config(String engineType) throws IOException {
    JsonObject json = TestRelay.defaultConfig();
    // Redis is reached lazily: nothing needs to listen there for these checks.
    json.put("engine", new JsonObject().put("type", engineType).put("redis_url", "redis://127.0.0.1:" + freePort()));
    // a node on a clustered Vert.x seals control requests with the cluster's key
    json.put("cluster", new JsonObject().put("signing_key", ClusterCerts.SIGNING_KEY));
    return RelayConfig.fromJson(json);
  }

  @Test
  void memoryEnginesRefuseToStartClustered() throws IOException {
    assertThatThrownBy(() -> TestRelay.await(Main.startNode(vertx, config("memory"))))
        .hasMessageContaining("engine.type").hasMessageContaining("Redis");
  }

  @Test
  void namespaceChangesWithoutPostgresAreRefusedAndTheNodeListsItself() throws IOException {
    try (TestRelay relay = TestRelay.start(vertx, config("redis"));
         HttpTestClient http = new HttpTestClient(vertx, relay.httpUrl())) {
      HttpTestClient.Response put = http.put("/api/v1/namespaces/news", HttpTestClient.apiKey(TestRelay.ADMIN_KEY),
          "{\"history_size\":10,\"history_ttl\":\"1m\"}");
      assertThat(put.status()).isEqualTo(409);
      assertThat(put.errorMessage()).contains("postgres.url");
      assertThat(http.delete("/api/v1/namespaces/chat", HttpTestClient.apiKey(TestRelay.ADMIN_KEY)).status())
          .isEqualTo(409);
      assertThat(http.get("/api/v1/namespaces/chat", HttpTestClient.apiKey(TestRelay.ADMIN_KEY)).status())
          .as("chat is still there").isEqualTo(200);

      JsonObject nodes = http.get("/api/v1/nodes", HttpTestClient.apiKey(TestRelay.VIEWER_KEY)).json();
      assertThat(nodes.getJsonArray("nodes")).hasSize(1);
      assertThat(nodes.getJsonArray("nodes").getJsonObject(0).getString("id")).isEqualTo(relay.node().id());
      assertThat(relay.vertx().isClustered()).isTrue();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
