package io.fluxer.relay.client;

import io.fluxer.relay.protocol.Disconnect;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.function.Function;
import java.util.function.IntConsumer;
import java.util.function.IntUnaryOperator;

/**
 * {@link Transport} over an HTTP response that stays open: SSE and HTTP streaming, emulated
 * (commands come back through {@code POST /emulation}) or unidirectional. The rules are
 * WebSocketTransport's: what is queued during one event-loop turn leaves in one write of at most
 * {@code maxBatchSize} bytes (a larger message alone), framed by a {@link StreamFraming}; while the
 * response's write queue is full (more than {@code min(writeQueueMaxSize, 256 KiB)} bytes not taken
 * by the socket) messages wait in the {@link OutboundSender}, and past {@code writeQueueMaxSize} the
 * client is closed as slow (3008).
 *
 * <p>A disconnect is a {@code disconnect} push ({@code {"push":{"disconnect":{code,reason}}}}, on
 * unidirectional streams {@code {"disconnect":{...}}}) followed by the end of the response; the
 * client treats the end of a stream as a reason to reconnect. A stream the client drops ends the
 * session exactly as a WebSocket close does.
 */
final class HttpStreamTransport implements Transport {
  private static final int MAX_OUTBOUND_BUFFER = 256 * 1024;
  /** How long a stream ended by the server may take to drain before its connection is dropped. */
  private static final long END_TIMEOUT_MILLIS = 5_000;

  private final HttpServerResponse response;
  private final Context context;
  private final StreamFraming framing;
  private final Function<Disconnect, byte[]> disconnectPush;
  private final IntUnaryOperator framed;
  private final int maxBatchSize;
  private final boolean unidirectional;
  private final String session;
  private final String node;
  private final String remote;
  private final OutboundSender sender;
  private final Runnable onEnd;
  private boolean closed;
  private IntConsumer closeHandler = code -> { };

  /**
   * Starts the response (status 200, the framing's headers and prelude). Call on the verticle's
   * event loop that owns the request.
   *
   * @param disconnectPush encodes the push that precedes the end of the stream, in the connection's
   *     encoding ({@code ProtocolEncoder::disconnectPush} for JSON)
   * @param node the node id for the connect reply of emulated transports, {@code null} for
   *     unidirectional ones
   * @param onEnd runs once the stream ended, by either side
   */
  HttpStreamTransport(HttpServerResponse response, Context context, FlushScheduler flusher, StreamFraming framing,
                      Function<Disconnect, byte[]> disconnectPush, int writeQueueMaxSize, int maxBatchSize, boolean unidirectional, String session, String node,
                      String remote, Runnable onEnd) {
    this.response = response;
    this.context = context;
    this.framing = framing;
    this.disconnectPush = disconnectPush;
    this.framed = framing::framedLength;
    this.maxBatchSize = maxBatchSize;
    this.unidirectional = unidirectional;
    this.session = session;
    this.node = node;
    this.remote = remote;
    this.onEnd = onEnd;
    this.sender = new OutboundSender(writeQueueMaxSize, flusher, new OutboundSender.Socket() {
      @Override
      public boolean writable() {
        return !response.writeQueueFull();
      }

      @Override
      public void writeBatch(OutboundQueue queue) {
        HttpStreamTransport.this.writeBatch(queue);
      }

      @Override
      public void awaitDrain() {
        response.drainHandler(v -> sender.drained());
      }
    });
    response.setWriteQueueMaxSize(Math.min(writeQueueMaxSize, MAX_OUTBOUND_BUFFER));
    response.closeHandler(v -> onClosed(0));
    response.exceptionHandler(e -> { }); // the close handler follows; nothing to log per client
    response.setChunked(true)
        .putHeader("Content-Type", framing.contentType())
        .putHeader("Cache-Control", "private, no-cache, no-store, must-revalidate, max-age=0")
        .putHeader("Pragma", "no-cache")
        .putHeader("Expires", "0")
        .putHeader("X-Accel-Buffering", "no");
    byte[] prelude = framing.prelude();
    if (prelude.length > 0) {
      response.write(Buffer.buffer(prelude));
    } else {
      response.writeHead();
    }
  }

  @Override
  public void write(byte[] message) {
    if (closed) {
      return;
    }
    if (!sender.offer(message)) {
      end(Disconnect.SLOW, Disconnect.SLOW.code());
    }
  }

  /** One write of framed messages, at most {@code maxBatchSize} bytes unless one message is larger. */
  private void writeBatch(OutboundQueue queue) {
    int count = queue.fitting(maxBatchSize, framed);
    Buffer batch = Buffer.buffer(queue.framedBytes(count, framed));
    for (int i = 0; i < count; i++) {
      append(batch, queue.poll());
    }
    response.write(batch);
  }

  private void append(Buffer out, byte[] message) {
    int start = unidirectional ? UniPush.start(message) : 0;
    framing.append(out, message, start, UniPush.length(message, start));
  }

  @Override
  public void close(Disconnect disconnect) {
    if (closed) {
      return;
    }
    sender.flushNow();
    end(disconnect, disconnect.code());
  }

  /**
   * Sends the disconnect push after what could be written, ends the response and reports the close
   * with {@code code}; what is queued behind a full socket is dropped.
   */
  private void end(Disconnect disconnect, int code) {
    if (closed) {
      return;
    }
    sender.stop();
    Buffer last = Buffer.buffer(64);
    append(last, disconnectPush.apply(disconnect));
    response.write(last);
    long timer = context.owner().setTimer(END_TIMEOUT_MILLIS, t -> {
      if (!response.closed()) {
        response.reset(); // a client that does not read the end holds no connection
      }
    });
    response.end().onComplete(ar -> context.owner().cancelTimer(timer));
    onClosed(code);
  }

  private void onClosed(int code) {
    if (closed) {
      return;
    }
    closed = true;
    sender.stop();
    onEnd.run();
    closeHandler.accept(code);
  }

  @Override
  public void closeHandler(IntConsumer handler) {
    this.closeHandler = handler;
  }

  @Override
  public String remoteAddress() {
    return remote;
  }

  @Override
  public boolean unidirectional() {
    return unidirectional;
  }

  @Override
  public String session() {
    return session;
  }

  @Override
  public String node() {
    return node;
  }
}
