package io.fluxer.relay.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.fluxer.relay.engine.Broker;
import io.fluxer.relay.engine.BrokerContractTest.RecordingHandler;
import io.fluxer.relay.engine.EngineException;
import io.fluxer.relay.engine.HistoryFilter;
import io.fluxer.relay.engine.PresenceManager;
import io.fluxer.relay.engine.PublishOptions;
import io.fluxer.relay.engine.UnrecoverablePositionException;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.HistoryResult;
import io.fluxer.relay.protocol.StreamPosition;
import io.fluxer.relay.testing.RedisTestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Redis going away: data loss ({@code FLUSHALL}), a crash and restart, and a Redis that accepts
 * connections but never answers. Runs against a private redis-server that the tests kill and restart,
 * never the shared one.
 *
 * <p>When Redis is killed, the Vert.x Redis client may log {@code SEVERE: Unhandled exception
 * java.lang.AssertionError at RedisStandaloneConnection.end}: with assertions on (as under surefire)
 * its close handler asserts the connection was not already failed by the reset. That is the client's
 * own bookkeeping and harmless; these tests check what the engines answer.
 */
class RedisOutageTest {
  private static final HistoryFilter ALL = new HistoryFilter(null, HistoryFilter.NO_LIMIT, false);
  private static final PublishOptions HISTORY = PublishOptions.withHistory(100, Duration.ofMinutes(10));
  private static final ClientInfo ANN = new ClientInfo("ann", "c-ann", null, null);
  /** Far above what a refused connection takes, so a fast failure cannot be a timeout. */
  private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration FAST = Duration.ofSeconds(2);
  private static final Duration DEADLINE = Duration.ofSeconds(15);

  private static RedisTestServer server;
  private static Vertx vertx;
  private final List<Runnable> cleanup = new ArrayList<>();
  private String channel;
  private RedisEngineOptions options;

  @BeforeAll
  static void startServer() {
    server = RedisTestServer.start();
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopServer() throws Exception {
    if (server != null) {
      server.close();
    }
    if (vertx != null) {
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @BeforeEach
  void names() {
    String id = UUID.randomUUID().toString().substring(0, 8);
    channel = "outage-" + id + ":room";
    options = RedisEngineOptions.of(server.url()).withPrefix("fluxer-test-" + id).withCommandTimeout(COMMAND_TIMEOUT);
  }

  @AfterEach
  void closeAll() {
    cleanup.forEach(Runnable::run);
  }

  private Broker broker(RedisEngineOptions o, RecordingHandler events) {
    Broker b = RedisBroker.create(vertx, o);
    b.setEventHandler(events);
    cleanup.add(() -> await(b.close()));
    return b;
  }

  private PresenceManager presence(RedisEngineOptions o) {
    PresenceManager p = RedisPresenceManager.create(vertx, o);
    cleanup.add(() -> await(p.close()));
    return p;
  }

  @Test
  @DisplayName("after FLUSHALL the channel has a new epoch and positions from before are unrecoverable")
  void flushAllGivesNewEpoch() {
    Broker broker = broker(options, new RecordingHandler());
    await(broker.publish(channel, "{\"n\":1}", HISTORY));
    StreamPosition before = await(broker.publish(channel, "{\"n\":2}", HISTORY));
    Redis raw = Redis.createClient(vertx, server.url());
    cleanup.add(raw::close);

    await(raw.send(Request.cmd(Command.FLUSHALL)));

    assertThat(awaitFailure(broker.history(channel, HistoryFilter.since(before, 10))))
        .isInstanceOf(UnrecoverablePositionException.class);
    HistoryResult after = await(broker.history(channel, ALL));
    assertThat(after.publications()).isEmpty();
    assertThat(after.position().offset()).isZero();
    assertThat(after.position().epoch()).isNotEqualTo(before.epoch());
    assertThat(await(broker.publish(channel, "{\"n\":3}", HISTORY)))
        .isEqualTo(new StreamPosition(1, after.position().epoch()));
  }

  @Test
  @DisplayName("Redis down: every operation fails fast as temporary; after a restart they work again, in a new epoch")
  void redisDownFailsFastThenRecovers() {
    RecordingHandler events = new RecordingHandler();
    Broker broker = broker(options, events);
    PresenceManager presence = presence(options);
    await(broker.subscribe(channel));
    StreamPosition before = await(broker.publish(channel, "{\"n\":1}", HISTORY));
    await(presence.addPresence(channel, ANN.client(), ANN));
    eventually("the first publication", () -> events.publications(channel).size() == 1
        ? Future.succeededFuture() : Future.failedFuture("not yet"));

    server.kill();
    try {
      assertFailsFastAsTemporary("publish", () -> broker.publish(channel, "{\"n\":2}", HISTORY));
      assertFailsFastAsTemporary("publish again", () -> broker.publish(channel, "{\"n\":3}", HISTORY));
      assertFailsFastAsTemporary("history", () -> broker.history(channel, ALL));
      assertFailsFastAsTemporary("remove history", () -> broker.removeHistory(channel));
      assertFailsFastAsTemporary("presence", () -> presence.presence(channel));
      assertFailsFastAsTemporary("presence stats", () -> presence.presenceStats(channel));
      assertFailsFastAsTemporary("add presence", () -> presence.addPresence(channel, ANN.client(), ANN));
      assertFailsFastAsTemporary("remove presence", () -> presence.removePresence(channel, ANN.client(), "ann"));
      assertFailsFastAsTemporary("subscribe", () -> broker.subscribe("outage-other"));
    } finally {
      server.restart();
    }

    StreamPosition after = eventually("publish to work again", () -> broker.publish(channel, "{\"n\":4}", HISTORY));
    assertThat(after.offset()).as("Redis lost the stream: it starts over").isEqualTo(1);
    assertThat(after.epoch()).isNotEqualTo(before.epoch());
    assertThat(awaitFailure(broker.history(channel, HistoryFilter.since(before, 10))))
        .isInstanceOf(UnrecoverablePositionException.class);
    assertThat(await(broker.history(channel, ALL)).publications()).hasSize(1);
    assertThat(eventually("presence to work again", () -> presence.presence(channel))).isEmpty();
    await(presence.addPresence(channel, ANN.client(), ANN));
    assertThat(await(presence.presence(channel))).containsOnlyKeys(ANN.client());
    // the node subscribes again by itself: publications reach it again (those before it did are missed)
    eventually("a publication to reach the node again", () -> broker.publish(channel, "{\"n\":5}", HISTORY)
        .compose(p -> events.publications(channel).size() > 1 ? Future.succeededFuture(p)
            : Future.failedFuture("not yet")));
    assertThat(events.publications(channel).get(0).data()).isEqualTo("{\"n\":1}");
    assertThat(events.publications(channel).get(events.publications(channel).size() - 1).data())
        .isIn("{\"n\":4}", "{\"n\":5}");
  }

  @Test
  @DisplayName("a Redis that accepts connections but never answers fails operations as temporary after the timeout")
  void silentRedisTimesOut() throws Exception {
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      List<Socket> accepted = new CopyOnWriteArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            accepted.add(silent.accept()); // reads nothing, answers nothing
          }
        } catch (IOException e) {
          // closed at the end of the test
        }
      });
      acceptor.start();
      Duration timeout = Duration.ofMillis(300);
      RedisEngineOptions o = RedisEngineOptions.of("redis://127.0.0.1:" + silent.getLocalPort())
          .withPrefix("fluxer-test").withCommandTimeout(timeout);
      Broker broker = broker(o, new RecordingHandler());
      PresenceManager presence = presence(o);

      assertTimesOutAsTemporary("publish", timeout, true, () -> broker.publish(channel, "{}", HISTORY));
      // may fail sooner: it can join the connect attempt the first publish started
      assertTimesOutAsTemporary("publish again", timeout, false, () -> broker.publish(channel, "{}", HISTORY));
      assertTimesOutAsTemporary("history", timeout, true, () -> broker.history(channel, ALL));
      assertTimesOutAsTemporary("presence", timeout, true, () -> presence.presence(channel));

      silent.close();
      acceptor.join(5000);
      for (Socket s : accepted) {
        s.close();
      }
    }
  }

  private void assertFailsFastAsTemporary(String what, Supplier<Future<?>> operation) {
    long start = System.nanoTime();
    Throwable failure = awaitFailure(operation.get());
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(failure).as(what).isInstanceOf(EngineException.class);
    assertThat(((EngineException) failure).temporary()).as(what + " failure is temporary").isTrue();
    assertThat(took).as(what + " failed fast").isLessThan(FAST);
  }

  /** Fails as temporary for want of an answer, within the timeout (and not before it, if {@code waits}). */
  private void assertTimesOutAsTemporary(String what, Duration timeout, boolean waits,
                                         Supplier<Future<?>> operation) {
    long start = System.nanoTime();
    Throwable failure = awaitFailure(operation.get());
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(failure).as(what).isInstanceOf(EngineException.class).hasMessageContaining("no answer within");
    assertThat(((EngineException) failure).temporary()).as(what + " failure is temporary").isTrue();
    assertThat(took).as(what + " failed within the timeout").isLessThan(timeout.plus(FAST));
    if (waits) {
      assertThat(took).as(what + " waited for the timeout").isGreaterThanOrEqualTo(timeout.minusMillis(20));
    }
  }

  /** Retries {@code operation} until it succeeds, failing after {@link #DEADLINE}. */
  private static <T> T eventually(String what, Supplier<Future<T>> operation) {
    long end = System.nanoTime() + DEADLINE.toNanos();
    while (true) {
      try {
        return operation.get().toCompletionStage().toCompletableFuture().get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException e) {
        if (System.nanoTime() - end > 0) {
          throw new AssertionError("timed out after " + DEADLINE + " waiting for " + what, e.getCause());
        }
      } catch (TimeoutException e) {
        throw new AssertionError(what + " did not complete within " + DEADLINE, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }

  private static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("future failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("future did not complete within " + DEADLINE, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  private static Throwable awaitFailure(Future<?> future) {
    try {
      Object value = future.toCompletionStage().toCompletableFuture().get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
      return fail("expected a failure but got " + value);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (TimeoutException e) {
      throw new AssertionError("future did not complete within " + DEADLINE, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
