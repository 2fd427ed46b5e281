package io.fluxer.relay.channel;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target: any {@code tf} a client sends. Parsing either refuses it with
 * {@link TagFilter.InvalidFilterException} or yields a filter whose canonical form parses back to
 * an equal filter that matches the same tags; matching never throws.
 */
class TagFilterFuzzTest {
  private static final List<Map<String, String>> TAGS = List.of(
      Map.of(), Map.of("a", "1"), Map.of("a", "-2.5", "b", "x", "", ""), Map.of("k", "abc", "a", "1e3"));

  @FuzzTest
  @Timeout(10)
  void parseAndMatch(byte[] input) {
    JsonObject json;
    try {
      json = new JsonObject(new String(input, StandardCharsets.UTF_8));
    } catch (DecodeException | ClassCastException e) {
      return;
    }
    TagFilter filter;
    try {
      filter = TagFilter.parse(json);
    } catch (TagFilter.InvalidFilterException e) {
      assertThat(e.getMessage()).startsWith("tf");
      return;
    }
    TagFilter again = TagFilter.parse(new JsonObject(filter.canonical()));
    assertThat(again).isEqualTo(filter);
    for (Map<String, String> tags : TAGS) {
      assertThat(again.matches(tags)).isEqualTo(filter.matches(tags));
    }
  }
}
