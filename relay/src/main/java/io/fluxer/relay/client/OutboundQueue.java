package io.fluxer.relay.client;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.IntUnaryOperator;

/**
 * The messages a transport holds for one client until its socket takes them, bounded in bytes: a
 * client that lets more than {@code maxBytes} pile up is too slow and is closed (3008) by its
 * transport, so it never holds up others. Shared by every transport (through {@link OutboundSender});
 * each one frames the messages
 * its own way (a WebSocket text frame of {@code \n}-joined messages, SSE events, lines of an HTTP
 * stream), described by a {@code framed} function from a message's length to its length on the wire.
 * Touched only from the connection's event loop.
 */
final class OutboundQueue {
  /**
   * Starts with room for one message (it grows by doubling): an idle connection's queue is empty
   * nearly always, and the default 16 slots would cost each connection 64 bytes more.
   */
  private final ArrayDeque<byte[]> pending = new ArrayDeque<>(1);
  private final long maxBytes;
  private long bytes;

  OutboundQueue(long maxBytes) {
    this.maxBytes = maxBytes;
  }

  /**
   * Queues a message; false when the queue then holds more than its bound, in which case it is
   * emptied and the caller closes the client as slow.
   */
  boolean offer(byte[] message) {
    pending.add(message);
    bytes += message.length + 1;
    if (bytes > maxBytes) {
      clear();
      return false;
    }
    return true;
  }

  boolean isEmpty() {
    return pending.isEmpty();
  }

  /**
   * How many of the first queued messages fit together in {@code maxBytes} once framed (at least
   * one, however large: a message larger than the batch goes alone). Call when not empty.
   */
  int fitting(int maxBytes, IntUnaryOperator framed) {
    Iterator<byte[]> queued = pending.iterator();
    long size = framed.applyAsInt(queued.next().length);
    int count = 1;
    while (queued.hasNext()) {
      int next = framed.applyAsInt(queued.next().length);
      if (size + next > maxBytes) {
        break;
      }
      size += next;
      count++;
    }
    return count;
  }

  /** The framed size of the first {@code count} messages. */
  int framedBytes(int count, IntUnaryOperator framed) {
    Iterator<byte[]> queued = pending.iterator();
    int size = 0;
    for (int i = 0; i < count; i++) {
      size += framed.applyAsInt(queued.next().length);
    }
    return size;
  }

  /** Takes the first message. */
  byte[] poll() {
    byte[] next = pending.poll();
    bytes -= next.length + 1;
    return next;
  }

  void clear() {
    pending.clear();
    bytes = 0;
  }
}
