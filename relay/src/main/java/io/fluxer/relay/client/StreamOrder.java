package io.fluxer.relay.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one subscription lets through to its client, and in what order. Before the subscribe reply
 * is out, publications are buffered; after it, a subscription with a stream position gets each
 * publication of its epoch exactly once, in offset order: repeats are dropped, publications past a
 * missing one are held until it arrives, and a gap still open after {@link #REORDER_WAIT_MILLIS} or
 * a new epoch means the client cannot get a gap-free stream ({@link Sink#lost}: it reconnects and
 * recovers from history, or learns {@code recovered: false}). Lives on the session's event loop.
 */
final class StreamOrder {
  /** Deliveries buffered while the subscribe is in flight, before the client is given up on. */
  static final int MAX_BUFFERED = 10_000;
  /**
   * How long publications past a missing one wait for it before the client is closed with 3010. Each
   * node sends the publications it stored, so those of two nodes publishing to one channel can reach
   * a third out of offset order; the missing one is normally milliseconds away.
   */
  static final long REORDER_WAIT_MILLIS = 1_000;

  /** Where the outcome goes: the session's socket, its close, its timers. */
  interface Sink {
    void send(Delivery d);

    /** The stream has a gap this order cannot close: the client must reconnect (3010). */
    void lost();

    /** Whether the session is closed (a send may close it: a slow client). */
    boolean closed();

    long setTimer(long delayMillis, Runnable action);

    void cancelTimer(long id);
  }

  private final Sink sink;
  private boolean active;
  private List<Delivery> buffered = new ArrayList<>();
  /** The epoch of the stream the client has a position in, or {@code null}: no checks. */
  private String streamEpoch;
  /** The offset of the last publication the client has (sent, recovered or before its position). */
  private long lastOffset;
  /** Publications past a missing offset, held until it arrives. */
  private TreeMap<Long, Delivery> ahead;
  private long aheadTimer = -1;
  /** An offset the stream is known to have reached ({@link #expect}) that the client has not yet got; 0: none. */
  private long expected;
  private long expectTimer = -1;
  private boolean stopped;

  StreamOrder(Sink sink) {
    this.sink = sink;
  }

  /** The position the subscribe reply gives the client; later publications are checked against it. */
  void position(String epoch, long offset) {
    streamEpoch = epoch;
    lastOffset = offset;
  }

  boolean active() {
    return active;
  }

  /** After the subscribe reply went out: releases what arrived meanwhile, in order, without repeats. */
  void activate() {
    if (active || stopped) {
      return;
    }
    active = true;
    List<Delivery> held = buffered;
    buffered = null;
    for (Delivery d : held) {
      offer(d);
    }
  }

  /** No more deliveries: the subscription ended. */
  void stop() {
    stopped = true;
    cancelGapTimer();
    cancelExpectTimer();
  }

  /**
   * The node may have missed publications (its broker lost and regained the channel's feed); the
   * stream is at {@code epoch} and {@code offset} now. A client in another epoch has lost its
   * stream; one behind gets the missing publications within {@link #REORDER_WAIT_MILLIS} (they may
   * still be on their way) or is closed as lost, so a gap never stays silent for want of a later
   * publication. Ignored before the subscribe reply and for subscriptions without a position.
   */
  void expect(String epoch, long offset) {
    if (stopped || !active || streamEpoch == null) {
      return;
    }
    if (!streamEpoch.equals(epoch)) {
      sink.lost();
      return;
    }
    if (offset <= lastOffset || offset <= expected) {
      return;
    }
    expected = offset;
    if (expectTimer < 0) {
      expectTimer = sink.setTimer(REORDER_WAIT_MILLIS, () -> {
        expectTimer = -1;
        if (!stopped && lastOffset < expected) {
          sink.lost();
        }
      });
    }
  }

  /** One publication of the channel, as the hub delivers it. */
  void offer(Delivery d) {
    if (stopped) {
      return;
    }
    if (!active) {
      if (buffered.size() >= MAX_BUFFERED) {
        sink.lost();
        return;
      }
      buffered.add(d);
      return;
    }
    if (streamEpoch == null || d.offset() == 0) {
      sink.send(d);
      return;
    }
    if (!streamEpoch.equals(d.epoch())) {
      sink.lost(); // the stream was lost (a new epoch): recovering tells the client, a silent gap would not
      return;
    }
    if (d.offset() <= lastOffset) {
      return; // stored before the subscribe read its position, or recovered: the client has it
    }
    if (d.offset() > lastOffset + 1) {
      holdAhead(d);
      return;
    }
    lastOffset = d.offset();
    sink.send(d);
    if (ahead != null) {
      releaseAhead();
    }
    if (expected != 0 && lastOffset >= expected) {
      expected = 0;
      cancelExpectTimer();
    }
  }

  private void holdAhead(Delivery d) {
    if (ahead == null) {
      ahead = new TreeMap<>();
    }
    if (ahead.size() >= MAX_BUFFERED) {
      sink.lost();
      return;
    }
    ahead.put(d.offset(), d);
    if (aheadTimer < 0) {
      waitForGap();
    }
  }

  private void waitForGap() {
    aheadTimer = sink.setTimer(REORDER_WAIT_MILLIS, () -> {
      aheadTimer = -1;
      if (!stopped && ahead != null && !ahead.isEmpty()) {
        sink.lost();
      }
    });
  }

  /** Sends the held publications that follow on from {@link #lastOffset}, in order. */
  private void releaseAhead() {
    while (!ahead.isEmpty() && !sink.closed()) {
      Map.Entry<Long, Delivery> first = ahead.firstEntry();
      if (first.getKey() <= lastOffset) {
        ahead.pollFirstEntry();
      } else if (first.getKey() == lastOffset + 1) {
        ahead.pollFirstEntry();
        lastOffset = first.getKey();
        sink.send(first.getValue());
      } else {
        break; // another gap: it gets a wait of its own
      }
    }
    cancelGapTimer();
    if (ahead.isEmpty() || sink.closed()) {
      ahead = null;
    } else {
      waitForGap();
    }
  }

  private void cancelExpectTimer() {
    if (expectTimer >= 0) {
      sink.cancelTimer(expectTimer);
      expectTimer = -1;
    }
  }

  private void cancelGapTimer() {
    if (aheadTimer >= 0) {
      sink.cancelTimer(aheadTimer);
      aheadTimer = -1;
    }
  }
}
