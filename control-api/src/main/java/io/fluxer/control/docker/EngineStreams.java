package io.fluxer.control.docker;

import com.github.dockerjava.transport.DockerHttpClient;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Long-lived GET streams from the engine (task logs, {@code /events}), on an HTTP client of their own:
 * its own connection pool of {@code maxConnections}, no response timeout, so that neither the pool nor
 * the worker threads of {@link SwarmClient} are held while a stream lasts.
 *
 * <p>{@link #open} blocks until the engine answered with its headers: call it on a thread the caller
 * owns (never an event loop, never the {@value SwarmClient#WORKER_NAME} pool), and read the body there.
 * {@link Stream#close()} may be called from any thread: it aborts the request, so a read blocked on it
 * ends with an exception at once.
 */
public final class EngineStreams implements AutoCloseable {

  private final DockerHttpClient http;

  private EngineStreams(DockerHttpClient http) {
    this.http = http;
  }

  /** A client for {@code options.dockerHost()} that keeps up to {@code maxConnections} streams open at once. */
  public static EngineStreams create(SwarmClientOptions options, int maxConnections) {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be at least 1: " + maxConnections);
    }
    return new EngineStreams(options.httpClient(maxConnections, null));
  }

  /** One open stream: the answer's body, read by the thread that opened it. */
  public static final class Stream implements Closeable {
    private final DockerHttpClient.Response response;

    private Stream(DockerHttpClient.Response response) {
      this.response = response;
    }

    public InputStream body() {
      return response.getBody();
    }

    /** Aborts the request (any thread); a blocked read fails at once. */
    @Override
    public void close() {
      response.close();
    }
  }

  /**
   * {@code GET path} (with its query), blocking until the engine answered. An HTTP error fails with a
   * {@link DockerEngineException} carrying the engine's message; so does an engine that cannot be reached.
   */
  public Stream open(String path) {
    DockerHttpClient.Response response;
    try {
      response = http.execute(DockerHttpClient.Request.builder().method("GET")
          .path(path).build());
    } catch (RuntimeException e) {
      throw new DockerEngineException("GET", path, e);
    }
    int status = response.getStatusCode();
    if (status >= 400) {
      String message;
      try (InputStream in = response.getBody()) {
        message = engineMessage(in == null ? new byte[0] : in.readAllBytes());
      } catch (IOException e) {
        message = "(unreadable answer: " + e.getMessage() + ")";
      } finally {
        response.close();
      }
      throw new DockerEngineException(status, message, "GET", path);
    }
    return new Stream(response);
  }

  /** Closes the client: every stream still open ends. */
  @Override
  public void close() {
    try {
      http.close();
    } catch (IOException e) {
      // closing: nothing left to do with the error
    }
  }

  private static String engineMessage(byte[] body) {
    String text = new String(body, StandardCharsets.UTF_8).trim();
    try {
      if (Json.decodeValue(text) instanceof JsonObject o && o.getValue("message") instanceof String message) {
        return message;
      }
    } catch (DecodeException e) {
      // not JSON: the text itself
    }
    return text;
  }
}
