package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The write side the transports share, on a real event loop and {@link FlushScheduler}, against a
 * socket that records batches and can be made to refuse writes (a full buffer).
 */
@ExtendWith(VertxExtension.class)
class OutboundSenderTest {
  private Context context;
  private FlushScheduler flusher;

  /** Batches as the socket received them (message sizes), plus drain requests and flushes. */
  private static final class RecordingSocket implements OutboundSender.Socket {
    final List<List<Integer>> batches = new ArrayList<>();
    boolean writable = true;
    int drainRequests;
    int flushes;
    int batchSize = 2;

    @Override
    public boolean writable() {
      return writable;
    }

    @Override
    public void writeBatch(OutboundQueue queue) {
      List<Integer> batch = new ArrayList<>();
      for (int i = 0; i < batchSize && !queue.isEmpty(); i++) {
        batch.add(queue.poll().length);
      }
      batches.add(batch);
    }

    @Override
    public void batchesWritten() {
      flushes++;
    }

    @Override
    public void awaitDrain() {
      drainRequests++;
    }
  }

  @BeforeEach
  void loop(Vertx vertx) {
    context = vertx.getOrCreateContext();
    flusher = new FlushScheduler(context, 0);
  }

  /** Runs {@code task} on the loop and returns its value once it (and everything queued before it) ran. */
  private <T> T onLoop(Supplier<T> task) throws Exception {
    CompletableFuture<T> done = new CompletableFuture<>();
    context.runOnContext(v -> {
      try {
        done.complete(task.get());
      } catch (RuntimeException e) {
        done.completeExceptionally(e);
      }
    });
    return done.get(5, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("What is offered during one loop turn leaves in one flush, in batches, after the turn")
  void oneFlushPerTurn() throws Exception {
    RecordingSocket socket = new RecordingSocket();
    OutboundSender sender = new OutboundSender(1 << 20, flusher, socket);
    int written = onLoop(() -> {
      sender.offer(new byte[1]);
      sender.offer(new byte[2]);
      sender.offer(new byte[3]);
      return socket.batches.size();
    });
    assertThat(written).as("nothing written within the turn").isZero();
    onLoop(() -> null); // the flush was queued before this
    assertThat(socket.batches).containsExactly(List.of(1, 2), List.of(3));
    assertThat(socket.flushes).isEqualTo(1);
  }

  @Test
  @DisplayName("A socket that takes no more holds messages until its drain, and no flush is scheduled meanwhile")
  void waitsForDrain() throws Exception {
    RecordingSocket socket = new RecordingSocket();
    socket.writable = false;
    OutboundSender sender = new OutboundSender(1 << 20, flusher, socket);
    onLoop(() -> sender.offer(new byte[1]));
    onLoop(() -> sender.offer(new byte[2]));
    assertThat(socket.batches).isEmpty();
    assertThat(sender.waitingForDrain()).isTrue();
    assertThat(socket.drainRequests).as("asked once; the second offer waits for the same drain").isEqualTo(1);
    onLoop(() -> {
      socket.writable = true;
      sender.drained();
      return null;
    });
    assertThat(socket.batches).containsExactly(List.of(1, 2));
    assertThat(sender.waitingForDrain()).isFalse();
  }

  @Test
  @DisplayName("Past the bound the client is too slow: offer says so and what was queued is dropped")
  void slowClient() throws Exception {
    RecordingSocket socket = new RecordingSocket();
    socket.writable = false;
    OutboundSender sender = new OutboundSender(100, flusher, socket);
    assertThat(onLoop(() -> sender.offer(new byte[60]))).isTrue();
    assertThat(onLoop(() -> sender.offer(new byte[60]))).isFalse();
    onLoop(() -> {
      socket.writable = true;
      sender.drained();
      return null;
    });
    assertThat(socket.batches).as("the slow client's backlog was dropped").isEmpty();
  }

  @Test
  @DisplayName("flushNow writes at once before a close; stop drops the rest and silences later flushes")
  void flushNowAndStop() throws Exception {
    RecordingSocket socket = new RecordingSocket();
    OutboundSender sender = new OutboundSender(1 << 20, flusher, socket);
    int atOnce = onLoop(() -> {
      sender.offer(new byte[1]);
      sender.flushNow();
      int n = socket.batches.size();
      sender.offer(new byte[2]);
      sender.stop();
      return n;
    });
    assertThat(atOnce).isEqualTo(1);
    onLoop(() -> sender.offer(new byte[3]));
    onLoop(() -> null);
    assertThat(socket.batches).containsExactly(List.of(1));
  }
}
