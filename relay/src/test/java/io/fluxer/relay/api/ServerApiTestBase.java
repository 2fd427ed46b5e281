package io.fluxer.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Plumbing of the server API tests: a real relay per test, a plain HTTP client (vertx-core) to call
 * {@code POST /api/<method>}, WebSocket clients closed after the test, unique channel names.
 */
@ExtendWith(VertxExtension.class)
abstract class ServerApiTestBase {
  static final Duration SHORT = Duration.ofSeconds(5);

  /** One HTTP answer: status and body text (parsed with {@link #json()}). */
  record Response(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }

    /** The reply's error code, 0 when it has none. */
    int errorCode() {
      JsonObject error = json().getJsonObject("error");
      return error == null ? 0 : error.getInteger("code");
    }

    String errorMessage() {
      return json().getJsonObject("error").getString("message");
    }
  }

  protected Vertx vertx;
  private TestRelay relay;
  private HttpClient http;
  private Context context;
  private final List<WsTestClient> clients = new ArrayList<>();

  @BeforeEach
  void keepVertx(Vertx vertx) {
    this.vertx = vertx;
    this.http = vertx.createHttpClient(new HttpClientOptions());
    this.context = vertx.getOrCreateContext();
  }

  @AfterEach
  void closeAll() {
    clients.forEach(WsTestClient::close);
    clients.clear();
    TestRelay.await(http.close());
    if (relay != null) {
      relay.close();
      relay = null;
    }
  }

  protected TestRelay startRelay(Consumer<JsonObject> customize) {
    if (relay != null) {
      throw new IllegalStateException("relay already started");
    }
    relay = TestRelay.start(vertx, customize);
    return relay;
  }

  protected TestRelay relay() {
    return relay != null ? relay : startRelay(config -> { });
  }

  // ---- HTTP

  /** {@code POST path} with a raw body and headers (name, value, name, value, ...). */
  protected Response post(String path, Buffer body, String... headers) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
        .setHost("127.0.0.1").setPort(relay().port()).setURI(path);
    for (int i = 0; i + 1 < headers.length; i += 2) {
      options.putHeader(headers[i], headers[i + 1]);
    }
    // The whole exchange runs on an event loop: composed from the test thread, a response could
    // complete before body() is asked for, and then body() would never complete.
    Promise<Response> answered = Promise.promise();
    context.runOnContext(v -> http.request(options)
        .compose(req -> req.send(body))
        .compose(resp -> resp.body().map(b -> new Response(resp.statusCode(), b.toString())))
        .onComplete(answered));
    return TestRelay.await(answered.future());
  }

  /** Calls a method with the ops key and a JSON body; asserts HTTP 200. */
  protected Response call(String method, JsonObject params) {
    return callAs(TestRelay.OPS_KEY, method, params);
  }

  /** Calls a method with an API key; asserts HTTP 200. */
  protected Response callAs(String apiKey, String method, JsonObject params) {
    Response r = post("/api/" + method, Buffer.buffer(params.encode()), "X-API-Key", apiKey,
        "Content-Type", "application/json");
    assertThat(r.status()).as("HTTP status of %s: %s", method, r.body()).isEqualTo(200);
    return r;
  }

  /** Calls a method with the ops key and returns its {@code result}, failing on an error reply. */
  protected JsonObject result(String method, JsonObject params) {
    JsonObject reply = call(method, params).json();
    assertThat(reply.containsKey("error")).as("%s replied %s", method, reply.encode()).isFalse();
    return reply.getJsonObject("result");
  }

  /** Calls a method with the ops key and returns the error of its reply, failing on success. */
  protected JsonObject error(String method, JsonObject params) {
    JsonObject reply = call(method, params).json();
    assertThat(reply.containsKey("error")).as("%s replied %s", method, reply.encode()).isTrue();
    return reply.getJsonObject("error");
  }

  protected JsonObject history(String channel) {
    return result("history", new JsonObject().put("channel", channel).put("limit", -1));
  }

  protected static JsonObject publishParams(String channel, Object data) {
    return new JsonObject().put("channel", channel).put("data", data);
  }

  // ---- WebSocket clients

  /** A connection that has connected as {@code user}; returns the client with its id. */
  protected Connected connected(String user) {
    WsTestClient c = WsTestClient.open(vertx, relay().wsUrl());
    clients.add(c);
    String id = c.connectWith(relay().token(user)).getString("client");
    return new Connected(c, id);
  }

  /** A connected client and its client id. */
  record Connected(WsTestClient ws, String id) {}

  /** The first push of {@code type} on {@code channel} ({@code ""} for connection-wide pushes). */
  protected static JsonObject awaitPush(WsTestClient c, String channel, String type) {
    JsonObject m = c.awaitMessage(msg -> {
      JsonObject push = msg.getJsonObject("push");
      return push != null && channel.equals(push.getString("channel", "")) && push.containsKey(type);
    }, SHORT);
    return m.getJsonObject("push").getJsonObject(type);
  }

  /** Channels of this node with their client counts, from the {@code channels} method. */
  protected Map<String, Integer> channelCounts(String pattern) {
    JsonObject channels = result("channels", new JsonObject().put("pattern", pattern)).getJsonObject("channels");
    Map<String, Integer> counts = new LinkedHashMap<>();
    channels.forEach(e -> counts.put(e.getKey(), ((JsonObject) e.getValue()).getInteger("num_clients")));
    return counts;
  }

  protected static String chat(String name) {
    return "chat:" + unique(name);
  }

  protected static String unique(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Adds a namespace to a config tree. */
  protected static void addNamespace(JsonObject config, JsonObject namespace) {
    config.getJsonObject("channel").getJsonArray("namespaces").add(namespace);
  }

  protected static JsonArray array(Object... values) {
    JsonArray a = new JsonArray();
    for (Object v : values) {
      a.add(v);
    }
    return a;
  }
}
