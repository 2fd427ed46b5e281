package io.fluxer.relay.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.engine.Broker;
import io.fluxer.relay.engine.BrokerContractTest.RecordingHandler;
import io.fluxer.relay.engine.BrokerEventHandler;
import io.fluxer.relay.engine.EngineException;
import io.fluxer.relay.engine.HistoryFilter;
import io.fluxer.relay.engine.PublishOptions;
import io.fluxer.relay.engine.UnrecoverablePositionException;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.HistoryResult;
import io.fluxer.relay.protocol.Publication;
import io.fluxer.relay.protocol.StreamPosition;
import io.fluxer.relay.testing.RedisTestCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.ToIntFunction;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A Redis Cluster master killed (SIGKILL) while one node publishes into channels and another node
 * follows them (sharded pub/sub), until the master's replica took over. The follower plays a client
 * that recovers from its last position whenever the sequence it receives is not contiguous: each such
 * recovery must either return exactly what it missed (recovered: true) or fail because the epoch
 * changed (recovered: false), never a silent gap; and delivery must resume on the new master, up to
 * the last publication the publisher got acknowledged.
 */
class RedisClusterFailoverTest {
  private static final Logger LOG = Logger.getLogger(RedisClusterFailoverTest.class.getName());
  private static final PublishOptions HISTORY = PublishOptions.withHistory(1_000_000, Duration.ofMinutes(10));
  private static final Duration NODE_TIMEOUT = Duration.ofMillis(1000);
  private static final Duration FAILOVER_DEADLINE = Duration.ofSeconds(30);
  /** How long after the promotion the publisher may fail and the follower may lag. */
  private static final Duration RESUME_DEADLINE = Duration.ofSeconds(30);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  private RedisTestCluster redis;
  private Vertx vertx;
  private Broker publisher;
  private Broker follower;
  private final Follower events = new Follower();

  /** One event the follower got, in order: a publication at {@code position}, or a position hand-over. */
  private record Event(StreamPosition position, boolean handOver) {}

  /** Records, per channel, what a node following it gets. */
  private static final class Follower implements BrokerEventHandler {
    final Map<String, List<Event>> log = new ConcurrentHashMap<>();

    @Override
    public void onPublication(String channel, Publication publication, String epoch) {
      log.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>())
          .add(new Event(new StreamPosition(publication.offset(), epoch), false));
    }

    @Override
    public void onPosition(String channel, StreamPosition position) {
      log.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(new Event(position, true));
    }

    @Override
    public void onJoin(String channel, ClientInfo info) {
    }

    @Override
    public void onLeave(String channel, ClientInfo info) {
    }

    List<Event> of(String channel) {
      return log.getOrDefault(channel, List.of());
    }

    StreamPosition lastPublication(String channel) {
      List<Event> events = of(channel);
      for (int i = events.size() - 1; i >= 0; i--) {
        if (!events.get(i).handOver()) {
          return events.get(i).position();
        }
      }
      return null;
    }
  }

  @BeforeEach
  void start() {
    redis = RedisTestCluster.startWithReplicas(NODE_TIMEOUT);
    vertx = Vertx.vertx();
    RedisEngineOptions options = RedisEngineOptions.of(RedisTopology.cluster(redis.urls()))
        .withCommandTimeout(Duration.ofSeconds(2));
    publisher = RedisBroker.create(vertx, options);
    publisher.setEventHandler(new RecordingHandler());
    follower = RedisBroker.create(vertx, options);
    follower.setEventHandler(events);
  }

  @AfterEach
  void stop() throws Exception {
    try {
      for (Broker b : new Broker[] {publisher, follower}) {
        if (b != null) {
          b.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
      }
      if (vertx != null) {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    } finally {
      redis.close();
    }
  }

  @Test
  @DisplayName("a master killed under load: the follower resubscribes on the promoted replica, delivery resumes, "
      + "and every discontinuity it saw is recoverable from history or reports recovered: false")
  void masterKilledUnderLoad() throws Exception {
    followThroughFailover(key -> redis.killMasterAndAwaitFailover(key, FAILOVER_DEADLINE));
  }

  @Test
  @DisplayName("a manual failover (CLUSTER FAILOVER) under load: delivery goes on, and every discontinuity the "
      + "follower saw is recoverable from history or reports recovered: false")
  void manualFailoverUnderLoad() throws Exception {
    followThroughFailover(key -> redis.failoverCleanly(key, FAILOVER_DEADLINE));
  }

  /** Publishes and follows channels while {@code failover} moves the master of the first (answers its port). */
  private void followThroughFailover(ToIntFunction<String> failover) throws Exception {
    // two channels on the master that dies, one on another master
    String first = "failover:0";
    int victim = redis.currentMasterPortOf("{" + first + "}");
    List<String> channels = new ArrayList<>(List.of(first));
    String elsewhere = null;
    for (int i = 1; channels.size() < 2 || elsewhere == null; i++) {
      String ch = "failover:" + i;
      if (redis.currentMasterPortOf("{" + ch + "}") == victim) {
        if (channels.size() < 2) {
          channels.add(ch);
        }
      } else if (elsewhere == null) {
        elsewhere = ch;
      }
    }
    List<String> victims = List.copyOf(channels);
    channels.add(elsewhere);
    for (String ch : channels) {
      call(follower.subscribe(ch));
    }

    Map<String, StreamPosition> lastAcked = new LinkedHashMap<>();
    List<Throwable> failures = new ArrayList<>();
    int[] seq = {0};
    publishUntil(channels, lastAcked, failures, seq, () -> seq[0] >= 300);
    Map<String, String> epochBefore = new HashMap<>();
    victims.forEach(ch -> epochBefore.put(ch, lastAcked.get(ch).epoch()));

    CompletableFuture<Integer> switched = CompletableFuture.supplyAsync(() -> failover.applyAsInt("{" + first + "}"));
    publishUntil(channels, lastAcked, failures, seq, switched::isDone);
    int promoted = switched.get();
    long promotedAt = System.nanoTime();

    // after: the publisher writes to the new master, and the follower gets all of it
    int[] rounds = {0};
    publishUntil(channels, lastAcked, failures, seq, () -> {
      if (System.nanoTime() - promotedAt > RESUME_DEADLINE.toNanos()) {
        throw new AssertionError("delivery did not resume within " + RESUME_DEADLINE + " of the promotion; "
            + "acknowledged " + lastAcked + ", followed " + channels.stream().map(events::lastPublication).toList()
            + "; last failure: " + (failures.isEmpty() ? "none" : failures.get(failures.size() - 1)));
      }
      // enough rounds after the promotion that the follower could lag, then it must catch up
      return rounds[0]++ >= 100 && victims.stream().allMatch(ch -> !lastAcked.get(ch).epoch().equals(epochBefore.get(ch)))
          && channels.stream().allMatch(ch -> lastAcked.get(ch).equals(events.lastPublication(ch)));
    });
    long resumedMs = (System.nanoTime() - promotedAt) / 1_000_000;
    assertThat(failures).as("publish failures during the failover")
        .allSatisfy(e -> assertThat(e).isInstanceOfSatisfying(EngineException.class,
            engine -> assertThat(engine.temporary()).as("temporary: " + engine.getMessage()).isTrue()));

    int gaps = 0;
    int lost = 0;
    for (String ch : channels) {
      StreamPosition last = null;
      for (Event e : events.of(ch)) {
        if (e.handOver()) {
          continue;
        }
        StreamPosition p = e.position();
        if (last != null && !(p.epoch().equals(last.epoch()) && p.offset() == last.offset() + 1)) {
          gaps++;
          assertThat(p.epoch().equals(last.epoch()) && p.offset() <= last.offset())
              .as(ch + ": " + p + " after " + last + " (a duplicate or going back)").isFalse();
          if (p.epoch().equals(last.epoch())) {
            // recovered: true, with exactly what was missed
            HistoryResult missed = call(follower.history(ch, HistoryFilter.since(last, HistoryFilter.NO_LIMIT)));
            List<Long> offsets = missed.publications().stream().map(Publication::offset).toList();
            List<Long> expected = new ArrayList<>();
            for (long o = last.offset() + 1; o < p.offset(); o++) {
              expected.add(o);
            }
            assertThat(offsets).as(ch + ": recovery from " + last + " before " + p).startsWith(expected.toArray(Long[]::new));
          } else {
            // a new epoch: whoever is at the old position gets recovered: false
            assertThat(failure(follower.history(ch, HistoryFilter.since(last, 10))))
                .as(ch + ": recovery from " + last + " once " + p + " arrived")
                .isInstanceOf(UnrecoverablePositionException.class);
            lost++;
          }
        }
        last = p;
      }
    }
    boolean killed = !redisAlive(victim);
    if (killed) {
      // its connection to the dead master was lost: whatever it missed, it was told
      for (String ch : victims) {
        assertThat(events.of(ch)).as(ch + ": the follower was told it may have missed events (position hand-over)")
            .anyMatch(Event::handOver);
      }
    }
    LOG.info("cluster failover: master " + victim + (killed ? " killed" : " demoted") + ", replica " + promoted + " promoted; " + seq[0]
        + " publishes, " + failures.size() + " failed (temporary); follower saw " + gaps + " discontinuities ("
        + lost + " across epochs); caught up " + resumedMs + " ms after the promotion");
  }

  @Test
  @DisplayName("a channel's slot moved to another master: Redis ends the node's subscription (sunsubscribe), the node "
      + "subscribes on the new master and hands the channel's position over")
  void slotMoved() throws Exception {
    String ch = "moving:0";
    String name = new RedisKeys(RedisEngineOptions.DEFAULT_PREFIX).pubsub(ch);
    int from = redis.currentMasterPortOf("{" + ch + "}");
    int to = redis.urls().stream().map(u -> Integer.parseInt(u.substring(u.lastIndexOf(':') + 1)))
        .filter(p -> p != from).findFirst().orElseThrow();
    RecordingHandler recorded = new RecordingHandler();
    follower.setEventHandler(recorded);
    call(follower.subscribe(ch));
    ClientInfo info = new ClientInfo("u", "c", null, null);
    // joins keep the slot free of keys, so it moves without MIGRATE
    call(publisher.publishJoin(ch, info));
    awaitCondition("the join before the move", () -> recorded.joins(ch).size() == 1);

    redis.moveEmptySlot("{" + ch + "}", to, FAILOVER_DEADLINE);

    awaitCondition("the node's subscription on the new master", () ->
        ((List<?>) redis.call(to, "PUBSUB", "SHARDCHANNELS", name)).size() == 1);
    assertThat((List<?>) redis.call(from, "PUBSUB", "SHARDCHANNELS", name)).as("left on the old master").isEmpty();
    awaitCondition("the position hand-over", () -> !recorded.positions(ch).isEmpty());
    call(publisher.publishJoin(ch, info));
    awaitCondition("a join after the move", () -> recorded.joins(ch).size() == 2);
  }

  private static void awaitCondition(String what, BooleanSupplier condition) throws InterruptedException {
    long end = System.nanoTime() + RESUME_DEADLINE.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - end > 0) {
        throw new AssertionError("timed out after " + RESUME_DEADLINE + " waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  private boolean redisAlive(int port) {
    try {
      redis.call(port, "PING");
      return true;
    } catch (RuntimeException | AssertionError e) {
      return false;
    }
  }

  /** Publishes a round to every channel, awaiting each round, until {@code done} says so. */
  private void publishUntil(List<String> channels, Map<String, StreamPosition> lastAcked, List<Throwable> failures,
                            int[] seq, BooleanSupplier done) throws InterruptedException {
    while (!done.getAsBoolean()) {
      List<Future<StreamPosition>> round = new ArrayList<>();
      for (String ch : channels) {
        round.add(publisher.publish(ch, "{\"n\":" + (seq[0]++) + "}", HISTORY));
      }
      for (int i = 0; i < round.size(); i++) {
        try {
          lastAcked.put(channels.get(i), round.get(i).toCompletionStage().toCompletableFuture()
              .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (ExecutionException e) {
          failures.add(e.getCause());
        } catch (TimeoutException e) {
          throw new AssertionError("a publish neither succeeded nor failed within " + CALL_TIMEOUT, e);
        }
      }
    }
  }

  private static <T> T call(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static Throwable failure(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (InterruptedException | TimeoutException e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected a failure");
  }
}
