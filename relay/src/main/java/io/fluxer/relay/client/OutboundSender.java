package io.fluxer.relay.client;

/**
 * The write side every transport shares: messages go into an {@link OutboundQueue}; the first one
 * of an event-loop turn schedules one flush through the loop's {@link FlushScheduler}; a flush
 * hands the socket batches while it takes them, and when it stops taking them waits for its drain
 * before going on (no flush is scheduled meanwhile: the drain writes everything). A client that lets
 * more than the queue's bound pile up is too slow: {@link #offer} says so and the transport closes
 * it (3008). What a batch looks like on the wire is the transport's business ({@link Socket}).
 * Touched only from the connection's event loop.
 */
final class OutboundSender {
  /** The transport's socket, as the sender sees it. */
  interface Socket {
    /** Whether the socket takes more now (its own write buffer is not full). */
    boolean writable();

    /** Takes the next batch off the front of {@code queue} (not empty) and writes it. */
    void writeBatch(OutboundQueue queue);

    /** After the batches of one flush: push them out, where the socket buffers writes. */
    default void batchesWritten() {
    }

    /** Asks for {@link OutboundSender#drained} once the socket takes more again. */
    void awaitDrain();
  }

  private final OutboundQueue queue;
  private final FlushScheduler flusher;
  private final Socket socket;
  private final Runnable flushTask = this::flush;
  private boolean flushScheduled;
  private boolean waitingForDrain;
  private boolean stopped;

  /** @param maxBytes what may wait for the socket before the client counts as slow */
  OutboundSender(long maxBytes, FlushScheduler flusher, Socket socket) {
    this.queue = new OutboundQueue(maxBytes);
    this.flusher = flusher;
    this.socket = socket;
  }

  /**
   * Queues a message and schedules a flush unless one is coming; false when the client is too slow
   * (the queue was emptied; the caller closes the client with 3008).
   */
  boolean offer(byte[] message) {
    if (stopped) {
      return true;
    }
    if (!queue.offer(message)) {
      return false;
    }
    if (!flushScheduled && !waitingForDrain) {
      flushScheduled = true;
      flusher.schedule(flushTask);
    }
    return true;
  }

  private void flush() {
    flushScheduled = false;
    if (!stopped) {
      writePending();
    }
  }

  /** The socket takes more again: writes what waited. */
  void drained() {
    waitingForDrain = false;
    if (!stopped) {
      writePending();
    }
  }

  /** Writes what the socket takes now, unless already waiting for its drain (before a close). */
  void flushNow() {
    if (!stopped && !waitingForDrain && !queue.isEmpty()) {
      writePending();
    }
  }

  /** Whether messages wait for the socket's drain. */
  boolean waitingForDrain() {
    return waitingForDrain;
  }

  /** No more writes: drops what is queued; later offers, flushes and drains do nothing. */
  void stop() {
    stopped = true;
    queue.clear();
  }

  private void writePending() {
    boolean wrote = false;
    while (!queue.isEmpty()) {
      if (!socket.writable()) {
        waitingForDrain = true;
        socket.awaitDrain();
        break;
      }
      socket.writeBatch(queue);
      wrote = true;
    }
    if (wrote) {
      socket.batchesWritten();
    }
  }
}
