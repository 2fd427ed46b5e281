package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.Publication;
import io.fluxer.relay.testing.HttpTestClient;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The node's fan-out to its event loops, on real Vert.x contexts. */
class LocalFanoutTest {
  private static final Duration WAIT = Duration.ofSeconds(5);
  private final Vertx vertx = Vertx.vertx();
  private final LocalFanout fanout = new LocalFanout();

  @AfterEach
  void close() {
    vertx.close().await();
  }

  /** What one sink received, and on which thread each delivery ran. */
  private static final class Recorder {
    final List<Long> offsets = new ArrayList<>();
    final List<String> threads = new ArrayList<>();

    synchronized void add(Delivery d) {
      offsets.add(d.offset());
      threads.add(Thread.currentThread().getName());
    }

    synchronized List<Long> offsets() {
      return List.copyOf(offsets);
    }

    synchronized List<String> threads() {
      return List.copyOf(threads);
    }
  }

  /** A context of its own (a verticle's: the test thread's own context would be the same each time). */
  private Context newLoop() {
    Promise<Context> started = Promise.promise();
    vertx.deployVerticle(new VerticleBase() {
      @Override
      public Future<?> start() {
        started.complete(context);
        return Future.succeededFuture();
      }
    }).await();
    return started.future().await();
  }

  private static Delivery publication(long offset) {
    return Delivery.publication("chat:a", new Publication(offset, "{}", null, Map.of()), "e", 0);
  }

  private static List<Long> upTo(int n) {
    return IntStream.rangeClosed(1, n).mapToObj(i -> (long) i).toList();
  }

  @Test
  @DisplayName("Every sink gets every delivery in the order given, on its own event loop, across batches")
  void everySinkInOrderOnItsLoop() {
    Context first = newLoop();
    Context second = newLoop();
    Recorder a = new Recorder();
    Recorder b = new Recorder();
    fanout.register(first, a::add);
    fanout.register(second, b::add);
    int n = LocalFanout.BATCH * 3 + 7;

    for (int i = 1; i <= n; i++) {
      fanout.deliver(publication(i));
    }

    HttpTestClient.eventually(() -> a.offsets().size() == n && b.offsets().size() == n, done -> done, WAIT); // both sinks have every delivery
    assertThat(a.offsets()).isEqualTo(upTo(n));
    assertThat(b.offsets()).isEqualTo(upTo(n));
    assertThat(a.threads()).allMatch(t -> t.equals(a.threads().get(0)))
        .allMatch(t -> t.startsWith("vert.x-eventloop-thread-"));
    assertThat(b.threads()).allMatch(t -> t.equals(b.threads().get(0)))
        .allMatch(t -> t.startsWith("vert.x-eventloop-thread-"));
    assertThat(a.threads().get(0)).as("each sink on its own loop").isNotEqualTo(b.threads().get(0));
  }

  @Test
  @DisplayName("A sink that throws on one delivery still gets the ones after it; joins and leaves go the same way")
  void throwingSinkKeepsGoing() {
    Recorder r = new Recorder();
    fanout.register(newLoop(), d -> {
      if (d.offset() == 2) {
        throw new IllegalStateException("boom (expected by the test)");
      }
      r.add(d);
    });

    fanout.deliver(publication(1));
    fanout.deliver(publication(2));
    fanout.deliver(Delivery.join("chat:a", new ClientInfo("u", "c", null, null)));
    fanout.deliver(publication(3));

    HttpTestClient.eventually(() -> r.offsets().size() == 3, done -> done, WAIT); // the deliveries after the failing one
    assertThat(r.offsets()).containsExactly(1L, 0L, 3L); // a join has offset 0
  }

  @Test
  @DisplayName("A closed registration gets nothing delivered after it closed")
  void closedRegistrationGetsNothing() {
    Recorder gone = new Recorder();
    Recorder stays = new Recorder();
    LocalFanout.Registration registration = fanout.register(newLoop(), gone::add);
    fanout.register(newLoop(), stays::add);
    fanout.deliver(publication(1));
    HttpTestClient.eventually(() -> gone.offsets().size() == 1 && stays.offsets().size() == 1, done -> done, WAIT); // the first delivery

    registration.close();
    fanout.deliver(publication(2));

    HttpTestClient.eventually(() -> stays.offsets().size() == 2, done -> done, WAIT); // the second delivery at the registration still open
    assertThat(gone.offsets()).containsExactly(1L);
  }
}
