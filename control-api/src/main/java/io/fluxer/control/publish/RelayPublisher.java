package io.fluxer.control.publish;

import io.fluxer.common.Addresses;
import io.vertx.core.Context;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongFunction;

/**
 * Publishes items to one relay channel through the relay's server API on the event bus
 * ({@link Addresses#API}), in batches, in the order they were offered, one publication at a time.
 *
 * <p>{@link #offer} may be called from any thread (the threads reading engine streams). Items wait at
 * most {@code window} (or until {@code maxBatch} of them are waiting), then leave as one publication
 * whose data {@code batch} makes of them. The queue holds at most {@code maxPending} items: when
 * publications fall behind, further items are dropped and counted, and a notice made by
 * {@code dropped} (e.g. {@code {"type": "dropped", "count": N}}) takes their place in the order. A
 * relay that is missing or refuses costs a log line (once at WARNING), never the caller.
 *
 * <p>Publishing runs on {@code context}; nothing here blocks.
 */
public final class RelayPublisher<T> {
  private static final System.Logger LOG = System.getLogger(RelayPublisher.class.getName());

  /** How items are grouped and bounded. */
  public record Options(Duration window, int maxBatch, int maxPending, Duration timeout) {
    public Options {
      if (window.isNegative() || maxBatch < 1 || maxPending < maxBatch || timeout.isNegative() || timeout.isZero()) {
        throw new IllegalArgumentException("bad publisher options: " + window + ", " + maxBatch + ", "
            + maxPending + ", " + timeout);
      }
    }
  }

  /** A run of dropped items, kept in the queue where they would have been. */
  private static final class Gap {
    long count = 1;
  }

  private final Context context;
  private final String channel;
  private final Options options;
  private final Function<List<T>, JsonObject> batch;
  private final LongFunction<JsonObject> dropped;
  private final DeliveryOptions delivery;
  private final ArrayDeque<Object> queue = new ArrayDeque<>();
  private int items;
  private boolean scheduled;
  private boolean closed;
  private boolean warned;
  private long published;
  private long droppedTotal;

  public RelayPublisher(Context context, String channel, Options options, Function<List<T>, JsonObject> batch,
                        LongFunction<JsonObject> dropped) {
    this.context = context;
    this.channel = channel;
    this.options = options;
    this.batch = batch;
    this.dropped = dropped;
    this.delivery = new DeliveryOptions().setSendTimeout(options.timeout().toMillis());
  }

  public String channel() {
    return channel;
  }

  /** Queues an item (any thread); false when it was dropped (queue full, or closed). */
  public boolean offer(T item) {
    boolean wake;
    synchronized (this) {
      if (closed) {
        return false;
      }
      if (items >= options.maxPending()) {
        droppedTotal++;
        if (queue.peekLast() instanceof Gap gap) {
          gap.count++;
        } else {
          queue.addLast(new Gap());
        }
        return false;
      }
      queue.addLast(item);
      items++;
      wake = !scheduled;
      scheduled = true;
    }
    if (wake) {
      context.runOnContext(v -> arm());
    }
    return true;
  }

  /** Stops publishing; what is still queued is discarded. */
  public synchronized void close() {
    closed = true;
    queue.clear();
    items = 0;
  }

  /** Publications made so far (batches and notices). */
  public synchronized long published() {
    return published;
  }

  /** Items dropped so far because the queue was full. */
  public synchronized long droppedTotal() {
    return droppedTotal;
  }

  // ---- on the context

  /** Waits for the window to fill, unless a full batch (or a gap) is already there. */
  private void arm() {
    boolean now;
    synchronized (this) {
      now = options.window().isZero() || items >= options.maxBatch() || queue.peekFirst() instanceof Gap;
    }
    if (now) {
      flush();
    } else {
      context.owner().setTimer(options.window().toMillis(), id -> flush());
    }
  }

  private void flush() {
    JsonObject data;
    synchronized (this) {
      if (closed || queue.isEmpty()) {
        scheduled = false;
        return;
      }
      if (queue.peekFirst() instanceof Gap gap) {
        queue.pollFirst();
        data = dropped.apply(gap.count);
      } else {
        List<T> taken = new ArrayList<>();
        while (taken.size() < options.maxBatch() && !queue.isEmpty() && !(queue.peekFirst() instanceof Gap)) {
          @SuppressWarnings("unchecked")
          T item = (T) queue.pollFirst();
          taken.add(item);
        }
        items -= taken.size();
        data = batch.apply(taken);
      }
      published++;
    }
    JsonObject request = new JsonObject().put("method", "publish")
        .put("params", new JsonObject().put("channel", channel).put("data", data));
    context.owner().eventBus().<JsonObject>request(Addresses.API, request, delivery).onComplete(ar -> {
      if (ar.failed()) {
        warn("no relay took a publication to " + channel + ": " + ar.cause().getMessage());
      } else if (ar.result().body() != null && ar.result().body().containsKey("error")) {
        warn("the relay refused a publication to " + channel + ": " + ar.result().body().getValue("error"));
      }
      boolean more;
      synchronized (this) {
        more = !closed && !queue.isEmpty();
        if (!more) {
          scheduled = false;
        }
      }
      if (more) {
        arm();
      }
    });
  }

  private void warn(String message) {
    // once at WARNING (a missing relay would repeat it for every batch), then at DEBUG
    LOG.log(warned ? Level.DEBUG : Level.WARNING, message);
    warned = true;
  }
}
