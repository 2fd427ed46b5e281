package io.fluxer.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.LogCapture;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Requests the API cannot make sense of: bodies that are not JSON objects, unknown methods, oversized bodies. */
class ServerApiRequestErrorsTest extends ServerApiTestBase {

  @Test
  @DisplayName("a malformed JSON body answers HTTP 200 with error 107 and changes nothing")
  void malformedJson() {
    String channel = chat("malformed");
    Response r = post("/api/publish", Buffer.buffer("{\"channel\":\"" + channel + "\",\"data\":"),
        "X-API-Key", TestRelay.OPS_KEY);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.errorCode()).isEqualTo(107);
    assertThat(r.errorMessage()).startsWith("bad request: malformed JSON").doesNotContain("\n");
    assertThat(history(channel).getLong("offset")).isZero();
  }

  @Test
  @DisplayName("a malformed user-limited channel (a user twice) is error 102, not temporary, and logs nothing")
  void malformedUserLimitedChannel() {
    try (LogCapture log = new LogCapture()) {
      for (String method : new String[] {"publish", "history", "presence", "subscribe"}) {
        JsonObject params = publishParams("chat:" + unique("dm") + "#a,a", new JsonObject()).put("user", "a");
        Response r = call(method, params);
        assertThat(r.errorCode()).as(method).isEqualTo(102);
        assertThat(r.json().getJsonObject("error").containsKey("temporary")).as(method).isFalse();
      }
      assertThat(log.lines()).isEmpty();
    }
  }

  @Test
  @DisplayName("a body that is JSON but not an object answers 107")
  void notAnObject() {
    for (String body : new String[] {"[1,2]", "\"text\"", "42", "null"}) {
      Response r = post("/api/info", Buffer.buffer(body), "X-API-Key", TestRelay.OPS_KEY);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.errorCode()).as(body).isEqualTo(107);
    }
  }

  @Test
  @DisplayName("an empty body counts as {}")
  void emptyBody() {
    Response r = post("/api/info", Buffer.buffer(), "X-API-Key", TestRelay.VIEWER_KEY);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getJsonObject("result").getJsonArray("nodes")).hasSize(1);
  }

  @Test
  @DisplayName("an unknown method answers 104 method not found")
  void unknownMethod() {
    Response r = call("no_such_method", new JsonObject());
    assertThat(r.errorCode()).isEqualTo(104);
    assertThat(r.errorMessage()).isEqualTo("method not found");
  }

  @Test
  @DisplayName("paths under /api/v1 are not server API methods")
  void leavesApiV1Alone() {
    for (String path : new String[] {"/api/v1", "/api/v1/no-such-route"}) {
      Response r = post(path, Buffer.buffer("{}"), "X-API-Key", TestRelay.OPS_KEY);
      assertThat(r.status()).as(path).isNotEqualTo(200);
    }
  }

  @Test
  @DisplayName("a body without a JSON content type (curl --data) is still read as JSON")
  void formContentType() {
    String channel = chat("curl");
    Response r = post("/api/publish", Buffer.buffer(publishParams(channel, 1).encode()),
        "X-API-Key", TestRelay.OPS_KEY, "Content-Type", "application/x-www-form-urlencoded");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getJsonObject("result").getLong("offset")).isEqualTo(1L);
  }

  @Test
  @DisplayName("a body over the limit answers HTTP 413 and publishes nothing")
  void bodyTooLarge() {
    String channel = chat("large");
    String filler = "x".repeat(1 << 20);
    Buffer body = Buffer.buffer(publishParams(channel, filler).encode());

    Response r = post("/api/publish", body, "X-API-Key", TestRelay.OPS_KEY, "Content-Type", "application/json");

    assertThat(r.status()).isEqualTo(413);
    assertThat(r.errorCode()).isEqualTo(413);
    assertThat(history(channel).getLong("offset")).isZero();
  }
}
