package io.fluxer.bench.ceiling;

import io.netty.buffer.Unpooled;
import io.vertx.core.Context;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * One ceiling connection: minimal answers to the relay's commands, and the relay's write path
 * (queue during the event-loop turn, flush one {@code \n}-joined frame of at most 64 KiB that
 * wraps the shared message bytes, wait for drain while the socket is full, close with 3008 past
 * 1 MiB queued).
 */
final class CeilingConnection {
  private static final int MAX_BATCH = 65536;
  private static final int MAX_QUEUED = 1 << 20;
  private static final byte[] NEWLINE = {'\n'};

  private final ServerWebSocket ws;
  private final Context context;
  private final CeilingVerticle hub;
  private final Set<String> channels = new HashSet<>();
  private final ArrayDeque<byte[]> pending = new ArrayDeque<>();
  private long pendingBytes;
  private boolean flushScheduled;
  private boolean waitingForDrain;
  private boolean closed;

  CeilingConnection(ServerWebSocket ws, Context context, CeilingVerticle hub) {
    this.ws = ws;
    this.context = context;
    this.hub = hub;
    ws.setWriteQueueMaxSize(256 * 1024);
    ws.textMessageHandler(this::onMessage);
    ws.closeHandler(v -> onClosed());
    ws.exceptionHandler(e -> ws.close());
  }

  private void onMessage(String frame) {
    for (String line : frame.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonObject cmd;
      try {
        cmd = new JsonObject(line);
      } catch (RuntimeException e) {
        ws.close((short) 3501, "bad request");
        return;
      }
      long id = cmd.getLong("id", 0L);
      if (cmd.containsKey("connect")) {
        reply("{\"id\":" + id + ",\"connect\":{\"client\":\"" + UUID.randomUUID()
            + "\",\"version\":\"ceiling\",\"ping\":25,\"pong\":true}}");
      } else if (cmd.containsKey("subscribe")) {
        String channel = cmd.getJsonObject("subscribe").getString("channel");
        if (channels.add(channel)) {
          hub.subscribe(channel, this);
        }
        reply("{\"id\":" + id + ",\"subscribe\":{}}");
      } else if (cmd.containsKey("unsubscribe")) {
        String channel = cmd.getJsonObject("unsubscribe").getString("channel");
        if (channels.remove(channel)) {
          hub.unsubscribe(channel, this);
        }
        reply("{\"id\":" + id + ",\"unsubscribe\":{}}");
      } else if (cmd.containsKey("publish")) {
        JsonObject p = cmd.getJsonObject("publish");
        String channel = p.getString("channel");
        byte[] push = ("{\"push\":{\"channel\":" + Json.encode(channel) + ",\"pub\":{\"data\":"
            + Json.encode(p.getValue("data")) + ",\"offset\":" + hub.nextOffset(channel) + "}}}")
            .getBytes(StandardCharsets.UTF_8);
        hub.publish(channel, push);
        reply("{\"id\":" + id + ",\"publish\":{}}");
      } else if (id > 0) {
        reply("{\"id\":" + id + ",\"error\":{\"code\":104,\"message\":\"method not found\"}}");
      }
      // {} is a pong: nothing to do
    }
  }

  private void reply(String json) {
    write(json.getBytes(StandardCharsets.UTF_8));
  }

  void write(byte[] message) {
    if (closed) {
      return;
    }
    pending.add(message);
    pendingBytes += message.length + 1;
    if (pendingBytes > MAX_QUEUED) {
      pending.clear();
      pendingBytes = 0;
      ws.close((short) 3008, "slow");
      onClosed();
      return;
    }
    if (!flushScheduled && !waitingForDrain) {
      flushScheduled = true;
      context.runOnContext(v -> flush());
    }
  }

  private void flush() {
    flushScheduled = false;
    if (closed || ws.isClosed()) {
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

  private WebSocketFrame nextBatch() {
    byte[] first = pending.poll();
    int size = first.length;
    pendingBytes -= first.length + 1;
    if (pending.isEmpty() || size + 1 + pending.peek().length > MAX_BATCH) {
      return new WebSocketFrameImpl(WebSocketFrameType.TEXT, Unpooled.wrappedBuffer(first), true);
    }
    ArrayDeque<byte[]> parts = new ArrayDeque<>();
    parts.add(first);
    while (!pending.isEmpty() && size + 1 + pending.peek().length <= MAX_BATCH) {
      byte[] next = pending.poll();
      pendingBytes -= next.length + 1;
      size += 1 + next.length;
      parts.add(NEWLINE);
      parts.add(next);
    }
    return new WebSocketFrameImpl(WebSocketFrameType.TEXT, Unpooled.wrappedBuffer(parts.toArray(new byte[0][])), true);
  }

  private void onClosed() {
    if (closed) {
      return;
    }
    closed = true;
    pending.clear();
    pendingBytes = 0;
    for (String channel : channels) {
      hub.unsubscribe(channel, this);
    }
    channels.clear();
  }
}
