package io.fluxer.relay.testing;

import centrifugal.centrifuge.protocol.Client;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A client of HTTP streaming with Protobuf for tests, as the SDKs' Protobuf builds speak it: one
 * {@code POST /connection/http_stream} with {@code Content-Type: application/octet-stream} and
 * varint-length-delimited {@code Command}s as its body; the response's varint-length-delimited
 * {@code Reply}s are cut out of the stream however it is chunked. Later commands go through
 * {@code POST /emulation} as an {@code EmulationRequest} ({@link #emulationBody}). Every wait has a
 * deadline and wakes up when something arrives.
 */
public final class PbStreamTestClient implements AutoCloseable {
  public static final String OCTET_STREAM = "application/octet-stream";

  private final HttpClient client;
  private final Object lock = new Object();
  private final List<Client.Reply> replies = new ArrayList<>();
  private Buffer partial = Buffer.buffer();
  private int status;
  private MultiMap headers;
  private boolean ended;
  private String decodeProblem;
  private HttpClientRequest request;

  private PbStreamTestClient(HttpClient client) {
    this.client = client;
  }

  /** Posts {@code body} to {@code url} as Protobuf; returns once the response head arrived. */
  public static PbStreamTestClient open(Vertx vertx, String url, byte[] body) {
    PbStreamTestClient c = new PbStreamTestClient(vertx.createHttpClient());
    Promise<Void> head = Promise.promise();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
        .putHeader("Content-Type", OCTET_STREAM).putHeader("Accept", OCTET_STREAM);
    vertx.getOrCreateContext().runOnContext(v -> c.client.request(options).compose(req -> {
      c.request = req;
      return req.send(Buffer.buffer(body));
    }).onSuccess(resp -> {
      c.attach(resp);
      head.complete();
    }).onFailure(head::fail));
    TestRelay.await(head.future());
    return c;
  }

  /** Commands, each varint-length-delimited, one after the other (a request body or emulation data). */
  public static byte[] delimited(Client.Command... commands) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      for (Client.Command c : commands) {
        c.writeDelimitedTo(out);
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  /** The body of a Protobuf {@code POST /emulation}: {@code EmulationRequest{node, session, data}}. */
  public static byte[] emulationBody(String node, String session, byte[] data) {
    return Client.EmulationRequest.newBuilder().setNode(node).setSession(session).setData(ByteString.copyFrom(data))
        .build().toByteArray();
  }

  private void attach(HttpClientResponse resp) {
    synchronized (lock) {
      status = resp.statusCode();
      headers = MultiMap.caseInsensitiveMultiMap().addAll(resp.headers());
    }
    resp.handler(this::onData);
    resp.endHandler(v -> finish());
    resp.exceptionHandler(e -> finish());
  }

  private void finish() {
    synchronized (lock) {
      ended = true;
      lock.notifyAll();
    }
  }

  /** Appends a chunk and takes every whole reply from the front of what is buffered. */
  private void onData(Buffer data) {
    synchronized (lock) {
      partial.appendBuffer(data);
      byte[] bytes = partial.getBytes();
      int consumed = 0;
      try {
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        while (!in.isAtEnd()) {
          int start = in.getTotalBytesRead();
          int length;
          try {
            length = in.readRawVarint32();
          } catch (IOException truncated) {
            break; // the rest of the length arrives with the next chunk
          }
          if (bytes.length - in.getTotalBytesRead() < length) {
            consumed = start;
            break;
          }
          int limit = in.pushLimit(length);
          replies.add(Client.Reply.parseFrom(in));
          in.popLimit(limit);
          consumed = in.getTotalBytesRead();
        }
      } catch (IOException e) {
        decodeProblem = "undecodable stream: " + e.getMessage();
      }
      partial = partial.getBuffer(consumed, partial.length());
      lock.notifyAll();
    }
  }

  public int status() {
    synchronized (lock) {
      return status;
    }
  }

  public MultiMap headers() {
    synchronized (lock) {
      return headers;
    }
  }

  public List<Client.Reply> replies() {
    synchronized (lock) {
      return List.copyOf(replies);
    }
  }

  public boolean ended() {
    synchronized (lock) {
      return ended;
    }
  }

  /** The reply with command id {@code id}, waiting for it. */
  public Client.Reply awaitReply(int id, Duration timeout) {
    return awaitMatching(r -> r.getId() == id, timeout);
  }

  /** The first reply matching {@code predicate}, waiting for it. */
  public Client.Reply awaitMatching(Predicate<Client.Reply> predicate, Duration timeout) {
    Client.Reply[] found = new Client.Reply[1];
    await(() -> {
      for (Client.Reply r : replies) {
        if (predicate.test(r)) {
          found[0] = r;
          return true;
        }
      }
      return false;
    }, timeout, "a matching reply");
    return found[0];
  }

  /** The disconnect push that precedes the end of the stream, waiting for it. */
  public Client.Disconnect awaitDisconnect(Duration timeout) {
    return awaitMatching(r -> r.hasPush() && r.getPush().hasDisconnect(), timeout).getPush().getDisconnect();
  }

  /** Waits for the end of the response. */
  public void awaitEnd(Duration timeout) {
    await(() -> ended, timeout, "the end of the stream");
  }

  private void await(BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!condition.getAsBoolean()) {
        if (decodeProblem != null) {
          throw new AssertionError(decodeProblem + "; received: " + replies);
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what
              + "; ended=" + ended + "; received: " + replies);
        }
        try {
          lock.wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError("interrupted", e);
        }
      }
    }
  }

  /** Drops the connection (as a browser closing the page would). */
  @Override
  public void close() {
    HttpClientRequest r;
    synchronized (lock) {
      r = request;
    }
    if (r != null) {
      r.connection().close();
    }
    client.close();
  }
}
