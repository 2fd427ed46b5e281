package io.fluxer.relay.channel;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.config.ChannelOptions;
import io.fluxer.relay.config.NamespaceOptions;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** {@link Namespaces#resolve(String)} answers what resolving the parsed name answers, for any name. */
class NamespacesTest {
  private static final String ALPHABET = "chatroom:#,_1x ";

  private static NamespaceOptions ns(String name, JsonObject json) {
    return NamespaceOptions.parse(json, name);
  }

  /** A few namespaces (scanned in place): plain, with a regex, user-limited, and the reserved ones. */
  private static Namespaces few() {
    Map<String, NamespaceOptions> namespaces = new LinkedHashMap<>();
    namespaces.put("chat", ns("chat", new JsonObject().put("allow_user_limited_channels", true)));
    namespaces.put("room", ns("room", new JsonObject().put("channel_regex", "[a-z0-9_#,]{1,20}")
        .put("allow_user_limited_channels", true)));
    namespaces.put("c", ns("c", new JsonObject()));
    return new Namespaces(new ChannelOptions(ns("", new JsonObject()), namespaces, 24).withReserved());
  }

  /** More namespaces than are scanned: looked up by name. */
  private static Namespaces many() {
    Map<String, NamespaceOptions> namespaces = new LinkedHashMap<>();
    for (int i = 0; i <= Namespaces.SCANNED; i++) {
      namespaces.put("n" + i, ns("n" + i, new JsonObject()));
    }
    namespaces.put("chat", ns("chat", new JsonObject().put("allow_user_limited_channels", true)));
    return new Namespaces(new ChannelOptions(null, namespaces, 24).withReserved());
  }

  @Test
  void resolvingTheStringEqualsResolvingTheParsedName() {
    Random random = new Random(18);
    for (Namespaces namespaces : new Namespaces[] {few(), many()}) {
      for (int n = 0; n < 200_000; n++) {
        StringBuilder b = new StringBuilder();
        int length = random.nextInt(28);
        for (int i = 0; i < length; i++) {
          b.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
        }
        assertSame(namespaces, b.toString());
      }
    }
  }

  @Test
  void namedCases() {
    Namespaces namespaces = few();
    for (String channel : new String[] {"", ":", "x", "chat", "chat:", "chat:a", ":a", "cha:a", "chats:a", "c:a",
        "chat:a#1,2", "chat:a#", "chat:a#1,1", "room:ok", "room:NO", "room:a#1", "sys:stats", "unknown:a",
        "chat:" + "a".repeat(19), "chat:" + "a".repeat(20), "a:b:c", "chat:a:b", "chat#1:a"}) {
      assertSame(namespaces, channel);
    }
    assertThat(namespaces.resolve("chat:a")).isNotNull();
    assertThat(namespaces.resolve("chats:a")).isNull();
    assertThat(namespaces.resolve("room:NO")).isNull();
  }

  @Test
  void followsChanges() {
    Namespaces namespaces = few();
    namespaces.put(ns("news", new JsonObject()));
    assertThat(namespaces.resolve("news:a")).isSameAs(namespaces.resolve(ChannelName.parse("news:a"))).isNotNull();
    namespaces.remove("chat");
    assertThat(namespaces.resolve("chat:a")).isNull();
    for (int i = 0; i <= Namespaces.SCANNED; i++) {
      namespaces.put(ns("m" + i, new JsonObject()));
    }
    assertThat(namespaces.resolve("m3:a")).isSameAs(namespaces.resolve(ChannelName.parse("m3:a"))).isNotNull();
    namespaces.replaceAll(Map.of("chat", ns("chat", new JsonObject())));
    assertThat(namespaces.resolve("chat:a")).isNotNull();
    assertThat(namespaces.resolve("news:a")).isNull();
  }

  private static void assertSame(Namespaces namespaces, String channel) {
    assertThat(namespaces.resolve(channel)).as("resolve(%s)", channel)
        .isSameAs(namespaces.resolve(ChannelName.parse(channel)));
  }
}
