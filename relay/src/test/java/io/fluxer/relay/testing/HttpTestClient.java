package io.fluxer.relay.testing;

import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A blocking HTTP client of a test relay's APIs for test threads, on vertx-core's {@link HttpClient}:
 * one request, the whole answer. Credentials come as headers ({@link #apiKey}, {@link #bearer}).
 */
public final class HttpTestClient implements AutoCloseable {
  /** No credentials. */
  public static final Map<String, String> NONE = Map.of();

  /** A complete answer. */
  public record Response(int status, MultiMap headers, String body) {
    public JsonObject json() {
      try {
        return new JsonObject(body);
      } catch (RuntimeException e) {
        throw new AssertionError("not a JSON object (status " + status + "): " + body, e);
      }
    }

    /** The {@code error.message} of a JSON error answer. */
    public String errorMessage() {
      return json().getJsonObject("error").getString("message");
    }

    @Override
    public String toString() {
      return status + " " + body;
    }
  }

  private final Vertx vertx;
  private final HttpClient client;
  private final String baseUrl;

  public HttpTestClient(Vertx vertx, String baseUrl) {
    this.vertx = vertx;
    this.client = vertx.createHttpClient();
    this.baseUrl = baseUrl;
  }

  public static Map<String, String> apiKey(String key) {
    return Map.of("X-API-Key", key);
  }

  public static Map<String, String> bearer(String token) {
    return Map.of("Authorization", "Bearer " + token);
  }

  public Response get(String path, Map<String, String> headers) {
    return send(HttpMethod.GET, path, headers, null);
  }

  public Response put(String path, Map<String, String> headers, String body) {
    return send(HttpMethod.PUT, path, headers, body);
  }

  public Response delete(String path, Map<String, String> headers) {
    return send(HttpMethod.DELETE, path, headers, null);
  }

  /** Sends one request and reads the whole response; a body is sent as {@code application/json}. */
  public Response send(HttpMethod method, String path, Map<String, String> headers, String body) {
    RequestOptions options = options(method, path, headers);
    if (body != null) {
      options.putHeader("Content-Type", "application/json");
    }
    return exchange(options, body == null ? null : Buffer.buffer(body));
  }

  /**
   * Sends one request with exactly these headers (no {@code Content-Type} added) and this body as
   * is, and reads the whole response.
   */
  public Response sendRaw(HttpMethod method, String path, Map<String, String> headers, Buffer body) {
    return exchange(options(method, path, headers), body);
  }

  private RequestOptions options(HttpMethod method, String path, Map<String, String> headers) {
    RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(baseUrl + path);
    headers.forEach(options::putHeader);
    return options;
  }

  private Response exchange(RequestOptions options, Buffer body) {
    // The whole exchange runs on one event loop: a response body handler attached later from the
    // test thread could miss a body that already arrived.
    Promise<Response> done = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> client.request(options)
        .compose(req -> (body == null ? req.send() : req.send(body))
            .compose(resp -> resp.body().map(b -> new Response(resp.statusCode(), copy(resp), b.toString()))))
        .onComplete(done));
    return TestRelay.await(done.future());
  }

  private static MultiMap copy(HttpClientResponse resp) {
    return MultiMap.caseInsensitiveMultiMap().addAll(resp.headers());
  }

  /**
   * Calls {@code get} until its value satisfies {@code condition}, and returns that value; fails
   * with the last value once {@code timeout} has passed.
   */
  public static <T> T eventually(Supplier<T> get, Predicate<T> condition, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    T value = get.get();
    while (!condition.test(value)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("condition not met within " + timeout.toMillis() + " ms; last value: " + value);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
      value = get.get();
    }
    return value;
  }

  @Override
  public void close() {
    client.close();
  }
}
