package io.fluxer.relay.channel;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.fluxer.relay.config.ChannelOptions;
import io.fluxer.relay.config.NamespaceOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target: any channel name a client sends. Parsing never throws and loses nothing; resolving
 * never throws and finds options only for a non-empty name within the length limit.
 */
class ChannelNameFuzzTest {
  private static final Namespaces NAMESPACES = new Namespaces(new ChannelOptions(
      NamespaceOptions.parse(new JsonObject().put("allow_subscribe_for_client", true), ""),
      Map.of(
          "chat", NamespaceOptions.parse(new JsonObject().put("presence", true), "chat"),
          "room", NamespaceOptions.parse(new JsonObject().put("channel_regex", "[a-z0-9_]{1,20}"), "room")),
      64).withReserved());

  @FuzzTest
  @Timeout(10)
  void parseAndResolve(byte[] input) {
    String channel = new String(input, StandardCharsets.UTF_8);
    ChannelName ch = ChannelName.parse(channel);

    assertThat(ch.channel()).isEqualTo(channel);
    assertThat(ch.namespace().isEmpty() ? ch.name() : ch.namespace() + ":" + ch.name())
        .isEqualTo(channel.startsWith(":") ? channel.substring(1) : channel);
    assertThat(ch.namespace()).doesNotContain(":");
    assertThat(ch.userLimited()).isEqualTo(ch.name().indexOf('#') >= 0);
    if (ch.userLimited()) {
      // only a non-empty user named in the list is admitted (a malformed list may admit nobody)
      List<String> listed = List.of(ch.name().substring(ch.name().indexOf('#') + 1).split(",", -1));
      assertThat(ch.limitedTo("")).isFalse();
      for (String user : ch.users()) {
        assertThat(listed).contains(user);
      }
      for (String user : List.of("1", "alice", ",", "#")) {
        if (ch.limitedTo(user)) {
          assertThat(listed).contains(user);
        }
      }
    } else {
      assertThat(ch.limitedTo("1")).isFalse();
    }

    NamespaceOptions ns = NAMESPACES.resolve(ch);
    assertThat(NAMESPACES.resolve(channel)).isSameAs(ns);
    if (ns != null) {
      assertThat(channel).isNotEmpty().hasSizeLessThanOrEqualTo(64);
      assertThat(ch.name()).isNotEmpty();
      assertThat(ns.name()).isEqualTo(ch.namespace());
    }
  }
}
