package io.fluxer.relay.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.engine.Broker;
import io.fluxer.relay.engine.BrokerContractTest;
import io.fluxer.relay.engine.EngineException;
import io.fluxer.relay.engine.HistoryFilter;
import io.fluxer.relay.engine.UnrecoverablePositionException;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.HistoryResult;
import io.fluxer.relay.protocol.Publication;
import io.fluxer.relay.protocol.StreamPosition;
import io.fluxer.relay.testing.RedisTestShards;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The broker contract against channels sharded over three standalone Redis servers (real
 * redis-server processes), plus what sharding itself promises: where keys and subscriptions land,
 * what a changed shard list does to history, and what one shard down does.
 */
class ShardedBrokerTest extends BrokerContractTest {
  private static final HistoryFilter ALL = new HistoryFilter(null, HistoryFilter.NO_LIMIT, false);
  private static Vertx vertx;
  private String keyPrefix;
  private final List<Broker> extra = new ArrayList<>();

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Override
  protected Broker createBroker() {
    keyPrefix = "fluxer-test-" + UUID.randomUUID().toString().substring(0, 8);
    return ShardedBroker.create(vertx, options(RedisTestShards.shared().urls()));
  }

  @AfterEach
  void closeExtraBrokers() {
    extra.forEach(b -> await(b.close()));
  }

  private List<RedisEngineOptions> options(List<String> urls) {
    return options(urls, RedisEngineOptions.DEFAULT_COMMAND_TIMEOUT);
  }

  private List<RedisEngineOptions> options(List<String> urls, Duration timeout) {
    return urls.stream().map(u -> RedisEngineOptions.of(u).withPrefix(keyPrefix).withCommandTimeout(timeout))
        .toList();
  }

  private ShardedBroker extraBroker(List<RedisEngineOptions> shards, RecordingHandler handler) {
    ShardedBroker b = ShardedBroker.create(vertx, shards);
    b.setEventHandler(handler);
    extra.add(b);
    return b;
  }

  /** Channels of this test, the first found on each of {@code shards} shards, by shard. */
  private Map<Integer, String> onEachShard(String name, int shards) {
    Map<Integer, String> byShard = new TreeMap<>();
    for (int i = 0; byShard.size() < shards; i++) {
      String ch = channel(name + "-" + i);
      byShard.putIfAbsent(ChannelShards.shardOf(ch, shards), ch);
    }
    return byShard;
  }

  @Test
  @DisplayName("channels on each of the three shards: keys land on every shard, each channel's on its shard alone")
  void keysOnTheirShardOnly() {
    RedisTestShards redis = RedisTestShards.shared();
    Map<Integer, String> byShard = onEachShard("spread", 3);
    for (String ch : byShard.values()) {
      publishMany(ch, 2, history(10));
      await(broker.publish(ch, data(3), withKey(history(10), "k"))); // an idempotency key as well
    }

    assertThat(redis.keyCounts(keyPrefix + "*")).as("keys per shard").allMatch(n -> n > 0);
    byShard.forEach((shard, ch) -> {
      List<Long> counts = redis.keyCounts(keyPrefix + "*{" + ch + "}*");
      for (int i = 0; i < counts.size(); i++) {
        // stream, meta and idempotency key
        assertThat(counts.get(i)).as("keys of %s on shard %d", ch, i).isEqualTo(i == shard ? 3L : 0L);
      }
      assertThat(offsets(await(broker.history(ch, ALL)))).containsExactly(1L, 2L, 3L);
    });
  }

  @Test
  @DisplayName("a node subscribes to a channel on the channel's shard only, and gets its events from there")
  void subscriptionOnTheChannelsShard() {
    RedisTestShards redis = RedisTestShards.shared();
    Map<Integer, String> byShard = onEachShard("sub", 3);
    RecordingHandler otherEvents = new RecordingHandler();
    Broker other = extraBroker(options(redis.urls()), otherEvents);
    for (String ch : byShard.values()) {
      await(broker.subscribe(ch));
    }
    ClientInfo info = new ClientInfo("u", "c", null, null);

    byShard.forEach((shard, ch) -> {
      String pubsub = new RedisKeys(keyPrefix).pubsub(ch);
      for (int i = 0; i < 3; i++) {
        long subscribers = (Long) ((List<?>) redis.call(i, "PUBSUB", "NUMSUB", pubsub)).get(1);
        assertThat(subscribers).as("subscribers of %s on shard %d", ch, i).isEqualTo(i == shard ? 1L : 0L);
      }
      await(other.publish(ch, data(1), history(10)));
      await(other.publishJoin(ch, info));
    });
    for (String ch : byShard.values()) {
      eventually("the publication and join of " + ch,
          () -> events.publications(ch).size() == 1 && events.joins(ch).size() == 1);
    }
    assertThat(((ShardedBroker) broker).subscribedChannels()).isEqualTo(3);
  }

  @Test
  @DisplayName("one shard's pub/sub connection lost: that shard's channel resubscribes and hands its position over, "
      + "the other shards' channels never notice")
  void onePubsubConnectionLost() {
    RedisTestShards redis = RedisTestShards.shared();
    Map<Integer, String> byShard = onEachShard("feed", 3);
    for (String ch : byShard.values()) {
      await(broker.subscribe(ch));
      await(broker.publish(ch, data(1), history(100)));
    }
    for (String ch : byShard.values()) {
      eventually("the first publication of " + ch, () -> events.publications(ch).size() == 1);
    }

    assertThat(killPubsub(redis, 1)).as("pub/sub connections killed on shard 1").isEqualTo(1);

    String lost = byShard.get(1);
    eventually("a publication after the reconnect", () -> {
      await(broker.publish(lost, data(2), history(100)));
      return events.publications(lost).size() > 1;
    });
    eventually("the position after the reconnect", () -> !events.positions(lost).isEmpty());
    for (int shard : List.of(0, 2)) {
      String ch = byShard.get(shard);
      await(broker.publish(ch, data(2), history(100)));
      eventually("the second publication of " + ch, () -> events.publications(ch).size() == 2);
      assertThat(events.positions(ch)).as("positions handed over for %s", ch).isEmpty();
      assertThat(events.publications(ch)).extracting(Publication::offset).containsExactly(1L, 2L);
    }
  }

  /** Kills the pub/sub connections of this test's broker on {@code shard}; answers how many. */
  private int killPubsub(RedisTestShards redis, int shard) {
    List<String> ids = String.valueOf(redis.call(shard, "CLIENT", "LIST", "TYPE", "pubsub")).lines()
        .filter(line -> line.contains(" name=" + keyPrefix + ".pubsub "))
        .map(line -> line.substring(3, line.indexOf(' '))).toList();
    ids.forEach(id -> redis.call(shard, "CLIENT", "KILL", "ID", id));
    return ids.size();
  }

  @Test
  @DisplayName("a changed shard order moves channels: a moved channel starts a new epoch, an old position is "
      + "unrecoverable (never a silent gap); one that stayed keeps its history")
  void changedShardOrderStartsNewEpochs() {
    List<String> urls = RedisTestShards.shared().urls();
    List<String> reordered = List.of(urls.get(1), urls.get(0), urls.get(2));
    String moved = null;
    String stayed = null;
    for (int i = 0; moved == null || stayed == null; i++) {
      String ch = channel("order-" + i);
      int shard = ChannelShards.shardOf(ch, 3);
      if (shard == 2) {
        stayed = stayed == null ? ch : stayed;
      } else {
        moved = moved == null ? ch : moved;
      }
    }
    StreamPosition movedTop = publishMany(moved, 3, history(10)).get(2);
    StreamPosition stayedTop = publishMany(stayed, 3, history(10)).get(2);

    Broker after = extraBroker(options(reordered), new RecordingHandler());

    assertThat(awaitFailure(after.history(moved, HistoryFilter.since(movedTop, 10))))
        .isInstanceOf(UnrecoverablePositionException.class);
    HistoryResult fresh = await(after.history(moved, ALL));
    assertThat(fresh.publications()).isEmpty();
    assertThat(fresh.position().offset()).isZero();
    assertThat(fresh.position().epoch()).isNotEqualTo(movedTop.epoch());
    assertThat(await(after.publish(moved, data(4), history(10))))
        .isEqualTo(new StreamPosition(1, fresh.position().epoch()));
    assertThat(offsets(await(after.history(stayed, HistoryFilter.since(new StreamPosition(1, stayedTop.epoch()), 10)))))
        .containsExactly(2L, 3L);
  }

  @Test
  @DisplayName("one shard down: its channels fail with a temporary engine error, the other shard's channels work")
  void oneShardDown() {
    try (RedisTestShards two = RedisTestShards.start(2)) {
      Map<Integer, String> byShard = onEachShard("down", 2);
      String alive = byShard.get(0);
      String dead = byShard.get(1);
      RecordingHandler handler = new RecordingHandler();
      Broker sharded = extraBroker(options(two.urls(), Duration.ofSeconds(2)), handler);
      await(sharded.subscribe(alive));
      await(sharded.publish(dead, data(1), history(10)));

      two.kill(1);

      for (Throwable failure : List.of(awaitFailure(sharded.publish(dead, data(2), history(10))),
          awaitFailure(sharded.history(dead, ALL)), awaitFailure(sharded.subscribe(dead)))) {
        assertThat(failure).isInstanceOf(EngineException.class);
        assertThat(((EngineException) failure).temporary()).as("temporary: " + failure).isTrue();
      }
      sharded.unsubscribe(dead); // every subscribe is matched, whatever its outcome
      assertThat(await(sharded.publish(alive, data(1), history(10))).offset()).isEqualTo(1);
      eventually("the live shard's publication", () -> handler.publications(alive).size() == 1);
      assertThat(handler.publications(alive)).extracting(Publication::offset).containsExactly(1L);
      assertThat(offsets(await(sharded.history(alive, ALL)))).containsExactly(1L);
    }
  }
}
