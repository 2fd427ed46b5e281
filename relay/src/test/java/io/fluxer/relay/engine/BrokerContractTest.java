package io.fluxer.relay.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.HistoryResult;
import io.fluxer.relay.protocol.Publication;
import io.fluxer.relay.protocol.StreamPosition;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Behaviour every {@link Broker} must show. Subclasses provide a fresh broker per test; channel names
 * carry a random per-test prefix, so a shared Redis can back the suite. Handler events are awaited
 * with a deadline, so implementations may deliver them asynchronously. Time is real: TTL tests use
 * {@link #shortTtl()} and poll until the condition holds or {@link #deadline()} passes.
 */
public abstract class BrokerContractTest {
  protected static final Duration LONG_TTL = Duration.ofMinutes(10);
  protected static final String RAW_JSON = "{\"a\":[1,2,{\"b\":\"ü\\n\"}]}";

  protected Broker broker;
  protected RecordingHandler events;
  private String prefix;

  /** A fresh broker, isolated from those of other tests. */
  protected abstract Broker createBroker();

  /** History TTL for expiry tests; override if the implementation has a coarser time resolution. */
  protected Duration shortTtl() {
    return Duration.ofMillis(300);
  }

  /** How long to wait for an asynchronous result or an expiry before failing. */
  protected Duration deadline() {
    return Duration.ofSeconds(5);
  }

  @BeforeEach
  void createBrokerAndHandler() {
    broker = createBroker();
    events = new RecordingHandler();
    broker.setEventHandler(events);
    prefix = "test-" + UUID.randomUUID().toString().substring(0, 8) + ":";
  }

  @AfterEach
  void closeBroker() {
    await(broker.close());
  }

  @Test
  @DisplayName("offsets increase by one and the epoch stays the same")
  void offsetsIncreaseByOne() {
    String ch = channel("offsets");
    List<StreamPosition> positions = publishMany(ch, 5, history(10));

    assertThat(positions).extracting(StreamPosition::offset).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(positions).extracting(StreamPosition::epoch).containsOnly(positions.get(0).epoch());
    assertThat(positions.get(0).epoch()).isNotEmpty();
  }

  @Test
  @DisplayName("history lists publications oldest first, with the top position")
  void historyOldestFirst() {
    String ch = channel("oldest-first");
    List<StreamPosition> positions = publishMany(ch, 3, history(10));

    HistoryResult result = await(broker.history(ch, new HistoryFilter(null, HistoryFilter.NO_LIMIT, false)));

    assertThat(offsets(result)).containsExactly(1L, 2L, 3L);
    assertThat(result.publications()).extracting(Publication::data)
        .containsExactly(data(1), data(2), data(3));
    assertThat(result.position()).isEqualTo(positions.get(2));
  }

  @Test
  @DisplayName("reverse history lists publications newest first")
  void historyReverse() {
    String ch = channel("reverse");
    publishMany(ch, 3, history(10));

    HistoryResult result = await(broker.history(ch, new HistoryFilter(null, HistoryFilter.NO_LIMIT, true)));

    assertThat(offsets(result)).containsExactly(3L, 2L, 1L);
    assertThat(result.position().offset()).isEqualTo(3);
  }

  @Test
  @DisplayName("limit keeps the oldest, or with reverse the newest, publications")
  void historyLimit() {
    String ch = channel("limit");
    publishMany(ch, 5, history(10));

    assertThat(offsets(await(broker.history(ch, new HistoryFilter(null, 2, false))))).containsExactly(1L, 2L);
    assertThat(offsets(await(broker.history(ch, new HistoryFilter(null, 2, true))))).containsExactly(5L, 4L);
    assertThat(offsets(await(broker.history(ch, new HistoryFilter(null, 9, false)))))
        .containsExactly(1L, 2L, 3L, 4L, 5L);
  }

  @Test
  @DisplayName("limit 0 answers only the stream position")
  void limitZeroGivesOnlyPosition() {
    String ch = channel("position-only");
    List<StreamPosition> positions = publishMany(ch, 3, history(10));

    HistoryResult result = await(broker.history(ch, HistoryFilter.positionOnly()));

    assertThat(result.publications()).isEmpty();
    assertThat(result.position()).isEqualTo(positions.get(2));
  }

  @Test
  @DisplayName("history size drops the oldest publications")
  void historySizeTrimsOldest() {
    String ch = channel("trim");
    publishMany(ch, 5, history(3));

    HistoryResult result = await(broker.history(ch, new HistoryFilter(null, HistoryFilter.NO_LIMIT, false)));

    assertThat(offsets(result)).containsExactly(3L, 4L, 5L);
    assertThat(result.position().offset()).isEqualTo(5);
  }

  @Test
  @DisplayName("expired publications leave history but the epoch and top offset stay")
  void historyTtlKeepsEpochAndOffset() {
    String ch = channel("ttl");
    PublishOptions shortLived = PublishOptions.withHistory(10, shortTtl());
    List<StreamPosition> positions = publishMany(ch, 2, shortLived);
    String epoch = positions.get(0).epoch();

    HistoryFilter all = new HistoryFilter(null, HistoryFilter.NO_LIMIT, false);
    eventually("history to expire", () -> await(broker.history(ch, all)).publications().isEmpty());

    assertThat(await(broker.history(ch, all)).position()).isEqualTo(new StreamPosition(2, epoch));
    StreamPosition next = await(broker.publish(ch, data(3), history(10)));
    assertThat(next).isEqualTo(new StreamPosition(3, epoch));
    assertThat(offsets(await(broker.history(ch, all)))).containsExactly(3L);
  }

  @Test
  @DisplayName("since answers only the publications after the position")
  void sinceReturnsLaterPublications() {
    String ch = channel("since");
    List<StreamPosition> positions = publishMany(ch, 5, history(10));
    String epoch = positions.get(0).epoch();
    StreamPosition second = new StreamPosition(2, epoch);

    HistoryResult after = await(broker.history(ch, HistoryFilter.since(second, HistoryFilter.NO_LIMIT)));
    assertThat(offsets(after)).containsExactly(3L, 4L, 5L);
    assertThat(after.position()).isEqualTo(new StreamPosition(5, epoch));

    assertThat(offsets(await(broker.history(ch, HistoryFilter.since(second, 2))))).containsExactly(3L, 4L);
    assertThat(offsets(await(broker.history(ch, new HistoryFilter(second, HistoryFilter.NO_LIMIT, true)))))
        .containsExactly(5L, 4L, 3L);
    assertThat(offsets(await(broker.history(ch, new HistoryFilter(second, 2, true))))).containsExactly(5L, 4L);
    assertThat(await(broker.history(ch, HistoryFilter.since(positions.get(4), HistoryFilter.NO_LIMIT)))
        .publications()).isEmpty();
  }

  @Test
  @DisplayName("since from another epoch fails as unrecoverable")
  void sinceWithOtherEpochFails() {
    String ch = channel("other-epoch");
    StreamPosition position = await(broker.publish(ch, data(1), history(10)));
    StreamPosition foreign = new StreamPosition(1, position.epoch() + "x");

    Throwable failure = awaitFailure(broker.history(ch, HistoryFilter.since(foreign, HistoryFilter.NO_LIMIT)));

    assertThat(failure).isInstanceOf(UnrecoverablePositionException.class);
  }

  @Test
  @DisplayName("a fresh channel has offset 0 and an epoch that later publications keep")
  void freshChannelEpochIsKept() {
    String ch = channel("fresh");

    HistoryResult fresh = await(broker.history(ch, new HistoryFilter(null, HistoryFilter.NO_LIMIT, false)));
    assertThat(fresh.publications()).isEmpty();
    assertThat(fresh.position().offset()).isZero();
    assertThat(fresh.position().epoch()).isNotEmpty();

    assertThat(await(broker.publish(ch, data(1), history(10))))
        .isEqualTo(new StreamPosition(1, fresh.position().epoch()));
    HistoryResult recovered = await(broker.history(ch, HistoryFilter.since(fresh.position(), 10)));
    assertThat(offsets(recovered)).containsExactly(1L);
  }

  @Test
  @DisplayName("removing history keeps the epoch and top offset")
  void removeHistoryKeepsPosition() {
    String ch = channel("remove");
    List<StreamPosition> positions = publishMany(ch, 3, history(10));

    await(broker.removeHistory(ch));

    HistoryResult result = await(broker.history(ch, new HistoryFilter(null, HistoryFilter.NO_LIMIT, false)));
    assertThat(result.publications()).isEmpty();
    assertThat(result.position()).isEqualTo(positions.get(2));
    assertThat(await(broker.publish(ch, data(4), history(10))))
        .isEqualTo(new StreamPosition(4, positions.get(0).epoch()));
  }

  @Test
  @DisplayName("an idempotency key publishes once per channel and answers the first position")
  void idempotencyKeyDedupes() {
    String ch = subscribed("idempotent");
    String other = channel("idempotent-other");
    PublishOptions once = withKey(history(10), "key-1");

    StreamPosition first = await(broker.publish(ch, data(1), once));
    StreamPosition again = await(broker.publish(ch, data(2), once));
    StreamPosition otherKey = await(broker.publish(ch, data(3), withKey(history(10), "key-2")));
    StreamPosition otherChannel = await(broker.publish(other, data(4), once));

    assertThat(again).isEqualTo(first);
    assertThat(otherKey.offset()).isEqualTo(2);
    assertThat(otherChannel.offset()).isEqualTo(1);
    HistoryResult result = await(broker.history(ch, new HistoryFilter(null, HistoryFilter.NO_LIMIT, false)));
    assertThat(result.publications()).extracting(Publication::data).containsExactly(data(1), data(3));
    eventually("two publications on the channel", () -> events.publications(ch).size() == 2);
    assertThat(events.publications(ch)).extracting(Publication::data).containsExactly(data(1), data(3));
  }

  @Test
  @DisplayName("a publication without history reaches the handler with offset 0 and is not stored")
  void noHistoryPublishIsNotStored() {
    String ch = subscribed("no-history");

    StreamPosition position = await(broker.publish(ch, data(1), PublishOptions.noHistory()));

    assertThat(position.offset()).isZero();
    eventually("the publication to reach the handler", () -> events.publications(ch).size() == 1);
    assertThat(events.publications(ch).get(0)).isEqualTo(new Publication(0, data(1), null, Map.of()));
    HistoryResult result = await(broker.history(ch, new HistoryFilter(null, HistoryFilter.NO_LIMIT, false)));
    assertThat(result.publications()).isEmpty();
    assertThat(result.position().offset()).isZero();
  }

  @Test
  @DisplayName("channels have independent streams")
  void channelsAreIndependent() {
    String a = channel("a");
    String b = channel("b");
    publishMany(a, 3, history(10));

    StreamPosition firstOfB = await(broker.publish(b, data(1), history(10)));

    assertThat(firstOfB.offset()).isEqualTo(1);
    assertThat(offsets(await(broker.history(b, new HistoryFilter(null, HistoryFilter.NO_LIMIT, false)))))
        .containsExactly(1L);
  }

  @Test
  @DisplayName("data, publisher info and tags round-trip exactly")
  void publicationRoundTrips() {
    String ch = subscribed("round-trip");
    ClientInfo publisher = new ClientInfo("user-1", "client-1", "{\"name\":\"Zoë\"}", "{ \"role\" : [\"x\"] }");
    Map<String, String> tags = Map.of("kind", "chat", "emoji", "✓", "empty", "");
    String spaced = "{ \"x\" : 1.50 , \"y\" : null }";

    await(broker.publish(ch, RAW_JSON, history(10).withInfo(publisher).withTags(tags)));
    await(broker.publish(ch, spaced, history(10)));

    Publication full = new Publication(1, RAW_JSON, publisher, tags);
    Publication bare = new Publication(2, spaced, null, Map.of());
    HistoryResult result = await(broker.history(ch, new HistoryFilter(null, HistoryFilter.NO_LIMIT, false)));
    assertThat(result.publications()).containsExactly(full, bare);
    eventually("both publications to reach the handler", () -> events.publications(ch).size() == 2);
    assertThat(events.publications(ch)).containsExactly(full, bare);
  }

  @Test
  @DisplayName("concurrent publishers: the handler gets every publication in offset order, one at a time")
  void concurrentPublishesReachHandlerInOrder() throws Exception {
    String ch = subscribed("concurrent");
    int threads = 4;
    int perThread = 500;
    List<Long> returned = publishConcurrently(broker, ch, threads, perThread, history(threads * perThread));

    long total = (long) threads * perThread;
    List<Long> expected = LongStream.rangeClosed(1, total).boxed().toList();
    assertThat(returned).containsExactlyInAnyOrderElementsOf(expected);
    eventually("all publications to reach the handler", () -> events.publications(ch).size() == total);
    assertThat(events.publications(ch)).extracting(Publication::offset).containsExactlyElementsOf(expected);
    assertThat(events.overlapped()).as("handler called concurrently for one channel").isFalse();
    HistoryResult result = await(broker.history(ch, HistoryFilter.positionOnly()));
    assertThat(result.position().offset()).isEqualTo(total);
  }

  @Test
  @DisplayName("concurrent publishers without history: the handler gets every publication, one at a time")
  void concurrentNoHistoryPublishesDoNotOverlap() throws Exception {
    String ch = subscribed("concurrent-no-history");
    int threads = 4;
    int perThread = 300;
    List<Long> returned = publishConcurrently(broker, ch, threads, perThread, PublishOptions.noHistory());

    assertThat(returned).hasSize(threads * perThread).containsOnly(0L);
    eventually("all publications to reach the handler",
        () -> events.publications(ch).size() == threads * perThread);
    assertThat(events.overlapped()).as("handler called concurrently for one channel").isFalse();
  }

  @Test
  @DisplayName("joins and leaves reach the handler")
  void joinAndLeaveReachHandler() {
    String ch = subscribed("join-leave");
    ClientInfo info = new ClientInfo("user-7", "client-7", "{\"a\":1}", null);

    await(broker.publishJoin(ch, info));
    await(broker.publishLeave(ch, info));

    eventually("the join", () -> events.joins(ch).size() == 1);
    eventually("the leave", () -> events.leaves(ch).size() == 1);
    assertThat(events.joins(ch)).containsExactly(info);
    assertThat(events.leaves(ch)).containsExactly(info);
    assertThat(events.publications(ch)).isEmpty();
  }

  // ---- helpers, also for subclasses ----

  /** A channel name unique to this test run. */
  protected String channel(String name) {
    return prefix + name;
  }

  /** A channel name unique to this test run, whose events the broker hands to {@link #events}. */
  protected String subscribed(String name) {
    String ch = channel(name);
    await(broker.subscribe(ch));
    return ch;
  }

  protected static String data(int n) {
    return "{\"n\":" + n + "}";
  }

  protected static PublishOptions history(int size) {
    return PublishOptions.withHistory(size, LONG_TTL);
  }

  protected static PublishOptions withKey(PublishOptions o, String key) {
    return new PublishOptions(o.info(), o.tags(), o.historySize(), o.historyTtl(), o.historyMetaTtl(), key);
  }

  protected List<StreamPosition> publishMany(String channel, int count, PublishOptions options) {
    List<StreamPosition> positions = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      positions.add(await(broker.publish(channel, data(i), options)));
    }
    return positions;
  }

  protected static List<Long> offsets(HistoryResult result) {
    return result.publications().stream().map(Publication::offset).toList();
  }

  /** Publishes from several threads at once; answers the offsets the broker returned. */
  protected List<Long> publishConcurrently(Broker target, String channel, int threads, int perThread,
                                           PublishOptions options) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<java.util.concurrent.Future<List<Long>>> tasks = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        tasks.add(pool.submit(() -> {
          start.await();
          List<Long> offsets = new ArrayList<>();
          for (int i = 0; i < perThread; i++) {
            offsets.add(await(target.publish(channel, data(thread * perThread + i), options)).offset());
          }
          return offsets;
        }));
      }
      start.countDown();
      List<Long> all = new ArrayList<>();
      for (java.util.concurrent.Future<List<Long>> task : tasks) {
        all.addAll(task.get(deadline().toMillis() * 4, TimeUnit.MILLISECONDS));
      }
      return all;
    } finally {
      pool.shutdownNow();
    }
  }

  /** Blocks the test thread until the future succeeds; fails the test if it fails or times out. */
  protected <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(deadline().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("future failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("future did not complete within " + deadline(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Blocks the test thread until the future fails and answers the cause. */
  protected Throwable awaitFailure(Future<?> future) {
    try {
      Object value = future.toCompletionStage().toCompletableFuture()
          .get(deadline().toMillis(), TimeUnit.MILLISECONDS);
      return fail("expected a failure but got " + value);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("future did not complete within " + deadline(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** Polls {@code condition} until it holds, failing after {@link #deadline()}. */
  protected void eventually(String what, BooleanSupplier condition) {
    long end = System.nanoTime() + deadline().toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - end > 0) {
        fail("timed out after " + deadline() + " waiting for " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  /** Records handler calls per channel and notices overlapping publication calls for one channel. */
  public static final class RecordingHandler implements BrokerEventHandler {
    private final Map<String, List<Publication>> publications = new ConcurrentHashMap<>();
    private final Map<String, List<ClientInfo>> joins = new ConcurrentHashMap<>();
    private final Map<String, List<ClientInfo>> leaves = new ConcurrentHashMap<>();
    private final Map<String, List<StreamPosition>> positions = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final AtomicBoolean overlapped = new AtomicBoolean();

    @Override
    public void onPublication(String channel, Publication publication, String epoch) {
      AtomicInteger running = inFlight.computeIfAbsent(channel, c -> new AtomicInteger());
      if (running.incrementAndGet() > 1) {
        overlapped.set(true);
      }
      try {
        Thread.yield(); // widen the window in which an overlapping call would be seen
        publications.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(publication);
      } finally {
        running.decrementAndGet();
      }
    }

    @Override
    public void onJoin(String channel, ClientInfo info) {
      joins.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(info);
    }

    @Override
    public void onLeave(String channel, ClientInfo info) {
      leaves.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(info);
    }

    @Override
    public void onPosition(String channel, StreamPosition position) {
      positions.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(position);
    }

    /** The positions handed over for {@code channel} (after the broker may have missed events of it). */
    public List<StreamPosition> positions(String channel) {
      return positions.getOrDefault(channel, List.of());
    }

    public List<Publication> publications(String channel) {
      return Collections.unmodifiableList(publications.getOrDefault(channel, List.of()));
    }

    public List<ClientInfo> joins(String channel) {
      return Collections.unmodifiableList(joins.getOrDefault(channel, List.of()));
    }

    public List<ClientInfo> leaves(String channel) {
      return Collections.unmodifiableList(leaves.getOrDefault(channel, List.of()));
    }

    /** Whether two publication calls for one channel ever ran at the same time. */
    public boolean overlapped() {
      return overlapped.get();
    }
  }
}
