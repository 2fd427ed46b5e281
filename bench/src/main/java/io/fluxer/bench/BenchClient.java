package io.fluxer.bench;

import centrifugal.centrifuge.protocol.Client;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageLite;
import io.netty.buffer.ByteBuf;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One WebSocket connection of the generator, speaking the relay's protocol in JSON or in Protobuf
 * (binary frames, subprotocol {@code centrifuge-protobuf}): {@code connect} with a token, then
 * (unless it only publishes) {@code subscribe} to one channel. Answers server pings, and counts
 * the publications it receives, their latency (the publisher's embedded {@code System.nanoTime()},
 * same process, same clock) and sequence gaps into its {@link Lane}.
 * All its handlers run on the lane's event loop.
 */
final class BenchClient implements FrameScanner.Sink, ProtobufScanner.Sink {
  /** The WebSocket subprotocol of Centrifugo's Protobuf encoding. */
  static final String PROTOBUF_SUBPROTOCOL = "centrifuge-protobuf";
  /** An empty {@code Command}, length-delimited: the Protobuf client's pong. */
  private static final Buffer PROTOBUF_PONG = Buffer.buffer(new byte[] {0});
  private static final long CONNECT_ID = 1;
  private static final long SUBSCRIBE_ID = 2;

  final int index;
  final String channel;
  /** The relay node this connection went to, when connections are spread over nodes; else -1. */
  final int node;
  private final Lane lane;
  private final ClientPool pool;
  /** Speaks the Protobuf protocol (binary frames) instead of JSON. */
  private final boolean protobuf;
  private final Promise<BenchClient> ready = Promise.promise();
  private WebSocket ws;
  private boolean subscribed;
  private long nextId = SUBSCRIBE_ID + 1;
  /** Next sequence number expected on this connection's channel; -1 before the first. */
  private long nextSeq = -1;
  private Buffer fragments;
  // Per-frame tallies, added to the lane once per frame.
  private int frameStep;
  private long frameNow;
  private long frameReceived;
  private long frameLate;
  private long frameGaps;
  private long frameDuplicates;
  private boolean framePinged;
  /** Publish replies, for the publisher connection. */
  final AtomicLong publishAcks = new AtomicLong();
  final AtomicLong publishErrors = new AtomicLong();
  volatile boolean closed;
  /** Set when we close it ourselves, so the close does not count as a server disconnect. */
  volatile boolean closing;

  BenchClient(int index, String channel, int node, Lane lane, ClientPool pool, boolean protobuf) {
    this.index = index;
    this.channel = channel;
    this.node = node;
    this.lane = lane;
    this.pool = pool;
    this.protobuf = protobuf;
  }

  /** Starts the protocol on an open WebSocket; completes when connected (and subscribed). */
  Future<BenchClient> start(WebSocket socket, String token) {
    this.ws = socket;
    ws.frameHandler(this::onFrame);
    ws.closeHandler(v -> onClose());
    ws.exceptionHandler(e -> { });
    if (protobuf) {
      ws.writeBinaryMessage(delimited(Client.Command.newBuilder().setId((int) CONNECT_ID)
          .setConnect(Client.ConnectRequest.newBuilder().setToken(token).setName("fluxer-bench")).build()));
    } else {
      ws.writeTextMessage(new JsonObject().put("id", CONNECT_ID)
          .put("connect", new JsonObject().put("token", token).put("name", "fluxer-bench")).encode());
    }
    return ready.future();
  }

  Lane lane() {
    return lane;
  }

  /** The id for the next command this connection sends; call from the lane's loop. */
  long nextId() {
    return nextId++;
  }

  /** Sends one text message (a command built by the caller). */
  void send(String text) {
    ws.writeTextMessage(text);
  }

  void close() {
    closing = true;
    if (ws != null && !closed) {
      ws.close();
    }
  }

  private void onFrame(WebSocketFrame frame) {
    Buffer data;
    if (frame.isText() || frame.isBinary()) {
      if (!frame.isFinal()) {
        fragments = frame.binaryData().copy();
        return;
      }
      data = frame.binaryData();
    } else if (frame.isContinuation() && fragments != null) {
      fragments.appendBuffer(frame.binaryData());
      if (!frame.isFinal()) {
        return;
      }
      data = fragments;
      fragments = null;
    } else {
      return; // WebSocket-level ping, pong, close: handled by Vert.x
    }
    frameStep = pool.step();
    frameNow = System.nanoTime() - Publisher.CLOCK_BASE;
    frameReceived = 0;
    frameLate = 0;
    frameGaps = 0;
    frameDuplicates = 0;
    framePinged = false;
    // Vert.x hands over frames in heap buffers: scan the array in place; copy only otherwise.
    ByteBuf buf = ((BufferInternal) data).getByteBuf();
    int len = buf.readableBytes();
    if (buf.hasArray()) {
      int from = buf.arrayOffset() + buf.readerIndex();
      scan(buf.array(), from, from + len);
    } else {
      byte[] bytes = lane.scratch(len);
      buf.getBytes(buf.readerIndex(), bytes, 0, len);
      scan(bytes, 0, len);
    }
    if (frameReceived > 0) {
      lane.received.addAndGet(frameReceived);
      lane.lastArrivalNanos = frameNow + Publisher.CLOCK_BASE;
    }
    if (frameLate > 0) {
      lane.late.addAndGet(frameLate);
    }
    if (frameGaps > 0) {
      lane.gaps.addAndGet(frameGaps);
    }
    if (frameDuplicates > 0) {
      lane.duplicates.addAndGet(frameDuplicates);
    }
  }

  private void scan(byte[] b, int from, int to) {
    if (!protobuf) {
      FrameScanner.scan(b, from, to, this);
      return;
    }
    try {
      ProtobufScanner.scan(b, from, to, this);
    } catch (IllegalArgumentException malformed) {
      ready.tryFail(new IllegalStateException("malformed Protobuf frame: " + malformed.getMessage()));
      ws.close();
    }
  }

  @Override
  public void publication(long seq, long sentNanos, int step) {
    if (step == frameStep) {
      frameReceived++;
      lane.latency.recordNanos(frameNow - sentNanos);
      if (node >= 0) {
        (node == ClusterLayout.PUBLISHING_NODE ? lane.sameNodeLatency : lane.otherNodeLatency)
            .recordNanos(frameNow - sentNanos);
      }
      if (lane.timeline != null) {
        lane.timeline.record(frameNow, frameNow - sentNanos);
      }
    } else {
      frameLate++;
    }
    if (nextSeq >= 0 && seq != nextSeq) {
      if (seq > nextSeq) {
        frameGaps += seq - nextSeq;
      } else {
        frameDuplicates++;
        return;
      }
    }
    nextSeq = seq + 1;
  }

  @Override
  public void ping() {
    if (!framePinged) {
      framePinged = true;
      if (protobuf) {
        ws.writeBinaryMessage(PROTOBUF_PONG);
      } else {
        ws.writeTextMessage("{}");
      }
    }
  }

  @Override
  public void other(String message) {
    if (subscribed || channel == null && ready.future().isComplete()) {
      // After the handshake only publish replies come: {"id":N,"publish":{}} or {"id":N,"error":{...}}.
      if (message.startsWith("{\"id\":")) {
        (message.contains("\"error\"") ? publishErrors : publishAcks).incrementAndGet();
      }
      return;
    }
    JsonObject m;
    try {
      m = new JsonObject(message);
    } catch (RuntimeException e) {
      return;
    }
    JsonObject error = m.getJsonObject("error");
    answered(m.getLong("id", 0L), error == null ? null : error.encode());
  }

  @Override
  public void reply(byte[] b, int from, int to) {
    Client.Reply r;
    try {
      r = Client.Reply.parseFrom(java.nio.ByteBuffer.wrap(b, from, to - from));
    } catch (InvalidProtocolBufferException e) {
      return;
    }
    answered(r.getId(), r.hasError() ? r.getError().getCode() + " " + r.getError().getMessage() : null);
  }

  /** A reply to command {@code id}: the handshake's, or a publish's; {@code error} null on success. */
  private void answered(long id, String error) {
    if (id == CONNECT_ID || id == SUBSCRIBE_ID && !subscribed) {
      if (error != null) {
        ready.tryFail(new IllegalStateException((id == CONNECT_ID ? "connect" : "subscribe " + channel)
            + " refused: " + error));
        ws.close();
      } else if (id == CONNECT_ID && channel != null) {
        subscribe();
      } else {
        subscribed = channel != null;
        ready.tryComplete(this);
      }
    } else if (id > SUBSCRIBE_ID) {
      (error == null ? publishAcks : publishErrors).incrementAndGet();
    }
  }

  private void subscribe() {
    if (protobuf) {
      ws.writeBinaryMessage(delimited(Client.Command.newBuilder().setId((int) SUBSCRIBE_ID)
          .setSubscribe(Client.SubscribeRequest.newBuilder().setChannel(channel)).build()));
    } else {
      ws.writeTextMessage(new JsonObject().put("id", SUBSCRIBE_ID)
          .put("subscribe", new JsonObject().put("channel", channel)).encode());
    }
  }

  /** {@code message} with its varint length in front, as the Protobuf protocol frames commands. */
  static Buffer delimited(MessageLite message) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      message.writeDelimitedTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Buffer.buffer(out.toByteArray());
  }

  private void onClose() {
    closed = true;
    Short code = ws.closeStatusCode();
    ready.tryFail(new IllegalStateException("closed during handshake: " + code + " " + ws.closeReason()));
    if (!closing) {
      pool.countDisconnect(code);
    }
  }
}
