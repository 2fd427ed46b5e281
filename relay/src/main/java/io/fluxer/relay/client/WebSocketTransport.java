package io.fluxer.relay.client;

import io.fluxer.relay.protocol.Disconnect;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameEncoder;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Handler;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.internal.http.WebSocketInternal;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.IntUnaryOperator;

/**
 * {@link Transport} over a server WebSocket, speaking to the Netty channel directly.
 *
 * <p>Vert.x performs the HTTP upgrade; {@link #attach} then puts this transport's handler in the
 * place of Vert.x's WebSocket handler in the channel's pipeline (Netty's frame decoder stays).
 * Vert.x's per-connection WebSocket objects, among them two 1,024-slot write queues, become
 * garbage: an idle connection costs about half the memory, and a batch goes to the socket without
 * Vert.x copying it first. Netty's frame encoder leaves the pipeline too (about 90 bytes per
 * connection): every frame the server sends (batches, and the close and pong control frames) is
 * framed here, and the server's decoder never writes (Vert.x turns off its close on protocol
 * violation; {@link #onError} answers instead). Everything here still runs on
 * the connection's event loop, and what reaches the session is dispatched on its Vert.x context.
 *
 * <p>Two modes, fixed when attached: text (the JSON protocol) and binary (the Protobuf protocol,
 * subprotocol {@code centrifuge-protobuf}). Writes: messages queued during one event-loop turn are
 * flushed together (through the loop's {@link FlushScheduler}) as one frame (at most
 * {@code maxBatchSize} bytes, unless one message alone is larger): a text frame of
 * {@code \n}-joined messages, or a binary frame of messages simply concatenated (each is
 * varint-length-delimited already), copied once into a pooled direct
 * buffer that the socket writes as it is. While the channel is not writable (more than
 * {@code min(writeQueueMaxSize, 256 KiB)} bytes in its outbound buffer), messages wait in the
 * transport's {@link OutboundSender} (the queueing HTTP streams share); when
 * more than {@code writeQueueMaxSize} bytes wait, the client is too slow and is closed with 3008,
 * so it never holds up others.
 *
 * <p>The server's idle timeout ({@code server.idle_timeout}, Netty's {@code IdleStateHandler} with
 * its timer) leaves the pipeline when the transport takes over: a WebSocket is kept in check by
 * the protocol instead (the stale delay until connect, then server pings and, bidirectional, the
 * pong timeout), and with the ping interval below the idle timeout, as the configuration asks,
 * the pings kept it from ever being idle anyway. About 280 bytes less per connection.
 *
 * <p>Reads: messages of the transport's mode (fragmented or not) up to {@code maxMessageSize} bytes
 * go to the message handler; a larger one closes the connection with 1009, one of the other mode
 * (binary on a text connection, text on a binary one) with 3501. Pings are
 * answered with pongs. A close from the peer is answered and ends the connection; a close from
 * here waits for the peer's answer at most {@link #CLOSE_TIMEOUT_SECONDS} before the TCP
 * connection is dropped.
 */
public final class WebSocketTransport implements Transport {
  /** WebSocket close code for a message larger than the server accepts (RFC 6455). */
  public static final short MESSAGE_TOO_BIG = 1009;
  static final long CLOSE_TIMEOUT_SECONDS = 5;
  private static final int MAX_OUTBOUND_BUFFER = 256 * 1024;
  /** The water marks of every connection with the default {@code writeQueueMaxSize} (1 MiB and more): one shared object. */
  private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(MAX_OUTBOUND_BUFFER / 2, MAX_OUTBOUND_BUFFER);

  private final Channel channel;
  private final ContextInternal context;
  private final int maxBatchSize;
  private final int maxMessageSize;
  /** Text mode: what receives messages; {@code null} in binary mode. */
  private final Consumer<String> textHandler;
  /** Binary mode: what receives messages; {@code null} in text mode. */
  private final Consumer<byte[]> binaryHandler;
  /** The first header byte of an outbound frame: FIN plus the text or binary opcode. */
  private final int frameStart;
  /** Bytes between two messages of one frame: 1 ({@code \n}) in text mode, 0 in binary mode. */
  private final int separator;
  private final OutboundSender sender;
  /** A message's length in a batch: with the separator after it. */
  private final IntUnaryOperator framed;
  /** No more writes: the session asked to close, or the transport closed itself, or the peer left. */
  private boolean closed;
  /** Our close frame went out; the peer's answer ends the connection. */
  private boolean closeSent;
  private IntConsumer closeHandler = code -> { };
  private ByteBuf fragments;

  private WebSocketTransport(Channel channel, ContextInternal context, FlushScheduler flusher, int writeQueueMaxSize,
                             int maxBatchSize, int maxMessageSize, Consumer<String> textHandler,
                             Consumer<byte[]> binaryHandler) {
    this.channel = channel;
    this.context = context;
    this.maxBatchSize = maxBatchSize;
    this.maxMessageSize = maxMessageSize;
    this.textHandler = textHandler;
    this.binaryHandler = binaryHandler;
    this.frameStart = binaryHandler != null ? 0x82 : 0x81;
    this.separator = binaryHandler != null ? 0 : 1;
    this.sender = new OutboundSender(writeQueueMaxSize, flusher, new OutboundSender.Socket() {
      @Override
      public boolean writable() {
        return channel.isWritable();
      }

      @Override
      public void writeBatch(OutboundQueue queue) {
        channel.write(nextBatch(queue), channel.voidPromise());
      }

      /** The batches of one flush leave together. */
      @Override
      public void batchesWritten() {
        channel.flush();
      }

      @Override
      public void awaitDrain() {
        // channelWritabilityChanged reports the drain
      }
    });
    this.framed = binaryHandler != null ? length -> length : length -> length + 1;
  }

  /**
   * Takes over a WebSocket that Vert.x has just accepted. Call on its event loop, in the same turn
   * that accepted it (before any frame could have been read), with the context of the verticle
   * that owns the connection.
   */
  public static WebSocketTransport attach(ServerWebSocket ws, ContextInternal context, FlushScheduler flusher,
                                          int writeQueueMaxSize, int maxBatchSize, int maxMessageSize,
                                          Consumer<String> messageHandler) {
    return attach(ws, context, flusher, writeQueueMaxSize, maxBatchSize, maxMessageSize, messageHandler, null);
  }

  /** As {@link #attach}, for a binary protocol: binary frames in and out, messages joined as they are. */
  public static WebSocketTransport attachBinary(ServerWebSocket ws, ContextInternal context, FlushScheduler flusher,
                                                int writeQueueMaxSize, int maxBatchSize, int maxMessageSize,
                                                Consumer<byte[]> messageHandler) {
    return attach(ws, context, flusher, writeQueueMaxSize, maxBatchSize, maxMessageSize, null, messageHandler);
  }

  private static WebSocketTransport attach(ServerWebSocket ws, ContextInternal context, FlushScheduler flusher,
                                           int writeQueueMaxSize, int maxBatchSize, int maxMessageSize,
                                           Consumer<String> textHandler, Consumer<byte[]> binaryHandler) {
    ChannelHandlerContext vertxHandler = ((WebSocketInternal) ws).channelHandlerContext();
    Channel channel = vertxHandler.channel();
    int high = Math.min(writeQueueMaxSize, MAX_OUTBOUND_BUFFER);
    channel.config().setWriteBufferWaterMark(high == MAX_OUTBOUND_BUFFER ? WATER_MARK
        : new WriteBufferWaterMark(high / 2, high));
    IdleStateHandler idle = channel.pipeline().get(IdleStateHandler.class);
    if (idle != null) {
      channel.pipeline().remove(idle); // cancels its timer
    }
    WebSocketTransport transport = new WebSocketTransport(channel, context, flusher, writeQueueMaxSize, maxBatchSize,
        maxMessageSize, textHandler, binaryHandler);
    channel.pipeline().replace(vertxHandler.name(), "fluxer-websocket", transport.new Inbound());
    if (channel.pipeline().get(WebSocketFrameEncoder.class) != null) {
      channel.pipeline().remove(WebSocketFrameEncoder.class); // every frame is framed here
    }
    return transport;
  }

  @Override
  public void write(byte[] message) {
    if (closed) {
      return;
    }
    if (!sender.offer(message)) {
      closeWith(Disconnect.SLOW.code(), Disconnect.SLOW.reason());
    }
  }


  /**
   * Copies queued messages, newline-joined (text) or concatenated (binary), up to the batch size,
   * into one direct buffer behind the header of an unmasked final frame (RFC 6455 5.2). The server never negotiates
   * extensions (no compression), so this is the frame exactly as Netty's encoder would write it,
   * without the encoder's second buffer and copy.
   */
  private ByteBuf nextBatch(OutboundQueue pending) {
    // each message counts with the separator after it; the last one's is not sent
    int count = pending.fitting(maxBatchSize + separator, framed);
    int size = pending.framedBytes(count, framed) - separator;
    int header = size < 126 ? 2 : size <= 0xFFFF ? 4 : 10;
    ByteBuf batch = channel.alloc().directBuffer(header + size, header + size);
    writeHeader(batch, frameStart, size); // FIN, text or binary
    for (int i = 0; i < count; i++) {
      byte[] next = pending.poll();
      if (i > 0 && separator > 0) {
        batch.writeByte('\n');
      }
      batch.writeBytes(next);
    }
    return batch;
  }

  /** The header of an unmasked frame: its first byte (FIN, opcode) and the payload length. */
  private static void writeHeader(ByteBuf frame, int first, int size) {
    frame.writeByte(first);
    if (size < 126) {
      frame.writeByte(size);
    } else if (size <= 0xFFFF) {
      frame.writeByte(126).writeShort(size);
    } else {
      frame.writeByte(127).writeLong(size);
    }
  }

  /**
   * A control frame (close or pong) carrying {@code frame}'s payload, as Netty's encoder would
   * write it; releases {@code frame}.
   */
  private ByteBuf control(WebSocketFrame frame) {
    int opcode = frame instanceof CloseWebSocketFrame ? 0x8 : 0xA;
    try {
      ByteBuf payload = frame.content();
      int size = payload.readableBytes();
      ByteBuf out = channel.alloc().buffer(2 + size);
      writeHeader(out, 0x80 | opcode, size);
      out.writeBytes(payload, payload.readerIndex(), size);
      return out;
    } finally {
      frame.release();
    }
  }

  @Override
  public void close(Disconnect disconnect) {
    if (closed) {
      return;
    }
    sender.flushNow();
    closeWith(disconnect.code(), disconnect.reason());
  }

  /** Sends a close frame (what is queued behind a full channel is dropped) and reports the close. */
  private void closeWith(int code, String reason) {
    closeWith(code, reason, true);
  }

  /**
   * @param awaitPeer wait for the peer's close frame before dropping the connection; false when
   *     nothing more can be read from it (the frame decoder gave up on its input)
   */
  private void closeWith(int code, String reason, boolean awaitPeer) {
    if (closed) {
      return;
    }
    if (channel.isActive()) {
      closeSent = true;
      channel.writeAndFlush(control(new CloseWebSocketFrame(code, reason))).addListener((ChannelFutureListener) f -> {
        if (!f.isSuccess() || !awaitPeer) {
          channel.close();
        } else if (channel.isActive()) {
          // The peer should answer with its own close; drop the connection if it does not.
          channel.eventLoop().schedule(() -> {
            channel.close();
          }, CLOSE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
      });
    }
    onClosed(code);
  }

  private void onClosed(int code) {
    if (closed) {
      return;
    }
    closed = true;
    sender.stop();
    releaseFragments();
    closeHandler.accept(code);
  }

  @Override
  public void closeHandler(IntConsumer handler) {
    this.closeHandler = handler;
  }

  @Override
  public String remoteAddress() {
    return String.valueOf(channel.remoteAddress());
  }

  private void releaseFragments() {
    if (fragments != null) {
      fragments.release();
      fragments = null;
    }
  }

  private void onData(WebSocketFrame frame) {
    if (closed) {
      return;
    }
    boolean binary = binaryHandler != null;
    if (frame instanceof BinaryWebSocketFrame && !binary) {
      closeWith(Disconnect.BAD_REQUEST.code(), "binary frames are not supported");
      return;
    }
    if (frame instanceof TextWebSocketFrame && binary) {
      closeWith(Disconnect.BAD_REQUEST.code(), "text frames are not supported with centrifuge-protobuf");
      return;
    }
    ByteBuf data = frame.content();
    if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
      releaseFragments();
      if (frame.isFinalFragment()) {
        // The frame decoder already refused a frame over maxMessageSize.
        deliver(data);
        return;
      }
      fragments = channel.alloc().heapBuffer(Math.min(maxMessageSize, Math.max(256, data.readableBytes() * 2)),
          maxMessageSize);
    } else if (fragments == null) {
      return; // a continuation without a start: the frame decoder lets none through
    }
    if (fragments.readableBytes() + data.readableBytes() > maxMessageSize) {
      releaseFragments();
      closeWith(MESSAGE_TOO_BIG, "message too big");
      return;
    }
    fragments.writeBytes(data);
    if (frame.isFinalFragment()) {
      ByteBuf message = fragments;
      fragments = null;
      try {
        deliver(message);
      } finally {
        message.release();
      }
    }
  }

  /** Hands one whole message to the handler of this transport's mode. */
  private void deliver(ByteBuf message) {
    if (binaryHandler != null) {
      binaryHandler.accept(ByteBufUtil.getBytes(message));
    } else {
      textHandler.accept(message.toString(StandardCharsets.UTF_8));
    }
  }

  private void onPeerClose(CloseWebSocketFrame frame) {
    if (closeSent) {
      frame.release();
      channel.close();
    } else {
      // Answer with the peer's own status (RFC 6455 5.5.1), then end the connection.
      closeSent = true;
      channel.writeAndFlush(control(frame)).addListener(ChannelFutureListener.CLOSE);
    }
    context.emit(0, this::onClosed);
  }

  private void onError(Throwable e) {
    if (closed) {
      return;
    }
    if (e instanceof CorruptedWebSocketFrameException corrupted) {
      // Raised by the frame decoder, e.g. for a single frame over maxMessageSize: keep its status.
      // The decoder discards all further input, the peer's close frame too: do not wait for it.
      WebSocketCloseStatus status = corrupted.closeStatus();
      closeWith(status.code(), status.code() == MESSAGE_TOO_BIG ? "message too big" : status.reasonText(), false);
    } else if (e instanceof IOException) {
      channel.close(); // the peer is gone; channelInactive reports the close
    } else {
      closeWith(Disconnect.WRITE_ERROR.code(), Disconnect.WRITE_ERROR.reason());
    }
  }

  /**
   * The end of the channel's pipeline: frames in, writability and closing. It is also the handler
   * data frames are emitted to on the connection's context (a method reference made per frame
   * was an object per inbound message).
   */
  private final class Inbound extends ChannelInboundHandlerAdapter implements Handler<WebSocketFrame> {
    /** A data frame, on the connection's context. */
    @Override
    public void handle(WebSocketFrame frame) {
      onData(frame);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof TextWebSocketFrame || msg instanceof ContinuationWebSocketFrame
          || msg instanceof BinaryWebSocketFrame) {
        try {
          context.emit((WebSocketFrame) msg, this);
        } finally {
          ReferenceCountUtil.release(msg);
        }
      } else if (msg instanceof PingWebSocketFrame ping) {
        if (closeSent) {
          ping.release();
        } else {
          ctx.writeAndFlush(control(new PongWebSocketFrame(ping.content())), ctx.voidPromise());
        }
      } else if (msg instanceof CloseWebSocketFrame close) {
        onPeerClose(close);
      } else {
        ReferenceCountUtil.release(msg); // pongs: the protocol's own ping/pong keeps connections alive
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (sender.waitingForDrain() && ctx.channel().isWritable()) {
        context.emit(null, v -> sender.drained());
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      context.emit(0, WebSocketTransport.this::onClosed);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      context.emit(cause, WebSocketTransport.this::onError);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      ReferenceCountUtil.release(event); // e.g. Vert.x's shutdown notice: the verticle closes its sessions itself
    }
  }
}
