package io.fluxer.relay.client;

import io.fluxer.relay.engine.FailureLog;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import java.util.ArrayDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Hands each {@link Delivery} to every hub of this node (and any other registered sink), on the
 * sink's own event loop, in the order the deliveries were given.
 *
 * <p>Without the event bus: a local bus message costs a message object, a delivery context, a
 * promise and (with metrics on) meter lookups with tag arrays per consumer, several hundred bytes of
 * garbage per publication and loop. Here a delivery costs nothing but a slot in each loop's inbox
 * (an array ring under a lock held for a few instructions, not a linked queue's node per element);
 * each inbox is drained by one task that takes up to {@value #BATCH} deliveries, so a burst of
 * publications is one task per loop, not one per publication.
 */
public final class LocalFanout {
  /** Deliveries one drain takes before it lets the loop do other work (I/O, timers) and continues. */
  static final int BATCH = 256;
  private static final FailureLog FAILURES =
      new FailureLog(System.getLogger(LocalFanout.class.getName()), "a local delivery failed", 10_000);
  private final CopyOnWriteArrayList<Inbox> inboxes = new CopyOnWriteArrayList<>();

  /**
   * From now on {@code sink} gets every delivery, on {@code context}, until the returned handle is
   * closed. A sink that throws is logged (at most every 10 s) and gets the next delivery still.
   */
  public Registration register(Context context, Consumer<Delivery> sink) {
    Inbox inbox = new Inbox(context, sink);
    inboxes.add(inbox);
    return () -> inboxes.remove(inbox);
  }

  /** Queues {@code d} for every registered hub. Any thread. */
  public void deliver(Delivery d) {
    for (Inbox inbox : inboxes) {
      inbox.offer(d);
    }
  }

  /** A sink's registration: {@link #close()} stops its deliveries (those already queued still run). */
  @FunctionalInterface
  public interface Registration extends AutoCloseable {
    @Override
    void close();
  }

  /** One sink's queue, drained on its loop. */
  private static final class Inbox implements Handler<Void> {
    private final Context context;
    private final Consumer<Delivery> sink;
    /** Guarded by itself. */
    private final ArrayDeque<Delivery> queue = new ArrayDeque<>();
    /** A drain task is queued on the loop or running: offers need not queue another. */
    private final AtomicBoolean scheduled = new AtomicBoolean();

    Inbox(Context context, Consumer<Delivery> sink) {
      this.context = context;
      this.sink = sink;
    }

    void offer(Delivery d) {
      synchronized (queue) {
        queue.addLast(d);
      }
      if (scheduled.compareAndSet(false, true)) {
        context.runOnContext(this);
      }
    }

    /** Drains up to {@link #BATCH} deliveries; queues itself again when more are waiting. */
    @Override
    public void handle(Void ignored) {
      // Cleared before polling: an offer from here on queues another drain, so none is left behind.
      scheduled.set(false);
      for (int n = 0; n < BATCH; n++) {
        Delivery d;
        synchronized (queue) {
          d = queue.pollFirst();
        }
        if (d == null) {
          return;
        }
        deliver(d);
      }
      boolean more;
      synchronized (queue) {
        more = !queue.isEmpty();
      }
      if (more && scheduled.compareAndSet(false, true)) {
        context.runOnContext(this);
      }
    }

    private void deliver(Delivery d) {
      try {
        sink.accept(d);
      } catch (RuntimeException e) {
        FAILURES.logThrottled(e); // one bad delivery must not stop the ones queued behind it
      }
    }
  }
}
