package io.fluxer.control.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxer.control.ControlOptions;
import io.fluxer.common.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The control.hook_* keys: defaults, values read, and a retention shorter than the tolerance refused. */
class HookOptionsTest {
  private static final String KEY = "Zmx1eGVyLWRldi1rZXktbm90LWZvci1wcm9kdWN0biE=";

  @Test
  @DisplayName("Defaults: 5m tolerance, 24h retention, 10 refusals a minute; keys under control.*")
  void defaultsAndKeys() {
    HookOptions d = ControlOptions.fromJson(new JsonObject().put("secret_key", KEY)).hooks();
    assertThat(d).isEqualTo(new HookOptions(Duration.ofMinutes(5), Duration.ofHours(24), 10, Duration.ofMinutes(1)));
    HookOptions set = ControlOptions.fromJson(new JsonObject().put("secret_key", KEY).put("hook_tolerance", "30s")
        .put("hook_delivery_retention", "2h").put("hook_max_refusals", 3).put("hook_refusal_window", "5m")).hooks();
    assertThat(set).isEqualTo(new HookOptions(Duration.ofSeconds(30), Duration.ofHours(2), 3, Duration.ofMinutes(5)));
  }

  @Test
  @DisplayName("A retention shorter than the tolerance, or zero refusals, stops start-up naming the key")
  void badValues() {
    assertThatThrownBy(() -> ControlOptions.fromJson(new JsonObject().put("secret_key", KEY)
        .put("hook_delivery_retention", "1m"))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("control.hook_delivery_retention");
    assertThatThrownBy(() -> ControlOptions.fromJson(new JsonObject().put("secret_key", KEY)
        .put("hook_max_refusals", 0))).isInstanceOf(ConfigException.class)
        .hasMessageContaining("control.hook_max_refusals");
  }
}
