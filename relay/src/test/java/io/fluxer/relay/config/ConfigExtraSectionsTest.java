package io.fluxer.relay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxer.common.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Sections another part reads from the relay's file and environment (control-api's {@code control}). */
class ConfigExtraSectionsTest {
  private static final String TOKEN = "\"token\":{\"hmac_secret_key\":\"s\"}";

  @Test
  void anExtraSectionComesBackWithItsEnvironmentOverrides() {
    JsonObject merged = new JsonObject("{" + TOKEN + ",\"control\":{\"docker_host\":\"tcp://a:2375\",\"x\":1},"
        + "\"FLUXER_CONTROL_DOCKER_HOST\":\"unix:///run/docker.sock\",\"FLUXER_SERVER_PORT\":\"9000\"}");

    ConfigLoader.Loaded loaded = ConfigLoader.fromMerged(merged, Set.of("control"));

    assertThat(loaded.section("control")).isEqualTo(new JsonObject()
        .put("docker_host", "unix:///run/docker.sock").put("x", 1));
    assertThat(loaded.relay().server().port()).isEqualTo(9000);
    assertThat(loaded.section("other")).isEmpty();
  }

  @Test
  void withoutItTheSectionIsUnknownAndItsVariablesAreIgnored() {
    JsonObject merged = new JsonObject("{" + TOKEN + ",\"control\":{}}");
    assertThatThrownBy(() -> ConfigLoader.fromMerged(merged)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("control").hasMessageContaining("unknown section");
    JsonObject viaEnv = new JsonObject("{" + TOKEN + ",\"FLUXER_CONTROL_DOCKER_HOST\":\"unix:///x\"}");
    assertThat(ConfigLoader.fromMerged(viaEnv).server().port()).isEqualTo(8000);
  }

  @Test
  void anExtraSectionMustBeAnObject() {
    JsonObject merged = new JsonObject("{" + TOKEN + ",\"control\":\"on\"}");
    assertThatThrownBy(() -> ConfigLoader.fromMerged(merged, Set.of("control")))
        .hasMessageContaining("control").hasMessageContaining("must be an object");
  }
}
