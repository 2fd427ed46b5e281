package io.fluxer.relay.client;

import io.vertx.core.Context;
import java.util.ArrayList;

/**
 * Flushes the transports of one event loop once per loop turn. A transport that gets its first
 * message in a turn registers here; one task at the end of the queue then flushes every registered
 * transport. A publication to a thousand local subscribers so schedules one task, not a thousand,
 * and everything queued for a connection until then leaves as one frame.
 */
public final class FlushScheduler {
  private final Context context;
  private final long delayMillis;
  private ArrayList<Runnable> dirty = new ArrayList<>();
  private ArrayList<Runnable> spare = new ArrayList<>();
  private boolean scheduled;

  /**
   * @param delayMillis 0: flush at the end of the current turn; more: flush at most this long after
   *     the first message of a batch (more messages per frame and fewer writes, at that latency)
   */
  public FlushScheduler(Context context, long delayMillis) {
    this.context = context;
    this.delayMillis = delayMillis;
  }

  /** Runs {@code flush} once, after the tasks already queued on this loop. Call on the loop. */
  public void schedule(Runnable flush) {
    dirty.add(flush);
    if (!scheduled) {
      scheduled = true;
      if (delayMillis > 0) {
        context.owner().setTimer(delayMillis, t -> flushAll());
      } else {
        context.runOnContext(v -> flushAll());
      }
    }
  }

  private void flushAll() {
    scheduled = false;
    ArrayList<Runnable> batch = dirty;
    dirty = spare;
    spare = batch;
    for (int i = 0; i < batch.size(); i++) {
      batch.get(i).run();
    }
    batch.clear();
  }
}
