package io.fluxer.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the server API tests add to {@link RelayTestBase}: {@code POST /api/<method>} calls with
 * their answers, and connections that know their client id.
 */
abstract class ServerApiTestBase extends RelayTestBase {
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

  // ---- HTTP

  /** {@code POST path} with a raw body and headers (name, value, name, value, ...), sent as they are. */
  protected Response post(String path, Buffer body, String... headers) {
    Map<String, String> headerMap = new LinkedHashMap<>();
    for (int i = 0; i + 1 < headers.length; i += 2) {
      headerMap.put(headers[i], headers[i + 1]);
    }
    HttpTestClient.Response r = http().sendRaw(HttpMethod.POST, path, headerMap, body);
    return new Response(r.status(), r.body());
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
  protected Connected connectedWithId(String user) {
    WsTestClient c = open();
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

  protected static JsonArray array(Object... values) {
    JsonArray a = new JsonArray();
    for (Object v : values) {
      a.add(v);
    }
    return a;
  }
}
