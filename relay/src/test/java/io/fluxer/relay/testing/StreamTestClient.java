package io.fluxer.relay.testing;

import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

/**
 * A client of the relay's HTTP stream transports for tests: sends one request and collects the JSON
 * messages of the streamed response, cut out as SSE events ({@code data: <json>\n\n}) or lines
 * ({@code <json>\n}). Waiting methods wait on a condition with a deadline.
 */
public final class StreamTestClient implements AutoCloseable {
  private final HttpClient client;
  private final boolean sse;
  private final Object lock = new Object();
  private final List<JsonObject> messages = new ArrayList<>();
  private final StringBuilder raw = new StringBuilder();
  private final StringBuilder partial = new StringBuilder();
  private int status;
  private MultiMap headers;
  private boolean ended;
  private HttpClientRequest request;

  private StreamTestClient(HttpClient client, boolean sse) {
    this.client = client;
    this.sse = sse;
  }

  /**
   * Opens a stream: {@code method} to {@code url} with {@code body} ({@code null}: none), cutting
   * messages as SSE events when {@code sse}, else as lines. Returns once the response head arrived.
   */
  public static StreamTestClient open(Vertx vertx, HttpMethod method, String url, Map<String, String> headers,
                                      String body, boolean sse) {
    StreamTestClient c = new StreamTestClient(vertx.createHttpClient(), sse);
    Promise<Void> head = Promise.promise();
    RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(url);
    headers.forEach(options::putHeader);
    vertx.getOrCreateContext().runOnContext(v -> c.client.request(options).compose(req -> {
      c.request = req;
      return body == null ? req.send() : req.send(Buffer.buffer(body));
    }).onSuccess(resp -> {
      c.attach(resp);
      head.complete();
    }).onFailure(head::fail));
    TestRelay.await(head.future());
    return c;
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

  private void onData(Buffer data) {
    synchronized (lock) {
      String text = data.toString(StandardCharsets.UTF_8);
      raw.append(text);
      partial.append(text);
      String separator = sse ? "\n\n" : "\n";
      int end;
      while ((end = partial.indexOf(separator)) >= 0) {
        String unit = partial.substring(0, end);
        partial.delete(0, end + separator.length());
        if (sse) {
          unit = unit.replace("\r\n", "");
          if (unit.isEmpty()) {
            continue;
          }
          if (!unit.startsWith("data: ")) {
            throw new AssertionError("not an SSE data event: " + unit);
          }
          unit = unit.substring(6);
        }
        messages.add(new JsonObject(unit));
      }
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

  /** Everything received so far, as text. */
  public String raw() {
    synchronized (lock) {
      return raw.toString();
    }
  }

  public List<JsonObject> messages() {
    synchronized (lock) {
      return List.copyOf(messages);
    }
  }

  public boolean ended() {
    synchronized (lock) {
      return ended;
    }
  }

  /** The first message matching {@code predicate}, waiting for it. */
  public JsonObject awaitMessage(Predicate<JsonObject> predicate, Duration timeout) {
    JsonObject[] found = new JsonObject[1];
    await(() -> {
      for (JsonObject m : messages) {
        if (predicate.test(m)) {
          found[0] = m;
          return true;
        }
      }
      return false;
    }, timeout, "a matching message");
    return found[0];
  }

  /** Waits for the end of the response. */
  public void awaitEnd(Duration timeout) {
    await(() -> ended, timeout, "the end of the stream");
  }

  private void await(BooleanSupplier condition, Duration timeout, String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (!condition.getAsBoolean()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting for " + what
              + "; ended=" + ended + "; received: " + raw);
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
