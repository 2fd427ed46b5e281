package io.fluxer.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code api.max_batch_size}: a larger batch is refused as a whole. */
class ServerApiBatchLimitTest extends ServerApiTestBase {

  @BeforeEach
  void startNode() {
    startRelay(config -> config.getJsonObject("api").put("max_batch_size", 3));
  }

  @Test
  @DisplayName("a batch over api.max_batch_size answers 107 and runs none of its commands; one at the limit runs")
  void overLimitRunsNothing() {
    String channel = chat("batch-limit");

    JsonObject error = error("batch", new JsonObject().put("commands", publishes(channel, 4)));

    assertThat(error.getInteger("code")).isEqualTo(107);
    assertThat(error.getString("message")).contains("api.max_batch_size");
    assertThat(history(channel).getLong("offset")).isZero();
    assertThat(call("batch", new JsonObject().put("commands", publishes(channel, 3))).json()
        .getJsonArray("replies")).hasSize(3);
    assertThat(history(channel).getLong("offset")).isEqualTo(3);
  }

  private static JsonArray publishes(String channel, int n) {
    JsonArray commands = new JsonArray();
    for (int i = 0; i < n; i++) {
      commands.add(new JsonObject().put("method", "publish").put("params", publishParams(channel, i)));
    }
    return commands;
  }
}
