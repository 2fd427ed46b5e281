package io.fluxer.relay.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One connection to a relay's WebSocket protocol (JSON), made with a connection token from
 * {@link Remote#connectionToken}: connect, subscribe (with recovery from a position), and the
 * publications that arrive, one at a time, for the command's thread ({@link #next}). Server pings
 * ({@code {}}) are answered here. Nothing blocks the socket's threads: they only queue.
 */
final class Live implements AutoCloseable {
  static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);

  /** Something that arrived: a publication on a channel, or the end of the connection. */
  sealed interface Event permits Publication, Closed {}

  /** A publication: its channel, data and offset (0 when the namespace keeps no history). */
  record Publication(String channel, JsonObject data, long offset) implements Event {}

  /** The connection ended; {@code code} is the close code (-1: an error, the reason says which). */
  record Closed(int code, String reason) implements Event {}

  /** Where a subscription is in its channel's stream, for recovery. */
  record Position(long offset, String epoch) {}

  /** What a subscribe answered: the position, whether a recovery got every missed publication. */
  record Subscribed(Position position, boolean recovered) {}

  private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  private final Map<Long, CompletableFuture<JsonObject>> replies = new ConcurrentHashMap<>();
  private final Map<Long, String> subscribing = new ConcurrentHashMap<>();
  private final AtomicLong ids = new AtomicLong(1);
  private final Object sendLock = new Object();
  private WebSocket socket;
  private CompletableFuture<WebSocket> sending;

  private Live() {}

  /** Opens a connection and completes {@code connect}; fails with a message saying why. */
  static Live open(Remote remote) throws Remote.Unreachable {
    String token = remote.connectionToken();
    Live live = new Live();
    try {
      live.socket = remote.client().newWebSocketBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .buildAsync(remote.websocket(), live.new Listener())
          .get(REPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new Remote.Unreachable("cannot open " + remote.websocket() + " ("
          + (e.getCause() == null ? e : e.getCause()) + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Remote.Unreachable("interrupted");
    }
    synchronized (live.sendLock) {
      live.sending = CompletableFuture.completedFuture(live.socket);
    }
    try {
      JsonObject reply = live.call("connect", new JsonObject().put("token", token).put("name", "fluxer-cli"));
      if (reply.containsKey("error")) {
        throw new Remote.Unreachable("the relay refused the connection: " + reply.getJsonObject("error").encode());
      }
      return live;
    } catch (Remote.Unreachable e) {
      live.close();
      throw e;
    }
  }

  /**
   * Subscribes to {@code channel}; with {@code since}, asks for the publications missed after it (they
   * are queued before any newer one).
   */
  Subscribed subscribe(String channel, Position since) throws Remote.Unreachable {
    JsonObject params = new JsonObject().put("channel", channel);
    if (since != null) {
      params.put("recover", true).put("offset", since.offset()).put("epoch", since.epoch());
    }
    JsonObject reply = call("subscribe", params, channel);
    if (reply.getValue("error") instanceof JsonObject e) {
      throw new Remote.Unreachable("cannot subscribe to " + channel + ": " + e.getString("message", "")
          + " (code " + e.getValue("code") + ")");
    }
    JsonObject result = reply.getJsonObject("subscribe", new JsonObject());
    Position position = new Position(result.getLong("offset", 0L), result.getString("epoch", ""));
    return new Subscribed(position, since == null || result.getBoolean("recovered", false));
  }

  /** The next event, or {@code null} when none came within {@code wait}. */
  Event next(Duration wait) throws InterruptedException {
    return events.poll(Math.max(0, wait.toMillis()), TimeUnit.MILLISECONDS);
  }

  private JsonObject call(String method, JsonObject params) throws Remote.Unreachable {
    return call(method, params, null);
  }

  /** Sends a command and waits for its reply; {@code channel}: a subscribe's, whose missed publications are queued. */
  private JsonObject call(String method, JsonObject params, String channel) throws Remote.Unreachable {
    long id = ids.getAndIncrement();
    CompletableFuture<JsonObject> reply = new CompletableFuture<>();
    if (channel != null) {
      subscribing.put(id, channel);
    }
    replies.put(id, reply);
    send(new JsonObject().put("id", id).put(method, params).encode());
    try {
      return reply.get(REPLY_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      throw new Remote.Unreachable("no answer to " + method + " within " + REPLY_TIMEOUT.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Remote.Unreachable("interrupted");
    } finally {
      replies.remove(id);
      subscribing.remove(id);
    }
  }

  /** Sends one text message after the previous one went (the JDK socket allows one send at a time). */
  private void send(String text) {
    synchronized (sendLock) {
      if (sending != null) { // null only before the socket is open, when nothing is sent yet
        sending = sending.thenCompose(ws -> ws.sendText(text, true));
      }
    }
  }

  private static JsonObject data(JsonObject pub) {
    Object data = pub.getValue("data");
    return data instanceof JsonObject o ? o : new JsonObject().put("value", data);
  }

  private void received(String line) {
    JsonObject json;
    try {
      json = new JsonObject(line);
    } catch (RuntimeException e) {
      return; // not the protocol's JSON: nothing to act on
    }
    if (json.isEmpty()) {
      send("{}"); // a ping: any message is the pong
      return;
    }
    if (json.getValue("id") instanceof Number id) {
      String channel = subscribing.get(id.longValue());
      if (channel != null && json.getValue("subscribe") instanceof JsonObject result
          && result.getValue("publications") instanceof JsonArray missed) {
        // queued here, on the socket's thread, so they come before the pushes that follow the reply
        for (int i = 0; i < missed.size(); i++) {
          if (missed.getValue(i) instanceof JsonObject pub) {
            events.add(new Publication(channel, data(pub), pub.getLong("offset", 0L)));
          }
        }
      }
      CompletableFuture<JsonObject> reply = replies.get(id.longValue());
      if (reply != null) {
        reply.complete(json);
      }
      return;
    }
    if (json.getValue("push") instanceof JsonObject push && push.getValue("pub") instanceof JsonObject pub) {
      events.add(new Publication(push.getString("channel", ""), data(pub), pub.getLong("offset", 0L)));
    } else if (json.getValue("push") instanceof JsonObject other && other.getValue("disconnect") instanceof JsonObject d) {
      events.add(new Closed(d.getInteger("code", -1), d.getString("reason", "")));
    }
  }

  @Override
  public void close() {
    if (socket != null && !socket.isOutputClosed()) {
      synchronized (sendLock) {
        sending = sending.thenCompose(ws -> ws.sendClose(WebSocket.NORMAL_CLOSURE, "done"));
      }
    }
    if (socket != null) {
      try {
        sending.get(2, TimeUnit.SECONDS);
      } catch (ExecutionException | TimeoutException e) {
        socket.abort();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        socket.abort();
      }
    }
  }

  /** The socket's callbacks: they split frames into lines and queue them, nothing more. */
  private final class Listener implements WebSocket.Listener {
    private final StringBuilder text = new StringBuilder();

    @Override
    public void onOpen(WebSocket webSocket) {
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      text.append(data);
      if (last) {
        String message = text.toString();
        text.setLength(0);
        for (String line : message.split("\n")) {
          if (!line.isBlank()) {
            received(line);
          }
        }
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      events.add(new Closed(statusCode, reason));
      replies.values().forEach(r -> r.completeExceptionally(new IllegalStateException("closed")));
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      events.add(new Closed(-1, String.valueOf(error)));
      replies.values().forEach(r -> r.completeExceptionally(error));
    }
  }
}
