package io.fluxer.relay.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Which Redis set-ups {@link RedisTopology} accepts, and what it lets out into logs. */
class RedisTopologyTest {
  @Test
  @DisplayName("each mode needs its own URLs (and Sentinel a master name), and takes nothing of the others")
  void modesNeedTheirSettings() {
    assertThat(RedisTopology.standalone().urls()).isEmpty();
    assertThat(RedisTopology.cluster(List.of("redis://a:7000")).mode()).isEqualTo(RedisTopology.Mode.CLUSTER);
    assertThat(RedisTopology.sentinel(List.of("redis://s:26379"), "main").masterName()).isEqualTo("main");

    assertThatThrownBy(() -> RedisTopology.cluster(List.of())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RedisTopology.sentinel(List.of("redis://s:26379"), " "))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RedisTopology.sentinel(List.of(), "main")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RedisTopology(RedisTopology.Mode.STANDALONE, List.of("redis://a:6379"), null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RedisTopology(RedisTopology.Mode.CLUSTER, List.of("redis://a:7000"), "main", null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("toString shows neither the password nor the URLs' credentials")
  void toStringHidesSecrets() {
    RedisTopology t = RedisTopology.sentinel(List.of("redis://user:url-secret@s1:26379", "redis://s2:26379"), "main")
        .withPassword("pw-secret");

    assertThat(t.toString()).doesNotContain("url-secret").doesNotContain("pw-secret").doesNotContain("user")
        .contains("redis://***@s1:26379", "redis://s2:26379", "main");
  }

  @Test
  @DisplayName("engine options without a topology are standalone at their URL")
  void optionsDefaultToStandalone() {
    assertThat(RedisEngineOptions.of("redis://cache:6380").topology()).isEqualTo(RedisTopology.standalone());
    RedisTopology cluster = RedisTopology.cluster(List.of("redis://a:7000"));
    assertThat(RedisEngineOptions.of(cluster).withPrefix("p").topology()).isEqualTo(cluster);
  }
}
