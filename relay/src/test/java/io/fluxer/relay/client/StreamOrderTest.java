package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.protocol.Publication;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The per-subscription ordering and recovery rules, against a fake sink: no socket, no event loop. */
class StreamOrderTest {
  private static final String EPOCH = "e1";

  /** Records what the order sends, whether it gave up, and its timers (fired by the test). */
  private static final class FakeSink implements StreamOrder.Sink {
    final List<Long> sent = new ArrayList<>();
    int lost;
    boolean closed;
    final Map<Long, Runnable> timers = new LinkedHashMap<>();
    long nextTimer = 1;

    @Override
    public void send(Delivery d) {
      sent.add(d.offset());
    }

    @Override
    public void lost() {
      lost++;
      closed = true;
    }

    @Override
    public boolean closed() {
      return closed;
    }

    @Override
    public long setTimer(long delayMillis, Runnable action) {
      assertThat(delayMillis).isEqualTo(StreamOrder.REORDER_WAIT_MILLIS);
      timers.put(nextTimer, action);
      return nextTimer++;
    }

    @Override
    public void cancelTimer(long id) {
      timers.remove(id);
    }

    void fireTimers() {
      List<Runnable> due = new ArrayList<>(timers.values());
      timers.clear();
      due.forEach(Runnable::run);
    }
  }

  private static Delivery pub(long offset) {
    return pub(offset, EPOCH);
  }

  private static Delivery pub(long offset, String epoch) {
    return Delivery.publication("ch", new Publication(offset, "\"p" + offset + "\"", null, null), epoch, 0);
  }

  private static StreamOrder active(FakeSink sink, long position) {
    StreamOrder order = new StreamOrder(sink);
    order.position(EPOCH, position);
    order.activate();
    return order;
  }

  @Test
  @DisplayName("In order: each publication once; repeats and ones before the position are dropped")
  void inOrderAndRepeats() {
    FakeSink sink = new FakeSink();
    StreamOrder order = active(sink, 5);
    for (long o : new long[] {4, 5, 6, 7, 7, 6, 8}) {
      order.offer(pub(o));
    }
    assertThat(sink.sent).containsExactly(6L, 7L, 8L);
    assertThat(sink.lost).isZero();
  }

  @Test
  @DisplayName("A gap holds later publications until the missing one arrives, then releases them in order")
  void gapIsClosedByTheMissingPublication() {
    FakeSink sink = new FakeSink();
    StreamOrder order = active(sink, 0);
    order.offer(pub(1));
    order.offer(pub(4));
    order.offer(pub(3));
    assertThat(sink.sent).containsExactly(1L);
    assertThat(sink.timers).hasSize(1);
    order.offer(pub(2));
    assertThat(sink.sent).containsExactly(1L, 2L, 3L, 4L);
    assertThat(sink.timers).as("the wait ends with the gap").isEmpty();
    sink.fireTimers();
    assertThat(sink.lost).isZero();
  }

  @Test
  @DisplayName("A gap still open when the wait ends gives up (3010); a second gap gets a wait of its own")
  void openGapIsLost() {
    FakeSink sink = new FakeSink();
    StreamOrder order = active(sink, 0);
    order.offer(pub(2));
    order.offer(pub(4));
    order.offer(pub(1));
    assertThat(sink.sent).containsExactly(1L, 2L);
    assertThat(sink.timers).as("offset 3 is still missing: a new wait").hasSize(1);
    sink.fireTimers();
    assertThat(sink.lost).isEqualTo(1);
  }

  @Test
  @DisplayName("A publication of another epoch means the stream was lost")
  void newEpochIsLost() {
    FakeSink sink = new FakeSink();
    StreamOrder order = active(sink, 3);
    order.offer(pub(4, "e2"));
    assertThat(sink.lost).isEqualTo(1);
    assertThat(sink.sent).isEmpty();
  }

  @Test
  @DisplayName("A position the client is behind: the missing publications may still come within the wait, else 3010")
  void expectedPosition() {
    FakeSink sink = new FakeSink();
    StreamOrder order = active(sink, 2);
    order.expect(EPOCH, 2);
    assertThat(sink.timers).as("not behind: nothing to wait for").isEmpty();

    order.expect(EPOCH, 4);
    order.offer(pub(3));
    order.offer(pub(4));
    assertThat(sink.timers).as("caught up: the wait ends").isEmpty();
    assertThat(sink.sent).containsExactly(3L, 4L);

    order.expect(EPOCH, 6);
    order.offer(pub(5));
    sink.fireTimers();
    assertThat(sink.lost).as("offset 6 never came").isEqualTo(1);
  }

  @Test
  @DisplayName("A position in another epoch is lost at once; without a position or before the reply it is ignored")
  void expectedPositionOfAnotherEpoch() {
    FakeSink sink = new FakeSink();
    active(sink, 2).expect("e2", 1);
    assertThat(sink.lost).isEqualTo(1);

    FakeSink unpositioned = new FakeSink();
    StreamOrder plain = new StreamOrder(unpositioned);
    plain.activate();
    plain.expect(EPOCH, 9);
    FakeSink waiting = new FakeSink();
    StreamOrder beforeReply = new StreamOrder(waiting);
    beforeReply.position(EPOCH, 1);
    beforeReply.expect(EPOCH, 9);
    assertThat(unpositioned.lost + waiting.lost).isZero();
    assertThat(unpositioned.timers).isEmpty();
    assertThat(waiting.timers).isEmpty();
  }

  @Test
  @DisplayName("Before the subscribe reply, publications wait; activation releases them checked against the position")
  void bufferedUntilActive() {
    FakeSink sink = new FakeSink();
    StreamOrder order = new StreamOrder(sink);
    order.offer(pub(3));
    order.offer(pub(4));
    order.offer(pub(5));
    assertThat(sink.sent).isEmpty();
    order.position(EPOCH, 4); // the reply's position already includes 3 and 4
    order.activate();
    assertThat(sink.sent).containsExactly(5L);
    order.activate();
    assertThat(sink.sent).as("activation happens once").containsExactly(5L);
  }

  @Test
  @DisplayName("Too many publications before the reply, or held past a gap, give up rather than grow")
  void bounded() {
    FakeSink sink = new FakeSink();
    StreamOrder waiting = new StreamOrder(sink);
    for (long o = 1; o <= StreamOrder.MAX_BUFFERED + 1; o++) {
      waiting.offer(pub(o));
    }
    assertThat(sink.lost).isEqualTo(1);

    FakeSink ahead = new FakeSink();
    StreamOrder order = active(ahead, 0);
    for (long o = 2; o <= StreamOrder.MAX_BUFFERED + 2; o++) {
      order.offer(pub(o));
    }
    assertThat(ahead.lost).isEqualTo(1);
  }

  @Test
  @DisplayName("Without a position (not recoverable) and for offset 0 everything passes as it comes")
  void noPositionNoChecks() {
    FakeSink sink = new FakeSink();
    StreamOrder order = new StreamOrder(sink);
    order.activate();
    for (long o : new long[] {3, 1, 1, 2}) {
      order.offer(pub(o, "any"));
    }
    StreamOrder positioned = active(sink, 10);
    positioned.offer(pub(0, ""));
    assertThat(sink.sent).containsExactly(3L, 1L, 1L, 2L, 0L);
  }

  @Test
  @DisplayName("Once stopped, nothing is sent and the gap's timer is cancelled")
  void stopped() {
    FakeSink sink = new FakeSink();
    StreamOrder order = active(sink, 0);
    order.offer(pub(2));
    order.stop();
    assertThat(sink.timers).isEmpty();
    order.offer(pub(1));
    assertThat(sink.sent).isEmpty();
  }

  @Test
  @DisplayName("Random arrival orders with repeats: whatever is sent is gap-free, in order, without repeats")
  void randomArrivals() {
    Random random = new Random(16);
    for (int round = 0; round < 2_000; round++) {
      FakeSink sink = new FakeSink();
      long start = random.nextInt(5);
      StreamOrder order = active(sink, start);
      List<Long> arrivals = new ArrayList<>();
      int n = 1 + random.nextInt(30);
      for (long o = start + 1; o <= start + n; o++) {
        arrivals.add(o);
        if (random.nextInt(5) == 0) {
          arrivals.add(o); // a repeat
        }
      }
      for (int i = 0; i < arrivals.size(); i++) { // local swaps: out of order, as between nodes
        int j = Math.min(arrivals.size() - 1, i + random.nextInt(3));
        Long t = arrivals.get(i);
        arrivals.set(i, arrivals.get(j));
        arrivals.set(j, t);
      }
      boolean drop = random.nextInt(4) == 0;
      long dropped = start + 1 + random.nextInt(n);
      for (Long o : arrivals) {
        if (!(drop && o == dropped)) {
          order.offer(pub(o));
        }
      }
      sink.fireTimers();
      for (int i = 0; i < sink.sent.size(); i++) {
        assertThat(sink.sent.get(i)).as("round %d: %s", round, sink.sent).isEqualTo(start + 1 + i);
      }
      if (drop) {
        // everything before the missing one is sent; anything after it can only end in 3010
        boolean last = dropped == start + n;
        assertThat(sink.sent).as("round %d", round).hasSize((int) (dropped - start - 1));
        assertThat(sink.lost).as("round %d: %s", round, sink.sent).isEqualTo(last ? 0 : 1);
      } else {
        assertThat(sink.sent).as("round %d", round).hasSize(n);
        assertThat(sink.lost).isZero();
      }
    }
  }
}
