package io.fluxer.relay.testing;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A client of the relay's HTTP stream transports for tests: sends one request and collects the JSON
 * messages of the streamed response, cut out as SSE events ({@code data: <json>\n\n}) or lines
 * ({@code <json>\n}). Waiting methods wait on a condition with a deadline.
 */
public final class StreamTestClient extends StreamResponse<JsonObject> {
  private final boolean sse;
  private final StringBuilder raw = new StringBuilder();
  private final StringBuilder partial = new StringBuilder();

  private StreamTestClient(Vertx vertx, boolean sse) {
    super(vertx);
    this.sse = sse;
  }

  /**
   * Opens a stream: {@code method} to {@code url} with {@code body} ({@code null}: none), cutting
   * messages as SSE events when {@code sse}, else as lines. Returns once the response head arrived.
   */
  public static StreamTestClient open(Vertx vertx, HttpMethod method, String url, Map<String, String> headers,
                                      String body, boolean sse) {
    StreamTestClient c = new StreamTestClient(vertx, sse);
    RequestOptions options = new RequestOptions().setMethod(method).setAbsoluteURI(url);
    headers.forEach(options::putHeader);
    c.send(vertx, options, body == null ? null : Buffer.buffer(body));
    return c;
  }

  @Override
  protected void decode(Buffer chunk, List<JsonObject> out) {
    String text = chunk.toString(StandardCharsets.UTF_8);
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
          throw new IllegalArgumentException("not an SSE data event: " + unit);
        }
        unit = unit.substring(6);
      }
      try {
        out.add(new JsonObject(unit));
      } catch (DecodeException e) {
        throw new IllegalArgumentException("not a JSON object: " + unit);
      }
    }
  }

  @Override
  protected String received() {
    return raw.toString();
  }

  /** Everything received so far, as text. */
  public String raw() {
    synchronized (lock) {
      return raw.toString();
    }
  }

  public List<JsonObject> messages() {
    return all();
  }

  /** The first message matching {@code predicate}, waiting for it. */
  public JsonObject awaitMessage(Predicate<JsonObject> predicate, Duration timeout) {
    return awaitFirst(predicate, timeout, "a matching message");
  }
}
