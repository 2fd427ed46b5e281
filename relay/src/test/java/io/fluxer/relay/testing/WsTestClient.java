package io.fluxer.relay.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A raw WebSocket client of the relay's JSON protocol, for integration tests.
 *
 * <p>Each received text message (a frame, or fragments up to the final one) is split on {@code \n}
 * into JSON messages, which are kept in arrival order together with the time they arrived; lines
 * that are not JSON objects are kept apart so that tests can assert there are none. The close code
 * and reason are recorded. Server pings ({@code {}}) are answered with {@code {}} unless
 * {@link #autoPong(boolean)} turns that off.
 *
 * <p>All {@code await*} methods block the calling (test) thread until a condition holds or a
 * deadline passes, then fail with an {@link AssertionError} that shows what arrived. They must not
 * be called from an event loop.
 */
public final class WsTestClient implements AutoCloseable {
  /** Default deadline of the awaiting methods. */
  public static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final int MAX_SIZE = 16 << 20;

  /** One JSON message as received, with its arrival time in epoch milliseconds. */
  public record Received(JsonObject message, long atMillis) {}

  /** How the connection was closed: the close frame's code and reason ({@code null} if none was received). */
  public record Close(Short code, String reason) {}

  private final WebSocketClient client;
  private final Object lock = new Object();
  private final List<Received> received = new ArrayList<>();
  private final List<Integer> messagesPerFrame = new ArrayList<>();
  private final List<String> invalidLines = new ArrayList<>();
  /** Number of pushes received per channel and type ({@code channel + " " + type}). */
  private final Map<String, Integer> pushCounts = new HashMap<>();
  private final AtomicLong nextId = new AtomicLong(1);
  private WebSocket ws;
  private Buffer fragments;
  private Close close;
  private volatile boolean autoPong = true;

  private WsTestClient(WebSocketClient client) {
    this.client = client;
  }

  /** Connects without an {@code Origin} header (as a non-browser client does). */
  public static WsTestClient open(Vertx vertx, String url) {
    return TestRelay.await(connect(vertx, url, null));
  }

  /** Connects with the given {@code Origin} header, or without one when {@code origin} is {@code null}. */
  public static WsTestClient open(Vertx vertx, String url, String origin) {
    return TestRelay.await(connect(vertx, url, origin));
  }

  /**
   * Starts a handshake; the future fails (e.g. with {@link io.vertx.core.http.UpgradeRejectedException})
   * when the server refuses the upgrade.
   */
  public static Future<WsTestClient> connect(Vertx vertx, String url, String origin) {
    return connect(vertx, url, origin, java.util.Map.of());
  }

  /** As {@link #connect(Vertx, String, String)}, with further handshake headers. */
  public static Future<WsTestClient> connect(Vertx vertx, String url, String origin,
                                             java.util.Map<String, String> headers) {
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(MAX_SIZE)
        .setMaxMessageSize(MAX_SIZE)
        .setClosingTimeout(2));
    // Vert.x adds an Origin derived from the URL unless told not to, and then strips any Origin.
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setAbsoluteURI(url)
        .setAllowOriginHeader(origin != null);
    if (origin != null) {
      options.putHeader(HttpHeaders.ORIGIN.toString(), origin);
    }
    headers.forEach(options::putHeader);
    WsTestClient c = new WsTestClient(client);
    return client.connect(options)
        .map(ws -> {
          c.attach(ws);
          return c;
        })
        .onFailure(e -> client.close());
  }

  private void attach(WebSocket socket) {
    synchronized (lock) {
      ws = socket;
    }
    socket.frameHandler(this::onFrame);
    socket.closeHandler(v -> {
      synchronized (lock) {
        if (close == null) {
          close = new Close(socket.closeStatusCode(), socket.closeReason());
        }
        lock.notifyAll();
      }
    });
  }

  private void onFrame(WebSocketFrame frame) {
    if (frame.isText()) {
      fragments = Buffer.buffer();
    } else if (!frame.isContinuation() || fragments == null) {
      return; // binary, ping, pong, close: nothing the protocol sends as a message
    }
    fragments.appendBuffer(frame.binaryData());
    if (!frame.isFinal()) {
      return;
    }
    String text = fragments.toString(StandardCharsets.UTF_8);
    fragments = null;
    long now = System.currentTimeMillis();
    boolean ping = false;
    synchronized (lock) {
      String[] lines = text.split("\n", -1);
      messagesPerFrame.add(lines.length);
      for (String line : lines) {
        JsonObject json = parse(line);
        if (json == null) {
          invalidLines.add(line);
        } else {
          received.add(new Received(json, now));
          ping |= json.isEmpty();
          countPush(json);
        }
      }
      lock.notifyAll();
    }
    if (ping && autoPong) {
      ws.writeTextMessage("{}");
    }
  }

  private void countPush(JsonObject json) {
    Object push = json.getValue("push");
    if (push instanceof JsonObject p) {
      for (String type : p.fieldNames()) {
        if (!"channel".equals(type)) {
          pushCounts.merge(p.getString("channel", "") + " " + type, 1, Integer::sum);
        }
      }
    }
  }

  private static JsonObject parse(String line) {
    try {
      return new JsonObject(line);
    } catch (RuntimeException e) {
      return null;
    }
  }

  // ---- sending

  /** Whether server pings are answered (default true). */
  public WsTestClient autoPong(boolean on) {
    autoPong = on;
    return this;
  }

  /** Sends one text frame as it is. */
  public void sendRaw(String text) {
    TestRelay.await(ws.writeFinalTextFrame(text));
  }

  /** Sends one frame as it is (binary, fragments). */
  public void sendFrame(WebSocketFrame frame) {
    TestRelay.await(ws.writeFrame(frame));
  }

  /** Sends {@code {"id":n,"<method>":params}} in its own frame and returns {@code n}. */
  public long send(String method, JsonObject params) {
    long id = nextId.getAndIncrement();
    sendRaw(command(id, method, params).encode());
    return id;
  }

  /** A command with a fresh id, for tests that put several commands in one frame. */
  public JsonObject command(String method, JsonObject params) {
    return command(nextId.getAndIncrement(), method, params);
  }

  private static JsonObject command(long id, String method, JsonObject params) {
    return new JsonObject().put("id", id).put(method, params);
  }

  /** Sends a command and returns the whole reply (which may be an error). */
  public JsonObject call(String method, JsonObject params) {
    long id = send(method, params);
    return awaitReply(id);
  }

  /** Sends a command, asserts the reply is not an error, and returns the reply's result object. */
  public JsonObject result(String method, JsonObject params) {
    JsonObject reply = call(method, params);
    if (reply.containsKey("error")) {
      throw new AssertionError(method + " failed: " + reply.encode());
    }
    JsonObject result = reply.getJsonObject(method);
    return result == null ? new JsonObject() : result;
  }

  /** Sends a command and returns the error code of its reply (0 when it succeeded). */
  public int errorCode(String method, JsonObject params) {
    JsonObject error = call(method, params).getJsonObject("error");
    return error == null ? 0 : error.getInteger("code");
  }

  /** Connects with a token ({@code null} for none) and returns the connect result; fails on an error reply. */
  public JsonObject connectWith(String token) {
    JsonObject params = new JsonObject();
    if (token != null) {
      params.put("token", token);
    }
    return result("connect", params);
  }

  /** Subscribes and returns the subscribe result; fails on an error reply. */
  public JsonObject subscribe(String channel) {
    return result("subscribe", new JsonObject().put("channel", channel));
  }

  /** Publishes {@code data} and waits for the reply; fails on an error reply. */
  public void publish(String channel, JsonObject data) {
    result("publish", new JsonObject().put("channel", channel).put("data", data));
  }

  /** Pauses reading: the client stops consuming, so the server's writes back up (a slow consumer). */
  public void pause() {
    ws.pause();
  }

  public void resume() {
    ws.resume();
  }

  // ---- what arrived

  /** The messages received so far, in order. */
  public List<JsonObject> messages() {
    synchronized (lock) {
      return received.stream().map(Received::message).toList();
    }
  }

  /** How many {@code \n}-separated messages each received text message held, in order. */
  public List<Integer> messagesPerFrame() {
    synchronized (lock) {
      return List.copyOf(messagesPerFrame);
    }
  }

  /** Received lines that were not JSON objects. */
  public List<String> invalidLines() {
    synchronized (lock) {
      return List.copyOf(invalidLines);
    }
  }

  /** The {@code pub} objects of publication pushes on {@code channel}, in arrival order. */
  public List<JsonObject> publications(String channel) {
    return pushes(channel, "pub");
  }

  /** The bodies of pushes of one type ({@code pub}, {@code join}, {@code leave}, ...) on a channel. */
  public List<JsonObject> pushes(String channel, String type) {
    return messages().stream()
        .map(m -> m.getJsonObject("push"))
        .filter(p -> p != null && channel.equals(p.getString("channel", "")) && p.containsKey(type))
        .map(p -> p.getJsonObject(type))
        .toList();
  }

  /** How the connection was closed, or {@code null} while open. */
  public Close closeInfo() {
    synchronized (lock) {
      return close;
    }
  }

  public boolean isClosed() {
    return closeInfo() != null;
  }

  // ---- waiting

  /** The first received message matching {@code predicate}, waiting up to {@code timeout} for it. */
  public JsonObject awaitMessage(Predicate<JsonObject> predicate, Duration timeout) {
    return awaitReceived(r -> predicate.test(r.message()), timeout).message();
  }

  /** Like {@link #awaitMessage} over messages and their arrival times. */
  public Received awaitReceived(Predicate<Received> predicate, Duration timeout) {
    Received[] found = new Received[1];
    awaitCondition(() -> {
      for (Received r : received) {
        if (predicate.test(r)) {
          found[0] = r;
          return true;
        }
      }
      return false;
    }, timeout, "a matching message");
    return found[0];
  }

  /** Waits until {@code count} received messages match {@code predicate}, and returns those that do. */
  public List<JsonObject> awaitMessages(Predicate<JsonObject> predicate, int count, Duration timeout) {
    awaitCondition(() -> received.stream().filter(r -> predicate.test(r.message())).count() >= count, timeout,
        count + " matching messages");
    return messages().stream().filter(predicate).toList();
  }

  /** The reply to command {@code id}. */
  public JsonObject awaitReply(long id) {
    return awaitMessage(m -> m.getLong("id", 0L) == id, TIMEOUT);
  }

  /** Waits until {@code count} publications arrived on the channel, and returns them all. */
  public List<JsonObject> awaitPublications(String channel, int count, Duration timeout) {
    awaitCondition(() -> pushCounts.getOrDefault(channel + " pub", 0) >= count, timeout,
        count + " publications on " + channel);
    return publications(channel);
  }

  /** How many pushes of a type ({@code pub}, {@code join}, ...) arrived on a channel so far. */
  public int pushCount(String channel, String type) {
    synchronized (lock) {
      return pushCounts.getOrDefault(channel + " " + type, 0);
    }
  }

  /** Waits for the connection to be closed and returns how. */
  public Close awaitClose(Duration timeout) {
    awaitCondition(() -> close != null, timeout, "the connection to close");
    return closeInfo();
  }

  /**
   * Waits, with the client's lock held between checks, until {@code condition} holds; it is
   * re-checked whenever something arrives or the connection closes.
   */
  private void awaitCondition(BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!condition.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what
              + "; close=" + close + "; received " + received.size() + " messages, last: " + last(3));
        }
        try {
          lock.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted waiting for " + what, e);
        }
      }
    }
  }

  private List<String> last(int n) {
    return received.subList(Math.max(0, received.size() - n), received.size()).stream()
        .map(r -> abbreviate(r.message().encode()))
        .toList();
  }

  private static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "..." : s;
  }

  // ---- closing

  /** Closes the connection (if open) and the underlying client. */
  @Override
  public void close() {
    try {
      if (!isClosed()) {
        ws.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      }
    } catch (Exception ignored) {
      // best effort: the client is closed below anyway
    } finally {
      client.close();
    }
  }

  @Override
  public String toString() {
    return "WsTestClient[" + Objects.requireNonNullElse(closeInfo(), "open") + "]";
  }
}
