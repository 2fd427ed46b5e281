package io.fluxer.relay.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.engine.Broker;
import io.fluxer.relay.engine.BrokerContractTest;
import io.fluxer.relay.engine.BrokerEventHandler;
import io.fluxer.relay.engine.HistoryFilter;
import io.fluxer.relay.engine.PublishOptions;
import io.fluxer.relay.engine.UnrecoverablePositionException;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.HistoryResult;
import io.fluxer.relay.protocol.Publication;
import io.fluxer.relay.protocol.StreamPosition;
import io.fluxer.relay.testing.RedisTestServer;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The broker contract against a real Redis, plus what only the Redis broker does. */
class RedisBrokerTest extends BrokerContractTest {
  private static final HistoryFilter ALL = new HistoryFilter(null, HistoryFilter.NO_LIMIT, false);

  static Vertx vertx;
  private static Redis raw;
  String keyPrefix;
  private final List<Broker> extra = new ArrayList<>();

  @BeforeAll
  static void connect() {
    String url = RedisTestServer.sharedUrl();
    vertx = Vertx.vertx();
    raw = Redis.createClient(vertx, url);
  }

  @AfterAll
  static void disconnect() throws Exception {
    if (vertx != null) {
      raw.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Override
  protected Broker createBroker() {
    keyPrefix = "fluxer-test-" + UUID.randomUUID().toString().substring(0, 8);
    return RedisBroker.create(vertx, options());
  }

  @AfterEach
  void closeExtraBrokers() {
    extra.forEach(b -> await(b.close()));
  }

  private RedisEngineOptions options() {
    return baseOptions().withPrefix(keyPrefix);
  }

  /** How the engines under test reach Redis; subclasses run this suite against other set-ups. */
  RedisEngineOptions baseOptions() {
    return RedisEngineOptions.of(RedisTestServer.sharedUrl());
  }

  /** A plain client of the same Redis, to look at keys directly. */
  Redis rawClient() {
    return raw;
  }

  private Broker extraBroker(RedisEngineOptions options, BrokerEventHandler handler) {
    Broker b = RedisBroker.create(vertx, options);
    b.setEventHandler(handler);
    extra.add(b);
    return b;
  }

  private Response redis(Command command, Object... args) {
    return await(rawClient().send(Request.cmd(command, args)));
  }

  private boolean exists(String key) {
    return redis(Command.EXISTS, key).toInteger() == 1;
  }

  @Test
  @DisplayName("two brokers (two nodes) publishing to one channel: offsets without duplicates or gaps, and each gets all in offset order")
  void atomicOffsetsAcrossClients() throws Exception {
    String ch = subscribed("two-clients");
    RecordingHandler otherEvents = new RecordingHandler();
    Broker other = extraBroker(options(), otherEvents);
    await(other.subscribe(ch));
    int perThread = 250;
    PublishOptions options = history(4 * perThread);

    CompletableFuture<List<Long>> mine = CompletableFuture.supplyAsync(() -> publish(broker, ch, perThread, options));
    CompletableFuture<List<Long>> theirs = CompletableFuture.supplyAsync(() -> publish(other, ch, perThread, options));
    List<Long> all = new ArrayList<>(mine.get(30, TimeUnit.SECONDS));
    all.addAll(theirs.get(30, TimeUnit.SECONDS));

    long total = 4L * perThread;
    assertThat(all).containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
    List<Long> inOrder = LongStream.rangeClosed(1, total).boxed().toList();
    eventually("every publication to reach both handlers",
        () -> events.publications(ch).size() == total && otherEvents.publications(ch).size() == total);
    assertThat(events.publications(ch)).extracting(Publication::offset).containsExactlyElementsOf(inOrder);
    assertThat(otherEvents.publications(ch)).extracting(Publication::offset).containsExactlyElementsOf(inOrder);
    HistoryResult history = await(broker.history(ch, ALL));
    assertThat(offsets(history)).containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
  }

  @Test
  @DisplayName("many publishes in flight from several event loops: the handler still sees offset order, one at a time")
  void pipelinedPublishesFromEventLoops() {
    String ch = subscribed("event-loops");
    int loops = 4;
    int perLoop = 500;
    List<Future<StreamPosition>> futures = Collections.synchronizedList(new ArrayList<>());
    CountDownLatch sent = new CountDownLatch(loops);
    for (int l = 0; l < loops; l++) {
      int loop = l;
      Context context = vertx.getOrCreateContext(); // a new event-loop context per call off Vert.x threads
      context.runOnContext(v -> {
        for (int i = 0; i < perLoop; i++) { // none awaited: all in flight at once
          futures.add(broker.publish(ch, data(loop * perLoop + i), history(loops * perLoop)));
        }
        sent.countDown();
      });
    }
    try {
      assertThat(sent.await(deadline().toMillis(), TimeUnit.MILLISECONDS)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }

    await(Future.all(new ArrayList<>(futures)));
    long total = (long) loops * perLoop;
    assertThat(futures).extracting(f -> f.result().offset())
        .containsExactlyInAnyOrderElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
    eventually("all publications to reach the handler", () -> events.publications(ch).size() == total);
    assertThat(events.publications(ch)).extracting(Publication::offset)
        .containsExactlyElementsOf(LongStream.rangeClosed(1, total).boxed().toList());
    assertThat(events.overlapped()).as("handler called concurrently for one channel").isFalse();
  }

  /** Two threads publishing {@code perThread} each through {@code target}; answers the offsets. */
  private List<Long> publish(Broker target, String ch, int perThread, PublishOptions options) {
    try {
      return publishConcurrently(target, ch, 2, perThread, options);
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  @DisplayName("the stream in Redis is trimmed to the history size")
  void streamTrimmedToHistorySize() {
    String ch = channel("trimmed");
    publishMany(ch, 25, history(10));

    RedisKeys keys = new RedisKeys(keyPrefix);
    assertThat(redis(Command.XLEN, keys.stream(ch)).toInteger()).isEqualTo(10);
    assertThat(offsets(await(broker.history(ch, ALL))))
        .containsExactlyElementsOf(LongStream.rangeClosed(16, 25).boxed().toList());
  }

  @Test
  @DisplayName("keys carry the prefix and the channel as hash tag")
  void keyNames() {
    String ch = channel("keys");
    await(broker.publish(ch, data(1), withKey(history(10), "k")));

    assertThat(exists(keyPrefix + ".history.stream.{" + ch + "}")).isTrue();
    assertThat(exists(keyPrefix + ".history.meta.{" + ch + "}")).isTrue();
    assertThat(exists(new RedisKeys(keyPrefix).idempotency(ch, "k"))).isTrue();
    assertThat(new RedisKeys(keyPrefix).idempotency(ch, "k")).startsWith(keyPrefix + ".history.idempotency.{" + ch + "}.");
  }

  @Test
  @DisplayName("the stream expires after the history TTL, then the meta after the meta TTL: a new epoch")
  void streamAndMetaExpire() {
    String ch = channel("expiry");
    RedisKeys keys = new RedisKeys(keyPrefix);
    PublishOptions options = new PublishOptions(null, Map.of(), 10, Duration.ofMillis(200), Duration.ofMillis(2500),
        null);
    List<StreamPosition> positions = publishMany(ch, 2, options);
    StreamPosition top = positions.get(1);

    eventually("the stream key to expire", () -> !exists(keys.stream(ch)));
    assertThat(exists(keys.meta(ch))).as("meta outlives the stream").isTrue();
    assertThat(await(broker.history(ch, ALL)).position()).isEqualTo(top);

    eventually("the meta key to expire", () -> !exists(keys.meta(ch)));
    HistoryResult fresh = await(broker.history(ch, ALL));
    assertThat(fresh.position().offset()).isZero();
    assertThat(fresh.position().epoch()).isNotEqualTo(top.epoch());
    assertThat(awaitFailure(broker.history(ch, HistoryFilter.since(top, 10))))
        .isInstanceOf(UnrecoverablePositionException.class);
  }

  @Test
  @DisplayName("a lost meta hash (eviction) starts a new epoch and drops the stale stream")
  void lostMetaStartsNewEpoch() {
    String ch = channel("lost-meta");
    StreamPosition before = publishMany(ch, 3, history(10)).get(2);

    redis(Command.DEL, new RedisKeys(keyPrefix).meta(ch));

    StreamPosition next = await(broker.publish(ch, data(4), history(10)));
    assertThat(next.offset()).isEqualTo(1);
    assertThat(next.epoch()).isNotEqualTo(before.epoch());
    assertThat(await(broker.history(ch, ALL)).publications()).extracting(Publication::data).containsExactly(data(4));
    assertThat(awaitFailure(broker.history(ch, HistoryFilter.since(before, 10))))
        .isInstanceOf(UnrecoverablePositionException.class);
  }

  @Test
  @DisplayName("a meta written under another master's replication id (failover, restart, moved slot) gets a new "
      + "epoch when read or published to; offsets and history go on")
  void metaOfAnotherMasterStartsNewEpoch() {
    RedisKeys keys = new RedisKeys(keyPrefix);
    String read = channel("other-master-read");
    StreamPosition before = publishMany(read, 3, history(10)).get(2);
    redis(Command.HSET, keys.meta(read), "r", "0000000000000000000000000000000000000000");

    HistoryResult afterRead = await(broker.history(read, ALL));
    assertThat(afterRead.position().offset()).isEqualTo(3);
    assertThat(afterRead.position().epoch()).isNotEqualTo(before.epoch());
    assertThat(offsets(afterRead)).containsExactly(1L, 2L, 3L);
    assertThat(awaitFailure(broker.history(read, HistoryFilter.since(before, 10))))
        .isInstanceOf(UnrecoverablePositionException.class);
    assertThat(await(broker.publish(read, data(4), history(10)))).isEqualTo(new StreamPosition(4, afterRead.position().epoch()));

    // a meta without the field (written before it existed) is treated the same: its writer is unknown
    String publish = channel("other-master-publish");
    StreamPosition old = publishMany(publish, 2, history(10)).get(1);
    redis(Command.HDEL, keys.meta(publish), "r");
    StreamPosition next = await(broker.publish(publish, data(3), history(10)));
    assertThat(next.offset()).isEqualTo(3);
    assertThat(next.epoch()).isNotEqualTo(old.epoch());
    assertThat(await(broker.history(publish, HistoryFilter.since(next, 10))).publications()).isEmpty();
    assertThat(awaitFailure(broker.history(publish, HistoryFilter.since(old, 10))))
        .isInstanceOf(UnrecoverablePositionException.class);
  }

  @Test
  @DisplayName("each publication leaves history after its own TTL, even while the stream lives on")
  void publicationsExpireOneByOne() {
    String ch = channel("one-by-one");
    await(broker.publish(ch, data(1), PublishOptions.withHistory(10, Duration.ofMillis(300))));
    await(broker.publish(ch, data(2), history(10)));
    await(broker.publish(ch, data(3), PublishOptions.withHistory(10, Duration.ofMillis(300))));

    eventually("the short-lived publications to expire", () -> offsets(await(broker.history(ch, ALL))).equals(List.of(2L)));
    assertThat(offsets(await(broker.history(ch, new HistoryFilter(null, 1, false))))).containsExactly(2L);
    assertThat(offsets(await(broker.history(ch, new HistoryFilter(null, 1, true))))).containsExactly(2L);
    assertThat(await(broker.history(ch, ALL)).position().offset()).isEqualTo(3);
  }

  @Test
  @DisplayName("an idempotency key is forgotten after the window")
  void idempotencyWindowExpires() {
    Broker shortWindow = extraBroker(options().withIdempotencyWindow(Duration.ofMillis(300)), events);
    String ch = channel("idempotency-window");
    PublishOptions once = withKey(history(10), "k");
    StreamPosition first = await(shortWindow.publish(ch, data(1), once));
    assertThat(await(shortWindow.publish(ch, data(2), once))).isEqualTo(first);

    eventually("the key to be forgotten", () -> !exists(new RedisKeys(keyPrefix).idempotency(ch, "k")));

    assertThat(await(shortWindow.publish(ch, data(3), once)).offset()).isEqualTo(2);
    assertThat(await(shortWindow.history(ch, ALL)).publications()).extracting(Publication::data)
        .containsExactly(data(1), data(3));
  }

  @Test
  @DisplayName("a repeated idempotency key without history answers offset 0 and reaches the handler once")
  void noHistoryIdempotencyKey() {
    String ch = subscribed("no-history-key");
    PublishOptions once = withKey(PublishOptions.noHistory(), "k");

    assertThat(await(broker.publish(ch, data(1), once))).isEqualTo(new StreamPosition(0, ""));
    assertThat(await(broker.publish(ch, data(2), once))).isEqualTo(new StreamPosition(0, ""));
    await(broker.publish(ch, data(3), PublishOptions.noHistory()));

    eventually("two publications", () -> events.publications(ch).size() == 2);
    assertThat(events.publications(ch)).extracting(Publication::data).containsExactly(data(1), data(3));
    assertThat(exists(new RedisKeys(keyPrefix).stream(ch))).isFalse();
  }

  @Test
  @DisplayName("publishing without a handler fails")
  void publishWithoutHandlerFails() {
    Broker bare = RedisBroker.create(vertx, options());
    extra.add(bare);

    assertThat(awaitFailure(bare.publish(channel("x"), data(1), history(10))))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  @DisplayName("a handler that throws on one publication: the publish succeeds, it stays in history, the next ones arrive")
  void failingHandler() {
    String ch = channel("failing");
    List<Publication> handled = Collections.synchronizedList(new ArrayList<>());
    Broker failing = extraBroker(options(), new BrokerEventHandler() {
      @Override
      public void onPublication(String channel, Publication publication, String epoch) {
        if (publication.offset() == 1) {
          throw new IllegalArgumentException("boom");
        }
        handled.add(publication);
      }

      @Override
      public void onJoin(String channel, ClientInfo info) {}

      @Override
      public void onLeave(String channel, ClientInfo info) {}
    });
    await(failing.subscribe(ch));

    assertThat(await(failing.publish(ch, data(1), history(10))).offset()).isEqualTo(1);
    await(failing.publish(ch, data(2), history(10)));

    eventually("the second publication", () -> handled.size() == 1);
    assertThat(handled).extracting(Publication::offset).containsExactly(2L);
    assertThat(offsets(await(failing.history(ch, ALL)))).containsExactly(1L, 2L);
  }

  @Test
  @DisplayName("a node gets the events of the channels it subscribed to and of no other")
  void onlySubscribedChannels() {
    String mine = subscribed("mine");
    String theirs = channel("theirs");
    RecordingHandler otherEvents = new RecordingHandler();
    Broker other = extraBroker(options(), otherEvents);
    await(other.subscribe(theirs));
    ClientInfo info = new ClientInfo("u", "c", null, null);

    await(broker.publish(theirs, data(1), history(10)));
    await(broker.publish(theirs, data(2), PublishOptions.noHistory()));
    await(broker.publishJoin(theirs, info));
    await(other.publish(mine, data(3), history(10)));

    eventually("the other node's events", () -> otherEvents.publications(theirs).size() == 2
        && otherEvents.joins(theirs).size() == 1);
    eventually("this node's publication", () -> events.publications(mine).size() == 1);
    assertThat(events.publications(theirs)).isEmpty();
    assertThat(events.joins(theirs)).isEmpty();
    assertThat(otherEvents.publications(mine)).isEmpty();
    assertThat(((RedisBroker) broker).subscribedChannels()).isEqualTo(1);
  }

  @Test
  @DisplayName("subscribe completes only once Redis ran the SUBSCRIBE, so nothing published afterwards is missed")
  void subscribeWaitsForRedis() {
    subscribed("first"); // the pub/sub connection is up
    String ch = channel("paused");
    long pauseMs = 500;

    pauseRedis(pauseMs);
    long start = System.nanoTime();
    await(broker.subscribe(ch));
    long tookMs = (System.nanoTime() - start) / 1_000_000;

    assertThat(tookMs).as("subscribe returned while Redis was paused").isGreaterThanOrEqualTo(pauseMs - 100);
    assertThat(pubsubSubscribers(new RedisKeys(keyPrefix).pubsub(ch))).isEqualTo(1);
  }

  /** Holds every command of every client for {@code ms} ({@code CLIENT PAUSE ... ALL}) on every Redis server. */
  void pauseRedis(long ms) {
    redis(Command.CLIENT, "PAUSE", Long.toString(ms), "ALL");
  }

  /**
   * The name of a channel whose publications reach a node after those of {@code channel} published
   * before them: with one Redis, any channel.
   */
  String markerBeside(String channel) {
    return "marker";
  }

  /** Kills the pub/sub connections named {@code name}, on every Redis server; answers how many. */
  int killPubsub(String name) {
    return killPubsubConnection(rawClient(), name);
  }

  /** Kills the connections named {@code name} that {@code redis} (one server) has; answers how many. */
  int killPubsubConnection(Redis redis, String name) {
    List<String> ids = await(redis.send(Request.cmd(Command.CLIENT, "LIST", "TYPE", "pubsub"))).toString().lines()
        .filter(line -> line.contains(" name=" + name + " "))
        .map(line -> line.substring(3, line.indexOf(' '))).toList();
    for (String id : ids) {
      await(redis.send(Request.cmd(Command.CLIENT, "KILL", "ID", id)));
    }
    return ids.size();
  }

  /** How many connections are subscribed to the pub/sub channel {@code name}. */
  int pubsubSubscribers(String name) {
    return redis(Command.PUBSUB, "NUMSUB", name).get(1).toInteger();
  }

  @Test
  @DisplayName("subscribe is counted: the events stop only when every subscribe was matched by an unsubscribe")
  void countedSubscriptions() {
    String ch = subscribed("counted");
    String marker = subscribed(markerBeside(ch));
    await(broker.subscribe(ch));

    broker.unsubscribe(ch);
    await(broker.publish(ch, data(1), history(10)));
    eventually("a publication while one subscribe is left", () -> events.publications(ch).size() == 1);

    broker.unsubscribe(ch);
    String name = new RedisKeys(keyPrefix).pubsub(ch);
    eventually("Redis to drop the node's subscription", () -> pubsubSubscribers(name) == 0);
    await(broker.publish(ch, data(2), history(10)));
    await(broker.publish(marker, data(3), history(10)));
    eventually("the marker", () -> events.publications(marker).size() == 1);
    assertThat(events.publications(ch)).extracting(Publication::offset).containsExactly(1L);
    assertThat(((RedisBroker) broker).subscribedChannels()).isEqualTo(1);

    await(broker.subscribe(ch));
    await(broker.publish(ch, data(4), history(10)));
    eventually("publications again after subscribing again", () -> events.publications(ch).size() >= 2);
    assertThat(events.publications(ch)).extracting(Publication::offset).containsExactly(1L, 3L);
  }

  @Test
  @DisplayName("the pub/sub connection killed by Redis: the node subscribes again and later publications arrive")
  void pubsubConnectionLost() {
    String ch = subscribed("reconnect");
    await(broker.publish(ch, data(1), history(10)));
    eventually("the first publication", () -> events.publications(ch).size() == 1);

    assertThat(killPubsub(keyPrefix + ".pubsub")).as("pub/sub connections killed").isEqualTo(1);

    // published until one arrives: those sent before the node subscribed again are missed
    eventually("a publication after the reconnect", () -> {
      await(broker.publish(ch, data(2), history(100)));
      return events.publications(ch).size() > 1;
    });
    assertThat(events.publications(ch)).extracting(Publication::offset).isSorted().doesNotHaveDuplicates();
    // subscribed again, it hands over the channel's position: its subscribers check what they missed
    eventually("the position after the reconnect", () -> !events.positions(ch).isEmpty());
    StreamPosition handed = events.positions(ch).get(0);
    assertThat(handed.offset()).isGreaterThanOrEqualTo(1);
    assertThat(handed.epoch()).isEqualTo(await(broker.history(ch, HistoryFilter.positionOnly())).position().epoch());
  }

  @Test
  @DisplayName("a since position with an empty epoch is unrecoverable, not read as 'no since'")
  void sinceWithEmptyEpochFails() {
    String ch = channel("empty-epoch");
    publishMany(ch, 2, history(10));

    assertThat(awaitFailure(broker.history(ch, HistoryFilter.since(new StreamPosition(0, ""), 10))))
        .isInstanceOf(UnrecoverablePositionException.class);
  }
}
