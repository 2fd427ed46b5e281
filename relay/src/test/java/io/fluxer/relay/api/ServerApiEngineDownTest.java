package io.fluxer.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A node whose Redis cannot be reached: calls that need it fail as temporary (HTTP 503 with error
 * 100, {@code "temporary": true}) while the rest of the API and the connected clients carry on.
 */
class ServerApiEngineDownTest extends ServerApiTestBase {

  @BeforeEach
  void startWithUnreachableRedis() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    String url = "redis://127.0.0.1:" + port;
    startRelay(config -> config.put("engine", new JsonObject().put("type", "redis").put("redis_url", url)));
  }

  private Response post(String method, JsonObject params) {
    return post("/api/" + method, Buffer.buffer(params.encode()), "X-API-Key", TestRelay.OPS_KEY,
        "Content-Type", "application/json");
  }

  @Test
  @DisplayName("publish and history answer 503 with error 100 marked temporary and a Retry-After")
  void storageCallsAnswer503() {
    for (String method : new String[] {"publish", "history"}) {
      JsonObject params = new JsonObject().put("channel", chat("down"));
      if (method.equals("publish")) {
        params.put("data", new JsonObject().put("n", 1));
      }
      HttpTestClient.Response r = http().sendRaw(HttpMethod.POST, "/api/" + method,
          Map.of("X-API-Key", TestRelay.OPS_KEY), Buffer.buffer(params.encode()));

      assertThat(r.status()).as("%s: %s", method, r.body()).isEqualTo(503);
      assertThat(r.headers().get("Retry-After")).isEqualTo("1");
      JsonObject error = r.json().getJsonObject("error");
      assertThat(error.getInteger("code")).isEqualTo(100);
      assertThat(error.getBoolean("temporary")).isTrue();
    }
  }

  @Test
  @DisplayName("calls that need no Redis still answer 200, and a bad request is still a 200 with its own error")
  void otherCallsUnaffected() {
    assertThat(post("info", new JsonObject()).status()).isEqualTo(200);
    Response bad = post("publish", new JsonObject().put("channel", chat("down")));
    assertThat(bad.status()).isEqualTo(200);
    assertThat(bad.errorCode()).isEqualTo(107);
  }

  @Test
  @DisplayName("a client's publish fails with error 100 and the client stays connected")
  void clientsAreNotDisconnected() {
    WsTestClient c = connected("alice");
    for (int i = 0; i < 5; i++) {
      assertThat(c.errorCode("publish", new JsonObject().put("channel", chat("down")).put("data",
          new JsonObject().put("n", i)))).isEqualTo(100);
    }
    assertThat(c.isClosed()).as("closed after failed publishes").isFalse();
  }
}
