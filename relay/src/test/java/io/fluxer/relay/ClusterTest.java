package io.fluxer.relay;

import static org.assertj.core.api.Assertions.assertThat;

import centrifugal.centrifuge.protocol.Client;
import com.google.protobuf.ByteString;
import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.PbStreamTestClient;
import io.fluxer.relay.testing.PgTestServer;
import io.fluxer.relay.testing.RedisTestServer;
import io.fluxer.relay.testing.RelayCluster;
import io.fluxer.relay.testing.RelayProcess;
import io.fluxer.relay.testing.StreamTestClient;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Three relay nodes as separate JVMs on 127.0.0.1 (one cluster for the whole class, nothing here
 * stops a node): publications, presence, the server API's connection commands and the node views
 * span every node.
 */
class ClusterTest {
  private static final Duration SHORT = Duration.ofSeconds(5);
  private static final int PER_PUBLISHER = 150;

  private static Vertx vertx;
  private static RelayCluster cluster;

  @RegisterExtension
  static final TestWatcher TAILS = RelayCluster.printTailsOnFailure(() -> cluster);

  private final List<WsTestClient> clients = new ArrayList<>();

  @BeforeAll
  static void startCluster() {
    vertx = Vertx.vertx();
    // Namespace options in PostgreSQL (a database of this class's own), as a cluster needs for changes.
    cluster = RelayCluster.start(vertx, "ClusterTest", 3, RedisTestServer.sharedUrl(),
        Map.of("FLUXER_POSTGRES_URL", PgTestServer.freshDatabase(vertx)));
    for (RelayProcess p : cluster.nodes()) {
      System.out.printf("cluster node %s: pid %d, port %d, listening after %d ms%n", p.name(), p.pid(), p.port(),
          p.startTime().toMillis());
    }
  }

  @AfterAll
  static void stopCluster() {
    try {
      if (cluster != null) {
        cluster.close();
      }
    } finally {
      TestRelay.await(vertx.close());
    }
  }

  @AfterEach
  void closeClients() {
    clients.forEach(WsTestClient::close);
    clients.clear();
  }

  @Test
  @DisplayName("A client on node A receives what is published through the HTTP API of node C and by a client on node B")
  void publicationsCrossNodes() {
    String channel = channel("chat", "cross");
    WsTestClient a = connected("A", "alice");
    WsTestClient b = connected("B", "bob");
    a.subscribe(channel);
    b.subscribe(channel);

    cluster.apiResult("C", "publish", new JsonObject().put("channel", channel).put("data", new JsonObject().put("n", 1)));
    a.awaitPublications(channel, 1, SHORT);
    b.publish(channel, new JsonObject().put("n", 2));

    List<JsonObject> atA = a.awaitPublications(channel, 2, SHORT);
    assertThat(atA).extracting(p -> p.getJsonObject("data").getInteger("n")).containsExactly(1, 2);
    assertThat(atA).extracting(p -> p.getLong("offset")).containsExactly(1L, 2L);
    assertThat(atA.get(1).getJsonObject("info").getString("user")).isEqualTo("bob");
    assertThat(b.awaitPublications(channel, 2, SHORT))
        .extracting(p -> p.getJsonObject("data").getInteger("n")).containsExactly(1, 2);
    assertThat(a.isClosed()).as("client on A still connected").isFalse();
  }

  @Test
  @DisplayName("Publishers on two nodes at once: subscribers on every node stay connected and get every publication once, in offset order")
  void concurrentPublishersOnTwoNodes() {
    String channel = channel("feed", "two-publishers");
    List<WsTestClient> subscribers = List.of(connected("A", "s1"), connected("B", "s2"), connected("C", "s3"));
    subscribers.forEach(s -> s.subscribe(channel));

    // Each publication is stored (offset assigned) in Redis by the node that takes it and goes out on
    // the channel's Redis pub/sub channel by the same script: every node gets them in offset order.
    List<CompletableFuture<Void>> publishers = List.of("A", "C").stream()
        .map(node -> CompletableFuture.runAsync(() -> {
          for (int i = 0; i < PER_PUBLISHER; i++) {
            cluster.apiResult(node, "publish", new JsonObject().put("channel", channel)
                .put("data", new JsonObject().put("node", node).put("i", i)));
          }
        }))
        .toList();
    publishers.forEach(CompletableFuture::join);

    int total = 2 * PER_PUBLISHER;
    for (WsTestClient s : subscribers) {
      List<JsonObject> pubs = s.awaitPublications(channel, total, SHORT);
      assertThat(s.isClosed()).as("subscriber closed: " + s.closeInfo()).isFalse();
      assertThat(pubs).extracting(p -> p.getLong("offset"))
          .containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
    }
  }

  @Test
  @DisplayName("Each node receives the publications of the channels it has subscribers of, and no others")
  void nodesReceiveOnlyTheirChannels() {
    int perNode = 4;
    int each = 5;
    Map<String, List<String>> channelsOf = new LinkedHashMap<>();
    Map<String, WsTestClient> subscriberOf = new HashMap<>();
    for (String node : List.of("A", "B", "C")) {
      WsTestClient c = connected(node, "interest-" + node);
      for (int i = 0; i < perNode; i++) {
        String ch = channel("chat", "interest-" + node + i);
        c.subscribe(ch);
        channelsOf.computeIfAbsent(node, k -> new ArrayList<>()).add(ch);
      }
      subscriberOf.put(node, c);
    }
    Map<String, Long> before = new HashMap<>();
    channelsOf.keySet().forEach(node -> before.put(node, publicationsReceived(node)));

    // all through A: A stores every publication but receives only those of its own channels
    channelsOf.values().forEach(channels -> channels.forEach(ch -> {
      for (int n = 1; n <= each; n++) {
        cluster.apiResult("A", "publish", new JsonObject().put("channel", ch).put("data", new JsonObject().put("n", n)));
      }
    }));

    channelsOf.forEach((node, channels) -> channels.forEach(ch ->
        assertThat(subscriberOf.get(node).awaitPublications(ch, each, SHORT)).hasSize(each)));
    for (String node : channelsOf.keySet()) {
      assertThat(publicationsReceived(node) - before.get(node))
          .as("publications node " + node + " received: those of its " + perNode + " channels")
          .isEqualTo((long) perNode * each);
    }
  }

  @Test
  @DisplayName("First subscribers on a node while publications are in flight get every one after their subscribe position")
  void firstSubscriberWhilePublishing() throws Exception {
    List<String> channels = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      channels.add(channel("feed", "in-flight-" + i));
    }
    AtomicBoolean publishing = new AtomicBoolean(true);
    Map<String, Long> last = new java.util.concurrent.ConcurrentHashMap<>();
    CompletableFuture<Void> publisher = CompletableFuture.runAsync(() -> {
      for (int n = 0; publishing.get() || n < channels.size(); n++) {
        String ch = channels.get(n % channels.size());
        JsonObject r = cluster.apiResult("A", "publish", new JsonObject().put("channel", ch)
            .put("data", new JsonObject().put("n", n)));
        last.put(ch, r.getLong("offset"));
      }
    });
    WsTestClient c = connected("C", "in-flight");
    Map<String, Long> position = new HashMap<>();
    for (String ch : channels) {
      HttpTestClient.eventually(() -> last.containsKey(ch), published -> published, SHORT);
      // the first subscriber of the channel on C, between two publications
      position.put(ch, c.subscribe(ch).getLong("offset", 0L));
    }
    // a few more on every channel after its subscribe, then stop
    HttpTestClient.eventually(() -> channels.stream().allMatch(ch -> last.get(ch) >= position.get(ch) + 5), all -> all,
        SHORT);
    publishing.set(false);
    publisher.get(30, TimeUnit.SECONDS);

    for (String ch : channels) {
      long from = position.get(ch) + 1;
      long to = last.get(ch);
      List<JsonObject> got = c.awaitPublications(ch, (int) (to - from + 1), SHORT);
      assertThat(got).extracting(p -> p.getLong("offset")).as(ch + " after position " + position.get(ch))
          .containsExactlyElementsOf(LongStream.rangeClosed(from, to).boxed().toList());
    }
    assertThat(c.isClosed()).as("closed: " + c.closeInfo()).isFalse();
  }

  @Test
  @DisplayName("Presence and presence_stats on any node show the clients of every node; joins reach the other nodes")
  void presenceSpansNodes() {
    String channel = channel("chat", "presence");
    WsTestClient a = connected("A", "alice");
    a.subscribe(channel);
    connected("B", "bob").subscribe(channel);
    connected("C", "carol").subscribe(channel);

    for (String node : List.of("A", "B", "C")) {
      JsonObject presence = cluster.apiResult(node, "presence", new JsonObject().put("channel", channel))
          .getJsonObject("presence");
      assertThat(users(presence)).as("presence users on " + node).containsExactlyInAnyOrder("alice", "bob", "carol");
      assertThat(cluster.apiResult(node, "presence_stats", new JsonObject().put("channel", channel)))
          .isEqualTo(new JsonObject().put("num_clients", 3).put("num_users", 3));
    }
    // the same through the client protocol, on node B
    WsTestClient reader = connected("B", "reader");
    JsonObject viaClient = reader.result("presence", new JsonObject().put("channel", channel)).getJsonObject("presence");
    assertThat(users(viaClient)).containsExactlyInAnyOrder("alice", "bob", "carol");
    // alice on A is told of bob (B) and carol (C) joining
    a.awaitMessages(m -> joinOf(m, channel) != null && !"alice".equals(joinOf(m, channel)), 2, SHORT);
    assertThat(a.pushes(channel, "join").stream().map(j -> j.getJsonObject("info").getString("user")))
        .contains("bob", "carol");
  }

  @Test
  @DisplayName("Server API disconnect called on node C disconnects the user's connections on nodes A and B")
  void disconnectFromAnotherNode() {
    WsTestClient onA = connected("A", "dave");
    WsTestClient onB = connected("B", "dave");
    WsTestClient other = connected("A", "erin");

    assertThat(cluster.apiResult("C", "disconnect", new JsonObject().put("user", "dave"))).isEqualTo(new JsonObject());

    assertThat(onA.awaitClose(SHORT).code()).isEqualTo((short) 3503);
    assertThat(onB.awaitClose(SHORT).code()).isEqualTo((short) 3503);
    other.subscribe(channel("chat", "still-open"));
    assertThat(other.isClosed()).isFalse();
  }

  @Test
  @DisplayName("Server API subscribe and unsubscribe called on node C act on a user connected to node A")
  void subscribeFromAnotherNode() {
    String channel = channel("chat", "server-sub");
    WsTestClient onA = connected("A", "frank");

    cluster.apiResult("C", "subscribe", new JsonObject().put("user", "frank").put("channel", channel));
    onA.awaitMessage(m -> m.getJsonObject("push") != null && channel.equals(m.getJsonObject("push").getString("channel"))
        && m.getJsonObject("push").containsKey("subscribe"), SHORT);
    cluster.apiResult("B", "publish", new JsonObject().put("channel", channel).put("data", new JsonObject().put("n", 1)));
    onA.awaitPublications(channel, 1, SHORT);
    JsonObject channels = cluster.apiResult("B", "channels", new JsonObject().put("pattern", channel))
        .getJsonObject("channels");
    assertThat(channels.getJsonObject(channel).getInteger("num_clients")).isEqualTo(1);

    cluster.apiResult("C", "unsubscribe", new JsonObject().put("user", "frank").put("channel", channel));
    onA.awaitMessage(m -> m.getJsonObject("push") != null && channel.equals(m.getJsonObject("push").getString("channel"))
        && m.getJsonObject("push").containsKey("unsubscribe"), SHORT);
  }

  @Test
  @DisplayName("GET /api/v1/nodes on every node lists the 3 nodes; info lists them with their clients; stats sum them")
  void nodeViews() {
    connected("A", "gina");
    connected("B", "gina");
    connected("C", "hank");
    for (String node : List.of("A", "B", "C")) {
      assertThat(cluster.nodeNames(node)).as("nodes listed by " + node).containsExactly("A", "B", "C");
    }

    List<JsonObject> info = HttpTestClient.eventually(() -> infoNodes("B"),
        nodes -> nodes.size() == 3 && nodes.stream().mapToInt(n -> n.getInteger("num_clients")).sum() >= 3, SHORT);
    assertThat(info).extracting(n -> n.getString("name")).containsExactly("A", "B", "C");
    assertThat(info).allSatisfy(n -> assertThat(n.getInteger("num_clients")).isGreaterThanOrEqualTo(1));

    JsonObject stats = HttpTestClient.eventually(() -> stats("C"),
        s -> s.getJsonObject("cluster").getInteger("nodes") == 3, SHORT);
    assertThat(stats.getJsonObject("node").getString("name")).isEqualTo("C");
  }

  // ---- helpers

  @Test
  @DisplayName("A namespace created, changed and deleted through node A's API is enforced on node C within 1 s")
  void namespaceChangeReachesEveryNode() {
    String ns = "ns" + UUID.randomUUID().toString().substring(0, 8);
    String channel = ns + ":room";
    WsTestClient c = connected("C", "carol");
    assertThat(c.errorCode("subscribe", new JsonObject().put("channel", channel))).as("before: unknown").isEqualTo(102);
    HttpTestClient a = cluster.http("A");

    long put = System.nanoTime();
    HttpTestClient.Response created = a.put("/api/v1/namespaces/" + ns, HttpTestClient.apiKey(RelayProcess.API_KEY),
        new JsonObject().put("allow_subscribe_for_client", true).put("history_size", 5).put("history_ttl", "1m").encode());
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    HttpTestClient.eventually(() -> c.call("subscribe", new JsonObject().put("channel", channel)),
        reply -> !reply.containsKey("error"), Duration.ofSeconds(1));
    long createdMillis = (System.nanoTime() - put) / 1_000_000;
    // History size 5 from A's change applies to C's stream too.
    for (int i = 1; i <= 7; i++) {
      cluster.apiResult("B", "publish", new JsonObject().put("channel", channel).put("data", new JsonObject().put("n", i)));
    }
    assertThat(cluster.apiResult("C", "history", new JsonObject().put("channel", channel).put("limit", -1))
        .getJsonArray("publications")).hasSize(5);

    long delete = System.nanoTime();
    assertThat(a.delete("/api/v1/namespaces/" + ns, HttpTestClient.apiKey(RelayProcess.API_KEY)).status()).isEqualTo(204);
    WsTestClient c2 = connected("C", "carol");
    HttpTestClient.eventually(() -> c2.errorCode("subscribe", new JsonObject().put("channel", ns + ":other")),
        code -> code == 102, Duration.ofSeconds(1));
    long deletedMillis = (System.nanoTime() - delete) / 1_000_000;
    System.out.printf("cluster figures: namespace change A -> C: created %d ms, deleted %d ms%n", createdMillis,
        deletedMillis);
  }

  @Test
  @DisplayName("/emulation on a node that does not own the session reaches the owner over the event bus")
  void emulationReachesTheOwningNode() {
    String channel = channel("chat", "emulation");
    StreamTestClient stream = StreamTestClient.open(vertx, HttpMethod.POST, cluster.node("A").httpUrl()
        + "/connection/http_stream", Map.of("Content-Type", "application/json"),
        new JsonObject().put("id", 1).put("connect", new JsonObject().put("token", RelayProcess.token("erin"))).encode(),
        false);
    try {
      JsonObject connected = stream.awaitMessage(m -> m.getLong("id", 0L) == 1, SHORT).getJsonObject("connect");
      String session = connected.getString("session");
      String owner = connected.getString("node");
      assertThat(infoNodes("A")).extracting(n -> n.getString("uid")).contains(owner);

      assertThat(emulate("B", owner, session, "{\"id\":2,\"subscribe\":{\"channel\":\"" + channel + "\"}}"))
          .isEqualTo(204);
      assertThat(stream.awaitMessage(m -> m.getLong("id", 0L) == 2, SHORT).containsKey("subscribe")).isTrue();
      assertThat(emulate("C", owner, session, "{\"id\":3,\"publish\":{\"channel\":\"" + channel
          + "\",\"data\":{\"via\":\"C\"}}}")).isEqualTo(204);
      JsonObject pub = stream.awaitMessage(m -> m.containsKey("push") && m.getJsonObject("push").containsKey("pub"),
          SHORT).getJsonObject("push").getJsonObject("pub");
      assertThat(pub.getJsonObject("data").getString("via")).isEqualTo("C");

      assertThat(emulate("B", owner, UUID.randomUUID().toString(), "{}")).isEqualTo(404);
      assertThat(emulate("B", UUID.randomUUID().toString(), session, "{}")).isEqualTo(404);
    } finally {
      stream.close();
    }
  }

  @Test
  @DisplayName("A Protobuf /emulation on a node that does not own the session reaches the owner over the event bus")
  void protobufEmulationReachesTheOwningNode() {
    String channel = channel("chat", "pbemulation");
    PbStreamTestClient stream = PbStreamTestClient.open(vertx, cluster.node("A").httpUrl() + "/connection/http_stream",
        PbStreamTestClient.delimited(Client.Command.newBuilder().setId(1)
            .setConnect(Client.ConnectRequest.newBuilder().setToken(RelayProcess.token("frank"))).build()));
    try {
      Client.ConnectResult connected = stream.awaitReply(1, SHORT).getConnect();
      byte[] subscribe = PbStreamTestClient.delimited(Client.Command.newBuilder().setId(2)
          .setSubscribe(Client.SubscribeRequest.newBuilder().setChannel(channel)).build());
      assertThat(emulateProtobuf("B", connected.getNode(), connected.getSession(), subscribe)).isEqualTo(204);
      assertThat(stream.awaitReply(2, SHORT).hasSubscribe()).isTrue();
      byte[] publish = PbStreamTestClient.delimited(Client.Command.newBuilder().setId(3)
          .setPublish(Client.PublishRequest.newBuilder().setChannel(channel)
              .setData(ByteString.copyFromUtf8("{\"via\":\"C\"}"))).build());
      assertThat(emulateProtobuf("C", connected.getNode(), connected.getSession(), publish)).isEqualTo(204);
      Client.Publication pub = stream.awaitMatching(r -> r.hasPush() && r.getPush().hasPub(), SHORT).getPush().getPub();
      assertThat(pub.getData().toStringUtf8()).isEqualTo("{\"via\":\"C\"}");
      assertThat(emulateProtobuf("B", connected.getNode(), UUID.randomUUID().toString(), new byte[] {0}))
          .isEqualTo(404);
    } finally {
      stream.close();
    }
  }

  private int emulateProtobuf(String via, String node, String session, byte[] data) {
    return cluster.http(via).sendRaw(HttpMethod.POST, "/emulation",
        Map.of("Content-Type", PbStreamTestClient.OCTET_STREAM),
        Buffer.buffer(PbStreamTestClient.emulationBody(node, session, data))).status();
  }

  private int emulate(String via, String node, String session, String data) {
    return cluster.http(via).send(HttpMethod.POST, "/emulation", HttpTestClient.NONE,
        new JsonObject().put("session", session).put("node", node).put("data", data).encode()).status();
  }

  private WsTestClient connected(String node, String user) {
    WsTestClient c = WsTestClient.open(vertx, cluster.node(node).wsUrl());
    clients.add(c);
    c.connectWith(RelayProcess.token(user));
    return c;
  }

  /** The node's {@code fluxer_node_publications_received_total} from its {@code /metrics}. */
  private long publicationsReceived(String node) {
    HttpTestClient.Response r = cluster.http(node).get("/metrics", HttpTestClient.NONE);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.body().lines().filter(l -> l.startsWith("fluxer_node_publications_received_total{"))
        .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .sum();
  }

  private List<JsonObject> infoNodes(String node) {
    JsonArray nodes = cluster.apiResult(node, "info", new JsonObject()).getJsonArray("nodes");
    return nodes.stream().map(JsonObject.class::cast).toList();
  }

  private JsonObject stats(String node) {
    HttpTestClient.Response r = cluster.http(node).get("/api/v1/stats", HttpTestClient.apiKey(RelayProcess.API_KEY));
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    return r.json();
  }

  private static Set<String> users(JsonObject presence) {
    return presence.fieldNames().stream().map(id -> presence.getJsonObject(id).getString("user"))
        .collect(Collectors.toSet());
  }

  /** The user of a join push on {@code channel}, or {@code null}. */
  private static String joinOf(JsonObject message, String channel) {
    JsonObject push = message.getJsonObject("push");
    if (push == null || !channel.equals(push.getString("channel")) || !push.containsKey("join")) {
      return null;
    }
    return push.getJsonObject("join").getJsonObject("info").getString("user");
  }

  private static String channel(String namespace, String name) {
    return namespace + ":" + name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
