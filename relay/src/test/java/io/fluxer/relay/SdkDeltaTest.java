package io.fluxer.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.NodeScript;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The official centrifuge SDK (JSON and Protobuf builds) with {@code delta: 'fossil'}: the data of
 * every publication arrives exactly, mostly as deltas, also after a reconnect that recovers
 * ({@code src/test/js/sdk-delta.mjs}).
 */
class SdkDeltaTest extends RelayTestBase {
  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"json", "protobuf"})
  void sdkAppliesDeltas(String protocol) throws Exception {
    startRelay(config -> chatNamespace(config).put("allowed_delta_types", new JsonArray().add("fossil")));
    JsonObject summary = NodeScript.run("sdk-delta.mjs", Map.of(
        "FLUXER_WS_URL", relay().wsUrl(),
        "FLUXER_HTTP_URL", relay().httpUrl(),
        "FLUXER_API_KEY", TestRelay.OPS_KEY,
        "FLUXER_TOKEN", relay().token("alice"),
        "FLUXER_CHANNEL", chat("sdk-delta"),
        "FLUXER_PROTOCOL", protocol), Duration.ofSeconds(40)).summary();

    assertThat(summary.getInteger("received")).isEqualTo(10);
    JsonObject stats = summary.getJsonObject("deltaStats");
    assertThat(stats.getInteger("numDeltaPayloads")).as("%s", stats).isGreaterThanOrEqualTo(6);
    assertThat(stats.getDouble("compressionRatio")).as("%s", stats).isGreaterThan(0.5);
  }
}
