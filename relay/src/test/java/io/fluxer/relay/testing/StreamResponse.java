package io.fluxer.relay.testing;

import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.RequestOptions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * One streamed HTTP response for tests, cut into messages of type {@code M} by a subclass however
 * it is chunked: the request, the response head, the messages so far, and waits with a deadline
 * that wake up when something arrives. {@link StreamTestClient} cuts JSON lines and SSE events,
 * {@link PbStreamTestClient} varint-length-delimited Protobuf replies.
 */
abstract class StreamResponse<M> implements AutoCloseable {
  /** Guards everything below; notified on every chunk and at the end. */
  protected final Object lock = new Object();
  private final HttpClient client;
  private final List<M> messages = new ArrayList<>();
  private int status;
  private MultiMap headers;
  private boolean ended;
  private String problem;
  private HttpClientRequest request;

  protected StreamResponse(Vertx vertx) {
    this.client = vertx.createHttpClient();
  }

  /** Sends the request ({@code body} {@code null}: none) and returns once the response head arrived. */
  protected final void send(Vertx vertx, RequestOptions options, Buffer body) {
    Promise<Void> head = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> client.request(options).compose(req -> {
      synchronized (lock) {
        request = req;
      }
      return body == null ? req.send() : req.send(body);
    }).onSuccess(resp -> {
      attach(resp);
      head.complete();
    }).onFailure(head::fail));
    TestRelay.await(head.future());
  }

  /**
   * Takes the whole messages out of what arrived so far (called under {@link #lock} for each chunk),
   * adding them to {@code out}; throws {@link IllegalArgumentException} when the stream cannot be
   * read, which fails every later wait.
   */
  protected abstract void decode(Buffer chunk, List<M> out);

  /** What arrived, for the message of a failed wait. */
  protected abstract String received();

  private void attach(HttpClientResponse resp) {
    synchronized (lock) {
      status = resp.statusCode();
      headers = MultiMap.caseInsensitiveMultiMap().addAll(resp.headers());
    }
    resp.handler(this::onData);
    resp.endHandler(v -> finish());
    resp.exceptionHandler(e -> finish());
  }

  private void onData(Buffer chunk) {
    synchronized (lock) {
      try {
        decode(chunk, messages);
      } catch (IllegalArgumentException e) {
        problem = e.getMessage();
      }
      lock.notifyAll();
    }
  }

  private void finish() {
    synchronized (lock) {
      ended = true;
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

  public boolean ended() {
    synchronized (lock) {
      return ended;
    }
  }

  /** The messages so far. */
  protected final List<M> all() {
    synchronized (lock) {
      return List.copyOf(messages);
    }
  }

  /** The first message matching {@code predicate}, waiting for it. */
  protected final M awaitFirst(Predicate<M> predicate, Duration timeout, String what) {
    List<M> found = new ArrayList<>(1);
    await(() -> {
      for (M m : messages) {
        if (predicate.test(m)) {
          found.add(m);
          return true;
        }
      }
      return false;
    }, timeout, what);
    return found.get(0);
  }

  /** Waits for the end of the response. */
  public void awaitEnd(Duration timeout) {
    await(() -> ended, timeout, "the end of the stream");
  }

  private void await(BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!condition.getAsBoolean()) {
        if (problem != null) {
          throw new AssertionError(problem + "; received: " + received());
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what
              + "; ended=" + ended + "; received: " + received());
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
