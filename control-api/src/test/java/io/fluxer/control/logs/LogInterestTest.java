package io.fluxer.control.logs;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class LogInterestTest {

  @Test
  void theUnionOfEveryNodesChannels() {
    LogInterest interest = new LogInterest();
    assertThat(interest.notice(notice("a", 10_000, "logs:shop_web", "logs:shop_db"), 0)).isTrue();
    assertThat(interest.notice(notice("b", 10_000, "logs:shop_web", "logs:other"), 0)).isTrue();
    assertThat(interest.services(1)).containsExactly("other", "shop_db", "shop_web");
    // a node's notice replaces its set; an empty one forgets the node
    interest.notice(notice("a", 10_000, "logs:shop_web"), 2);
    assertThat(interest.services(3)).containsExactly("other", "shop_web");
    interest.notice(notice("b", 10_000), 4);
    assertThat(interest.services(5)).containsExactly("shop_web");
    interest.notice(notice("a", 10_000), 6);
    assertThat(interest.services(7)).isEmpty();
  }

  @Test
  void aSilentNodeExpiresAfterThreeRepeats() {
    LogInterest interest = new LogInterest();
    interest.notice(notice("a", 1_000, "logs:shop_web"), 0);
    interest.notice(notice("b", 10_000, "logs:shop_db"), 0);
    assertThat(interest.services(2_999)).containsExactly("shop_db", "shop_web");
    assertThat(interest.services(3_000)).containsExactly("shop_db");
    interest.notice(notice("b", 10_000, "logs:shop_db"), 20_000);
    assertThat(interest.services(49_999)).containsExactly("shop_db");
    assertThat(interest.services(50_000)).isEmpty();
  }

  @Test
  void badNoticesAndChannelsAreIgnored() {
    LogInterest interest = new LogInterest();
    assertThat(interest.notice(new JsonObject().put("channels", new JsonArray()), 0)).isFalse();
    assertThat(interest.notice(new JsonObject().put("node", "a").put("channels", "logs:x"), 0)).isFalse();
    assertThat(interest.notice(null, 0)).isFalse();
    // no repeat_ms: the relay's default; channels that name no service are left out
    interest.notice(new JsonObject().put("node", "a").put("channels", new JsonArray().add("logs:ok_1.a-b")
        .add("logs:").add("logs:../x").add("chat:x").add("logs:a b").add(42)), 0);
    assertThat(interest.services(29_999)).containsExactly("ok_1.a-b");
  }

  private static JsonObject notice(String node, long repeat, String... channels) {
    JsonArray list = new JsonArray();
    for (String c : channels) {
      list.add(c);
    }
    return new JsonObject().put("node", node).put("channels", list).put("repeat_ms", repeat);
  }
}
