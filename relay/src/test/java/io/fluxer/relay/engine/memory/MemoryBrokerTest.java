package io.fluxer.relay.engine.memory;

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
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MemoryBrokerTest extends BrokerContractTest {
  private static final HistoryFilter ALL = new HistoryFilter(null, HistoryFilter.NO_LIMIT, false);

  /** Starts just below the overflow of {@code long}, so deadlines wrap around during the tests. */
  private final AtomicLong nanos = new AtomicLong(Long.MAX_VALUE - Duration.ofMinutes(1).toNanos());
  private MemoryBroker clocked;

  @Override
  protected Broker createBroker() {
    return new MemoryBroker();
  }

  @BeforeEach
  void createClockedBroker() {
    clocked = new MemoryBroker(Duration.ofMinutes(5), Duration.ofHours(1), nanos::get);
    clocked.setEventHandler(events);
  }

  private void advance(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  private static PublishOptions metaTtl(Duration metaTtl) {
    return new PublishOptions(null, Map.of(), 10, Duration.ofDays(1), metaTtl, null);
  }

  @Test
  @DisplayName("the stream meta lives while publications keep coming, then the channel starts over")
  void metaTtlExpiryGivesNewEpoch() {
    String ch = channel("meta");
    PublishOptions options = metaTtl(Duration.ofMinutes(10));
    String epoch = await(clocked.publish(ch, data(1), options)).epoch();
    advance(Duration.ofMinutes(9));
    assertThat(await(clocked.publish(ch, data(2), options))).isEqualTo(new StreamPosition(2, epoch));
    advance(Duration.ofMinutes(9));
    assertThat(await(clocked.history(ch, ALL)).position()).isEqualTo(new StreamPosition(2, epoch));

    advance(Duration.ofMinutes(2));

    HistoryResult expired = await(clocked.history(ch, ALL));
    assertThat(expired.publications()).isEmpty();
    assertThat(expired.position().offset()).isZero();
    assertThat(expired.position().epoch()).isNotEmpty().isNotEqualTo(epoch);
    assertThat(await(clocked.publish(ch, data(3), options)))
        .isEqualTo(new StreamPosition(1, expired.position().epoch()));
  }

  @Test
  @DisplayName("a position from before the meta expired is unrecoverable")
  void sinceAfterMetaExpiryIsUnrecoverable() {
    String ch = channel("meta-since");
    StreamPosition old = await(clocked.publish(ch, data(1), metaTtl(Duration.ofMinutes(1))));
    advance(Duration.ofMinutes(2));
    await(clocked.publish(ch, data(2), metaTtl(Duration.ofMinutes(1))));

    Throwable failure = awaitFailure(clocked.history(ch, HistoryFilter.since(old, 10)));

    assertThat(failure).isInstanceOf(UnrecoverablePositionException.class);
  }

  @Test
  @DisplayName("each publication expires after its own history TTL")
  void publicationsExpireOneByOne() {
    String ch = channel("ttl");
    PublishOptions options = PublishOptions.withHistory(10, Duration.ofMillis(300));
    String epoch = await(clocked.publish(ch, data(1), options)).epoch();
    advance(Duration.ofMillis(200));
    await(clocked.publish(ch, data(2), options));

    advance(Duration.ofMillis(150));
    assertThat(offsets(await(clocked.history(ch, ALL)))).containsExactly(2L);
    advance(Duration.ofMillis(150));

    HistoryResult result = await(clocked.history(ch, ALL));
    assertThat(result.publications()).isEmpty();
    assertThat(result.position()).isEqualTo(new StreamPosition(2, epoch));
  }

  @Test
  @DisplayName("an idempotency key is forgotten after the window")
  void idempotencyWindowExpires() {
    String ch = channel("idempotent");
    PublishOptions once = withKey(history(10), "k");
    StreamPosition first = await(clocked.publish(ch, data(1), once));
    advance(Duration.ofMinutes(4));
    assertThat(await(clocked.publish(ch, data(2), once))).isEqualTo(first);

    advance(Duration.ofMinutes(2));

    assertThat(await(clocked.publish(ch, data(3), once)).offset()).isEqualTo(2);
    assertThat(await(clocked.history(ch, ALL)).publications()).extracting(Publication::data)
        .containsExactly(data(1), data(3));
  }

  @Test
  @DisplayName("reading an unknown channel creates meta that lives for the default meta TTL")
  void freshChannelMetaUsesDefaultTtl() {
    String ch = channel("fresh");
    String epoch = await(clocked.history(ch, ALL)).position().epoch();
    advance(Duration.ofMinutes(59));
    assertThat(await(clocked.history(ch, ALL)).position()).isEqualTo(new StreamPosition(0, epoch));

    advance(Duration.ofMinutes(2));

    assertThat(await(clocked.history(ch, ALL)).position().epoch()).isNotEqualTo(epoch);
  }

  @Test
  @DisplayName("a publish without history answers offset 0 with an empty epoch and leaves no stream")
  void noHistoryPublishLeavesNoState() {
    String ch = channel("no-history");

    assertThat(await(clocked.publish(ch, data(1), PublishOptions.noHistory())))
        .isEqualTo(new StreamPosition(0, ""));
    assertThat(clocked.streamCount()).isZero();
    assertThat(events.publications(ch)).hasSize(1);
  }

  @Test
  @DisplayName("a publish without history keeps its idempotency key for the window only")
  void noHistoryIdempotencyKey() {
    String ch = channel("no-history-key");
    PublishOptions once = withKey(PublishOptions.noHistory(), "k");
    await(clocked.publish(ch, data(1), once));
    await(clocked.publish(ch, data(2), once));
    assertThat(events.publications(ch)).extracting(Publication::data).containsExactly(data(1));
    assertThat(clocked.streamCount()).isEqualTo(1);

    advance(Duration.ofMinutes(6));
    clocked.sweep(10);

    assertThat(clocked.streamCount()).isZero();
  }

  @Test
  @DisplayName("a sweep removes expired streams and keeps live ones")
  void sweepRemovesExpiredStreams() {
    for (int i = 0; i < 100; i++) {
      await(clocked.publish(channel("short-" + i), data(i), metaTtl(Duration.ofMinutes(1))));
    }
    String live = channel("live");
    StreamPosition livePosition = await(clocked.publish(live, data(1), metaTtl(Duration.ofHours(1))));
    assertThat(clocked.streamCount()).isEqualTo(101);

    advance(Duration.ofMinutes(2));
    clocked.sweep(1000);

    assertThat(clocked.streamCount()).isEqualTo(1);
    assertThat(await(clocked.history(live, ALL)).position()).isEqualTo(livePosition);
  }

  @Test
  @DisplayName("publishing sweeps expired streams by itself, a bounded batch at a time")
  void publishingSweepsIncrementally() {
    for (int i = 0; i < 100; i++) {
      await(clocked.publish(channel("short-" + i), data(i), metaTtl(Duration.ofMinutes(1))));
    }
    advance(Duration.ofMinutes(2));

    for (int i = 0; i < 2 * MemoryBroker.SWEEP_EVERY; i++) {
      await(clocked.publish(channel("busy"), data(i), PublishOptions.noHistory()));
    }

    assertThat(clocked.streamCount()).isZero();
  }

  @Test
  @DisplayName("publishing without a handler fails")
  void publishWithoutHandlerFails() {
    Broker bare = new MemoryBroker();

    Throwable failure = awaitFailure(bare.publish(channel("x"), data(1), history(10)));

    assertThat(failure).isInstanceOf(IllegalStateException.class);
  }

  @Test
  @DisplayName("a failing handler fails the publish, but the publication stays in history")
  void failingHandler() {
    String ch = channel("failing");
    clocked.setEventHandler(new BrokerEventHandler() {
      @Override
      public void onPublication(String channel, Publication publication, String epoch) {
        throw new IllegalArgumentException("boom");
      }

      @Override
      public void onJoin(String channel, ClientInfo info) {}

      @Override
      public void onLeave(String channel, ClientInfo info) {}
    });

    Throwable failure = awaitFailure(clocked.publish(ch, data(1), history(10)));

    assertThat(failure).hasMessage("boom");
    assertThat(offsets(await(clocked.history(ch, ALL)))).containsExactly(1L);
  }

  @Test
  @DisplayName("publishes racing with sweeps of released streams lose nothing and never overlap")
  void publishesRaceWithSweeps() throws Exception {
    String ch = channel("race"); // without history each publish creates and releases the stream
    AtomicBoolean done = new AtomicBoolean();
    Thread sweeper = new Thread(() -> {
      while (!done.get()) {
        clocked.sweep(MemoryBroker.SWEEP_BATCH);
      }
    });
    sweeper.start();
    List<Long> offsets;
    try {
      offsets = publishConcurrently(clocked, ch, 4, 500, PublishOptions.noHistory());
    } finally {
      done.set(true);
      sweeper.join();
    }

    assertThat(offsets).hasSize(2000).containsOnly(0L);
    assertThat(events.publications(ch)).hasSize(2000);
    assertThat(events.overlapped()).isFalse();
  }
}
