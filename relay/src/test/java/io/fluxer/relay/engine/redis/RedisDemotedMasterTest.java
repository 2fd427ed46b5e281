package io.fluxer.relay.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.engine.Broker;
import io.fluxer.relay.engine.BrokerContractTest.RecordingHandler;
import io.fluxer.relay.engine.EngineException;
import io.fluxer.relay.engine.HistoryFilter;
import io.fluxer.relay.engine.PresenceManager;
import io.fluxer.relay.engine.PublishOptions;
import io.fluxer.relay.engine.UnrecoverablePositionException;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.HistoryResult;
import io.fluxer.relay.protocol.Publication;
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
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A master turned into a replica and back, as a failover does to a node ({@code REPLICAOF}, here to
 * a port nobody listens on, so the node keeps its data): writes fail as temporary while it is a
 * replica, even when Redis raises {@code READONLY} inside a script, and work again once it is a
 * master, in a new epoch since its replication id changed.
 */
class RedisDemotedMasterTest {
  private static final PublishOptions HISTORY = PublishOptions.withHistory(10, Duration.ofMinutes(10));
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  private RedisTestServer server;
  private Vertx vertx;
  private Redis raw;
  private Broker broker;
  private PresenceManager presence;

  @BeforeEach
  void start() {
    server = RedisTestServer.start();
    vertx = Vertx.vertx();
    raw = Redis.createClient(vertx, server.url());
    RedisEngineOptions options = RedisEngineOptions.of(server.url()).withCommandTimeout(Duration.ofSeconds(3));
    broker = RedisBroker.create(vertx, options);
    broker.setEventHandler(new RecordingHandler());
    presence = RedisPresenceManager.create(vertx, options);
  }

  @AfterEach
  void stop() throws Exception {
    try {
      await(broker.close());
      await(presence.close());
      raw.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      server.close();
    }
  }

  @Test
  @DisplayName("demoted: publish and presence fail as temporary; promoted again: publishing works, offsets go on "
      + "in a new epoch, and the old positions are unrecoverable")
  void demotedThenPromoted() throws Exception {
    String ch = "demoted:room";
    await(broker.publish(ch, "{\"n\":1}", HISTORY));
    StreamPosition before = await(broker.publish(ch, "{\"n\":2}", HISTORY));

    await(raw.send(Request.cmd(Command.REPLICAOF).arg("127.0.0.1").arg(Integer.toString(unusedPort()))));

    Throwable publishFailure = failure(broker.publish(ch, "{\"n\":3}", HISTORY));
    assertThat(publishFailure).isInstanceOfSatisfying(EngineException.class, e -> {
      assertThat(e.temporary()).as("temporary").isTrue();
      assertThat(e.getMessage()).contains("READONLY");
    });
    Throwable presenceFailure = failure(presence.addPresence(ch, "c1", new ClientInfo("u1", "c1", null, null)));
    assertThat(presenceFailure).isInstanceOfSatisfying(EngineException.class,
        e -> assertThat(e.temporary()).as("temporary").isTrue());

    await(raw.send(Request.cmd(Command.REPLICAOF).arg("NO").arg("ONE")));

    StreamPosition after = null;
    long end = System.nanoTime() + DEADLINE.toNanos();
    while (after == null) {
      Future<StreamPosition> attempt = broker.publish(ch, "{\"n\":4}", HISTORY);
      try {
        after = attempt.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        assertThat(e.getCause()).isInstanceOfSatisfying(EngineException.class, f -> assertThat(f.temporary()).isTrue());
        if (System.nanoTime() - end > 0) {
          throw new AssertionError("publishing did not work again within " + DEADLINE, e.getCause());
        }
      }
    }
    assertThat(after.offset()).isEqualTo(3);
    assertThat(after.epoch()).isNotEqualTo(before.epoch());
    HistoryResult history = await(broker.history(ch, new HistoryFilter(null, HistoryFilter.NO_LIMIT, false)));
    assertThat(history.publications()).extracting(Publication::data).containsExactly("{\"n\":1}", "{\"n\":2}", "{\"n\":4}");
    assertThat(history.position()).isEqualTo(after);
    assertThat(failure(broker.history(ch, HistoryFilter.since(before, 10))))
        .isInstanceOf(UnrecoverablePositionException.class);
    await(presence.addPresence(ch, "c1", new ClientInfo("u1", "c1", null, null)));
    assertThat(await(presence.presence(ch))).containsOnlyKeys("c1");
  }

  private static int unusedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Throwable failure(Future<?> future) throws InterruptedException, TimeoutException {
    try {
      future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure");
  }
}
