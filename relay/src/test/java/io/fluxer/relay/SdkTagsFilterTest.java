package io.fluxer.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.NodeScript;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The official centrifuge SDK's {@code tagsFilter} option, end to end ({@code src/test/js/sdk-tags.mjs}). */
class SdkTagsFilterTest extends RelayTestBase {
  @Test
  @DisplayName("A centrifuge-js subscription with tagsFilter receives only the publications whose tags match")
  void sdkTagsFilter() throws Exception {
    startRelay(config -> chatNamespace(config).put("allow_tags_filter", true));
    String channel = chat("sdk-tags");

    JsonObject summary = NodeScript.run("sdk-tags.mjs", Map.of(
        "FLUXER_WS_URL", relay().wsUrl(),
        "FLUXER_HTTP_URL", relay().httpUrl(),
        "FLUXER_API_KEY", TestRelay.OPS_KEY,
        "FLUXER_TOKEN", relay().token("alice"),
        "FLUXER_CHANNEL", channel), Duration.ofSeconds(30)).summary();

    assertThat(summary.getJsonArray("received").getList()).containsExactly(1, 3, 5);
    assertThat(summary.getJsonArray("offsets").getList()).as("the stream's offsets of those three")
        .containsExactly(1, 3, 5);
  }
}
