package io.fluxer.relay.client;

import io.fluxer.relay.protocol.Disconnect;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * {@link Transport} over a server WebSocket.
 *
 * <p>Writes: messages queued during one event-loop turn are flushed together (through the loop's
 * {@link FlushScheduler}) as one text frame of
 * {@code \n}-joined messages (at most {@code maxBatchSize} bytes, unless one message alone is
 * larger). While the socket's own write queue is full, messages wait here; when more than
 * {@code writeQueueMaxSize} bytes wait, the client is too slow and is closed with 3008, so it never
 * holds up others. The queue holds the shared encoded messages; a flush copies a batch of several
 * once into one array.
 *
 * <p>Reads: text messages (fragmented or not) up to {@code maxMessageSize} bytes go to the
 * message handler; a larger one closes the connection with 1009, a binary one with 3501.
 */
public final class WebSocketTransport implements Transport {
  /** WebSocket close code for a message larger than the server accepts (RFC 6455). */
  public static final short MESSAGE_TOO_BIG = 1009;

  private final ServerWebSocket ws;
  private final FlushScheduler flusher;
  private final Runnable flushTask = this::flush;
  private final int writeQueueMaxSize;
  private final int maxBatchSize;
  private final int maxMessageSize;
  private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
  private long pendingBytes;
  private boolean flushScheduled;
  private boolean waitingForDrain;
  private boolean closed;
  private IntConsumer closeHandler = code -> { };
  private Buffer fragments;

  public WebSocketTransport(ServerWebSocket ws, FlushScheduler flusher, int writeQueueMaxSize, int maxBatchSize,
                            int maxMessageSize, Consumer<String> messageHandler) {
    this.ws = ws;
    this.flusher = flusher;
    this.writeQueueMaxSize = writeQueueMaxSize;
    this.maxBatchSize = maxBatchSize;
    this.maxMessageSize = maxMessageSize;
    ws.setWriteQueueMaxSize(Math.min(writeQueueMaxSize, 256 * 1024));
    ws.frameHandler(frame -> onFrame(frame, messageHandler));
    ws.closeHandler(v -> onClosed(0));
    ws.exceptionHandler(e -> {
      if (closed) {
        return;
      }
      if (e instanceof CorruptedWebSocketFrameException corrupted) {
        // Raised by the frame decoder, e.g. for a single frame over maxMessageSize: keep its status.
        WebSocketCloseStatus status = corrupted.closeStatus();
        closeWith(status.code(), status.code() == MESSAGE_TOO_BIG ? "message too big" : status.reasonText());
      } else {
        closeWith(Disconnect.WRITE_ERROR.code(), Disconnect.WRITE_ERROR.reason());
      }
    });
  }

  @Override
  public void write(byte[] message) {
    if (closed) {
      return;
    }
    pending.add(message);
    pendingBytes += message.length + 1;
    if (pendingBytes > writeQueueMaxSize) {
      pending.clear();
      pendingBytes = 0;
      closeNow(Disconnect.SLOW);
      return;
    }
    if (!flushScheduled && !waitingForDrain) {
      flushScheduled = true;
      flusher.schedule(flushTask);
    }
  }

  private void flush() {
    flushScheduled = false;
    if (closed) {
      return;
    }
    if (ws.isClosed()) {
      // The peer's close frame arrived; the close handler follows, and writing now would throw.
      pending.clear();
      pendingBytes = 0;
      return;
    }
    while (!pending.isEmpty()) {
      if (ws.writeQueueFull()) {
        waitingForDrain = true;
        ws.drainHandler(v -> {
          waitingForDrain = false;
          flush();
        });
        return;
      }
      ws.writeFrame(nextBatch());
    }
  }

  /**
   * Takes queued messages up to the batch size. One message goes out as it is (its shared bytes
   * wrapped, not copied); several are copied once, newline-joined, into one array. A plain heap
   * buffer is what Vert.x writes without copying again (pooled and composite buffers it copies).
   */
  private WebSocketFrame nextBatch() {
    Iterator<byte[]> queued = pending.iterator();
    int size = queued.next().length;
    int count = 1;
    while (queued.hasNext()) {
      int length = queued.next().length;
      if (size + 1 + length > maxBatchSize) {
        break;
      }
      size += 1 + length;
      count++;
    }
    if (count == 1) {
      byte[] only = pending.poll();
      pendingBytes -= only.length + 1;
      return textFrame(Unpooled.wrappedBuffer(only));
    }
    byte[] batch = new byte[size];
    int at = 0;
    for (int i = 0; i < count; i++) {
      byte[] next = pending.poll();
      pendingBytes -= next.length + 1;
      if (i > 0) {
        batch[at++] = '\n';
      }
      System.arraycopy(next, 0, batch, at, next.length);
      at += next.length;
    }
    return textFrame(Unpooled.wrappedBuffer(batch));
  }

  private static WebSocketFrame textFrame(ByteBuf payload) {
    // The public factory only takes a String; this wraps the already-encoded UTF-8 bytes as they are.
    return new WebSocketFrameImpl(WebSocketFrameType.TEXT, payload, true);
  }

  @Override
  public void close(Disconnect disconnect) {
    if (closed) {
      return;
    }
    if (!pending.isEmpty() && !waitingForDrain) {
      flush();
    }
    closeNow(disconnect);
  }

  private void closeNow(Disconnect disconnect) {
    closeWith(disconnect.code(), disconnect.reason());
  }

  private void closeWith(int code, String reason) {
    if (closed) {
      return;
    }
    ws.close((short) code, reason);
    onClosed(code);
  }

  private void onClosed(int code) {
    if (closed) {
      return;
    }
    closed = true;
    pending.clear();
    pendingBytes = 0;
    closeHandler.accept(code);
  }

  @Override
  public void closeHandler(IntConsumer handler) {
    this.closeHandler = handler;
  }

  @Override
  public String remoteAddress() {
    return String.valueOf(ws.remoteAddress());
  }

  private void onFrame(WebSocketFrame frame, Consumer<String> messageHandler) {
    if (closed) {
      return;
    }
    if (frame.isBinary()) {
      closeNow(new Disconnect(3501, "binary frames are not supported"));
      return;
    }
    if (frame.isText()) {
      fragments = Buffer.buffer();
    } else if (!frame.isContinuation() || fragments == null) {
      return; // ping, pong and close frames are handled by Vert.x
    }
    Buffer data = frame.binaryData();
    if (fragments.length() + data.length() > maxMessageSize) {
      fragments = null;
      closeWith(MESSAGE_TOO_BIG, "message too big");
      return;
    }
    fragments.appendBuffer(data);
    if (frame.isFinal()) {
      String message = fragments.toString(StandardCharsets.UTF_8);
      fragments = null;
      messageHandler.accept(message);
    }
  }
}
