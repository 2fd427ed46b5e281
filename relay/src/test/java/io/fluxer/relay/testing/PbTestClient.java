package io.fluxer.relay.testing;

import centrifugal.centrifuge.protocol.Client;
import com.google.protobuf.CodedInputStream;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.http.WebSocketFrame;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A raw client of the Protobuf protocol for tests: WebSocket subprotocol {@code centrifuge-protobuf},
 * varint-delimited {@code Command}s out, {@code Reply}s in (several per binary frame), the server's
 * ping (an empty reply) answered with an empty command. Every wait has a deadline and wakes up when
 * something arrives.
 */
public final class PbTestClient implements AutoCloseable {
  public static final String SUBPROTOCOL = "centrifuge-protobuf";
  private static final int MAX_SIZE = 16 << 20;

  private final WebSocketClient client;
  private final Object lock = new Object();
  private final List<Client.Reply> received = new ArrayList<>();
  private final List<Integer> messagesPerFrame = new ArrayList<>();
  private final AtomicInteger nextId = new AtomicInteger(1);
  private WebSocket ws;
  private Buffer fragments;
  private WsTestClient.Close close;
  private int pings;
  private String decodeProblem;

  private PbTestClient(WebSocketClient client) {
    this.client = client;
  }

  /** Opens a connection asking for the Protobuf subprotocol. */
  public static PbTestClient open(Vertx vertx, String url) {
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(MAX_SIZE).setMaxMessageSize(MAX_SIZE).setClosingTimeout(2));
    WebSocketConnectOptions options = new WebSocketConnectOptions().setAbsoluteURI(url)
        .setAllowOriginHeader(false).addSubProtocol(SUBPROTOCOL);
    PbTestClient c = new PbTestClient(client);
    Future<PbTestClient> connected = client.connect(options).map(socket -> {
      c.attach(socket);
      return c;
    }).onFailure(e -> client.close());
    return TestRelay.await(connected);
  }

  /** The subprotocol the server agreed on. */
  public String subProtocol() {
    return ws.subProtocol();
  }

  private void attach(WebSocket socket) {
    synchronized (lock) {
      ws = socket;
    }
    socket.frameHandler(this::onFrame);
    socket.closeHandler(v -> {
      synchronized (lock) {
        if (close == null) {
          close = new WsTestClient.Close(socket.closeStatusCode(), socket.closeReason());
        }
        lock.notifyAll();
      }
    });
  }

  private void onFrame(WebSocketFrame frame) {
    if (frame.isBinary()) {
      fragments = Buffer.buffer();
    } else if (!frame.isContinuation() || fragments == null) {
      if (frame.isText()) {
        synchronized (lock) {
          decodeProblem = "text frame: " + frame.textData();
          lock.notifyAll();
        }
      }
      return;
    }
    fragments.appendBuffer(frame.binaryData());
    if (!frame.isFinal()) {
      return;
    }
    byte[] bytes = fragments.getBytes();
    fragments = null;
    int answerPings = 0;
    synchronized (lock) {
      try {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        int count = 0;
        while (!in.isAtEnd()) {
          int length = in.readRawVarint32();
          int limit = in.pushLimit(length);
          Client.Reply reply = Client.Reply.parseFrom(in);
          in.popLimit(limit);
          received.add(reply);
          count++;
          if (reply.equals(Client.Reply.getDefaultInstance())) {
            pings++;
            answerPings++;
          }
        }
        messagesPerFrame.add(count);
      } catch (IOException e) {
        decodeProblem = "undecodable frame: " + e.getMessage();
      }
      lock.notifyAll();
    }
    for (int i = 0; i < answerPings; i++) {
      ws.writeBinaryMessage(Buffer.buffer(new byte[] {0})); // the pong: an empty Command
    }
  }

  // ---- sending

  /** Sends commands (ids are filled in where 0 and the command is not a send) in one frame; returns the ids. */
  public List<Integer> send(Client.Command.Builder... commands) {
    List<Integer> ids = new ArrayList<>();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      for (Client.Command.Builder c : commands) {
        if (c.getId() == 0 && !c.hasSend()) {
          c.setId(nextId.getAndIncrement());
        }
        ids.add(c.getId());
        c.build().writeDelimitedTo(out);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    sendRaw(out.toByteArray());
    return ids;
  }

  /** Sends one binary frame as it is. */
  public void sendRaw(byte[] frame) {
    TestRelay.await(ws.writeFinalBinaryFrame(Buffer.buffer(frame)));
  }

  /** Sends one text frame as it is. */
  public void sendText(String text) {
    TestRelay.await(ws.writeFinalTextFrame(text));
  }

  /** Sends one command and returns its reply. */
  public Client.Reply call(Client.Command.Builder command) {
    int id = send(command).get(0);
    return awaitReply(id);
  }

  /** Sends one command and returns its reply, failing on an error reply. */
  public Client.Reply result(Client.Command.Builder command) {
    Client.Reply reply = call(command);
    if (reply.hasError()) {
      throw new AssertionError("command failed: " + reply.getError());
    }
    return reply;
  }

  public Client.ConnectResult connectWith(String token) {
    return result(Client.Command.newBuilder().setConnect(Client.ConnectRequest.newBuilder().setToken(token)))
        .getConnect();
  }

  public Client.SubscribeResult subscribe(String channel) {
    return result(Client.Command.newBuilder().setSubscribe(Client.SubscribeRequest.newBuilder().setChannel(channel)))
        .getSubscribe();
  }

  /** Publishes JSON text as the data's UTF-8 bytes; returns the reply (which may be an error). */
  public Client.Reply publish(String channel, String json) {
    return call(Client.Command.newBuilder().setPublish(Client.PublishRequest.newBuilder().setChannel(channel)
        .setData(com.google.protobuf.ByteString.copyFromUtf8(json))));
  }

  // ---- what arrived

  public List<Client.Reply> replies() {
    synchronized (lock) {
      return List.copyOf(received);
    }
  }

  /** How many replies each binary frame held, in order. */
  public List<Integer> messagesPerFrame() {
    synchronized (lock) {
      return List.copyOf(messagesPerFrame);
    }
  }

  /** The publications pushed on {@code channel}, in order. */
  public List<Client.Publication> publications(String channel) {
    return replies().stream().filter(r -> r.hasPush() && r.getPush().getChannel().equals(channel)
        && r.getPush().hasPub()).map(r -> r.getPush().getPub()).toList();
  }

  public int pings() {
    synchronized (lock) {
      return pings;
    }
  }

  public WsTestClient.Close closeInfo() {
    synchronized (lock) {
      return close;
    }
  }

  // ---- waiting

  public Client.Reply awaitReply(int id) {
    return awaitReplyMatching(r -> r.getId() == id, WsTestClient.TIMEOUT);
  }

  public Client.Reply awaitReplyMatching(Predicate<Client.Reply> predicate, Duration timeout) {
    Client.Reply[] found = new Client.Reply[1];
    awaitCondition(() -> {
      for (Client.Reply r : received) {
        if (predicate.test(r)) {
          found[0] = r;
          return true;
        }
      }
      return false;
    }, timeout, "a matching reply");
    return found[0];
  }

  public List<Client.Publication> awaitPublications(String channel, int count, Duration timeout) {
    awaitCondition(() -> received.stream().filter(r -> r.hasPush() && r.getPush().getChannel().equals(channel)
        && r.getPush().hasPub()).count() >= count, timeout, count + " publications on " + channel);
    return publications(channel);
  }

  public void awaitPings(int count, Duration timeout) {
    awaitCondition(() -> pings >= count, timeout, count + " pings");
  }

  public WsTestClient.Close awaitClose(Duration timeout) {
    awaitCondition(() -> close != null, timeout, "the connection to close");
    return closeInfo();
  }

  private void awaitCondition(BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!condition.getAsBoolean()) {
        if (decodeProblem != null) {
          throw new AssertionError(decodeProblem);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what
              + "; close=" + close + "; received " + received.size() + " replies");
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

  @Override
  public void close() {
    try {
      if (closeInfo() == null) {
        ws.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      }
    } catch (Exception ignored) {
      // best effort: the client is closed below anyway
    } finally {
      client.close();
    }
  }

  /** Decodes a publication's data as the JSON text it carries. */
  public static String text(Client.Publication p) {
    return p.getData().toStringUtf8();
  }
}
