package io.fluxer.relay.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.engine.Broker;
import io.fluxer.relay.engine.BrokerContractTest.RecordingHandler;
import io.fluxer.relay.engine.EngineException;
import io.fluxer.relay.engine.HistoryFilter;
import io.fluxer.relay.engine.PublishOptions;
import io.fluxer.relay.engine.UnrecoverablePositionException;
import io.fluxer.relay.protocol.HistoryResult;
import io.fluxer.relay.protocol.Publication;
import io.fluxer.relay.protocol.StreamPosition;
import io.fluxer.relay.testing.RedisTestSentinel;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A forced Sentinel failover while a broker publishes to channels with history. Replication is
 * asynchronous, so what the old master stored after the replica was promoted (until the broker moves
 * to the new master) is lost; the test checks what a reader sees afterwards: every publication the
 * broker acknowledged either is in history at its position, or its epoch is no longer the channel's
 * (recovering from it gives {@code recovered: false}). Never the same epoch with a missing or
 * different publication at an acknowledged offset.
 */
class RedisSentinelFailoverTest {
  private static final Logger LOG = Logger.getLogger(RedisSentinelFailoverTest.class.getName());
  private static final List<String> CHANNELS = List.of("failover:a", "failover:b", "failover:c");
  private static final PublishOptions HISTORY = PublishOptions.withHistory(1_000_000, Duration.ofMinutes(10));
  private static final HistoryFilter ALL = new HistoryFilter(null, HistoryFilter.NO_LIMIT, false);
  /** How long publishing may fail after the sentinel named the new master. */
  private static final Duration RESUME_DEADLINE = Duration.ofSeconds(15);
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(10);

  private RedisTestSentinel redis;
  private Vertx vertx;
  private Broker broker;

  /** One acknowledged publish. */
  private record Acked(String channel, StreamPosition position, String data, long atNanos) {}

  @BeforeEach
  void start() {
    redis = RedisTestSentinel.start();
    vertx = Vertx.vertx();
    broker = RedisBroker.create(vertx, RedisEngineOptions.of(RedisTopology.sentinel(redis.sentinelUrls(),
        RedisTestSentinel.MASTER_NAME)).withCommandTimeout(Duration.ofSeconds(3)));
    broker.setEventHandler(new RecordingHandler());
  }

  @AfterEach
  void stop() throws Exception {
    try {
      if (broker != null) {
        broker.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
      if (vertx != null) {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    } finally {
      redis.close();
    }
  }

  @Test
  @DisplayName("publishing through a forced failover: failures are temporary, publishing resumes on the new "
      + "master, and no acknowledged position is silently reused or lost under the same epoch")
  void failoverUnderLoad() throws Exception {
    List<Acked> acked = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    int[] seq = {0};
    String oldMasterReplId = redis.masterReplicationId();

    // before: a steady stream on every channel
    publishUntil(acked, failures, seq, () -> acked.size() >= 300);

    CompletableFuture<Integer> failover = CompletableFuture.supplyAsync(redis::failover);
    publishUntil(acked, failures, seq, failover::isDone);
    failover.get();
    long switchedAt = System.nanoTime();

    // after: publishing must work again, on the new master, within the deadline
    String newReplId = redis.masterReplicationId();
    assertThat(newReplId).isNotEqualTo(oldMasterReplId);
    RedisKeys keys = new RedisKeys(RedisEngineOptions.DEFAULT_PREFIX);
    int before = acked.size();
    int[] rounds = {0};
    publishUntil(acked, failures, seq, () -> {
      if (System.nanoTime() - switchedAt > RESUME_DEADLINE.toNanos()) {
        throw new AssertionError("publishing did not resume on the new master within " + RESUME_DEADLINE
            + " of the failover; last failure: " + (failures.isEmpty() ? "none" : failures.get(failures.size() - 1)));
      }
      return acked.size() - before >= 300 && rounds[0]++ % 50 == 0 && CHANNELS.stream().allMatch(ch ->
          newReplId.equals(redis.callMaster("HGET", keys.meta(ch), "r")));
    });
    long resumedMs = (System.nanoTime() - switchedAt) / 1_000_000;
    assertThat(failures).as("publish failures during the failover")
        .allSatisfy(e -> assertThat(e).isInstanceOfSatisfying(EngineException.class,
            engine -> assertThat(engine.temporary()).as("temporary: " + engine.getMessage()).isTrue()));

    // the broker now writes to the new master: each channel's meta there names its replication history
    Map<String, String> epochOnNewMaster = new HashMap<>();
    for (String ch : CHANNELS) {
      epochOnNewMaster.put(ch, String.valueOf(redis.callMaster("HGET", keys.meta(ch), "e")));
    }

    int lost = 0;
    for (String ch : CHANNELS) {
      HistoryResult history = call(broker.history(ch, ALL));
      StreamPosition top = history.position();
      assertThat(top.epoch()).as("epoch read through the broker = the new master's").isEqualTo(epochOnNewMaster.get(ch));
      Map<Long, String> stored = new HashMap<>();
      for (Publication p : history.publications()) {
        stored.put(p.offset(), p.data());
      }
      for (Acked a : acked) {
        if (!a.channel().equals(ch)) {
          continue;
        }
        if (a.position().epoch().equals(top.epoch())) {
          assertThat(stored.get(a.position().offset()))
              .as("acknowledged publication at " + a.position() + " of " + ch + " under the current epoch")
              .isEqualTo(a.data());
        } else {
          if (!a.data().equals(stored.get(a.position().offset()))) {
            lost++;
          }
        }
      }
      // every position of an older epoch is unrecoverable: those clients get recovered: false
      acked.stream().filter(a -> a.channel().equals(ch) && !a.position().epoch().equals(top.epoch()))
          .map(Acked::position).distinct().reduce((x, y) -> y).ifPresent(last ->
              assertThat(failure(broker.history(ch, HistoryFilter.since(last, 10))))
                  .isInstanceOf(UnrecoverablePositionException.class));
    }
    long epochs = acked.stream().map(a -> a.channel() + a.position().epoch()).distinct().count();
    long longestGapMs = 0;
    for (int i = 1; i < acked.size(); i++) {
      longestGapMs = Math.max(longestGapMs, (acked.get(i).atNanos() - acked.get(i - 1).atNanos()) / 1_000_000);
    }
    LOG.info("failover: " + acked.size() + " publishes acknowledged, " + failures.size() + " failed (temporary), "
        + lost + " acknowledged ones lost with the old master, " + epochs + " channel epochs, longest time without "
        + "an acknowledged publish " + longestGapMs + " ms, publishing on the new master " + resumedMs
        + " ms after the sentinel named it");
  }

  /** Publishes a round to every channel, awaiting each round, until {@code done} says so. */
  private void publishUntil(List<Acked> acked, List<Throwable> failures, int[] seq,
                            BooleanSupplier done) throws InterruptedException {
    while (!done.getAsBoolean()) {
      List<Future<StreamPosition>> round = new ArrayList<>();
      List<String> datas = new ArrayList<>();
      // a read per round, as a node's subscribes do: it keeps the client's cached sentinel topology
      // fresh, which is what can make Vert.x move the pipeline back to the old master at the switch
      Future<HistoryResult> read = broker.history(CHANNELS.get(seq[0] % CHANNELS.size()), HistoryFilter.positionOnly());
      for (String ch : CHANNELS) {
        String data = "{\"n\":" + (seq[0]++) + "}";
        datas.add(data);
        round.add(broker.publish(ch, data, HISTORY));
      }
      for (int i = 0; i < round.size(); i++) {
        try {
          StreamPosition p = round.get(i).toCompletionStage().toCompletableFuture()
              .get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
          acked.add(new Acked(CHANNELS.get(i), p, datas.get(i), System.nanoTime()));
        } catch (ExecutionException e) {
          failures.add(e.getCause());
        } catch (TimeoutException e) {
          throw new AssertionError("a publish neither succeeded nor failed within " + CALL_TIMEOUT, e);
        }
      }
      try {
        read.toCompletionStage().toCompletableFuture().get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        failures.add(e.getCause());
      } catch (TimeoutException e) {
        throw new AssertionError("a history read neither succeeded nor failed within " + CALL_TIMEOUT, e);
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
