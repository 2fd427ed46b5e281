package io.fluxer.relay;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.fluxer.common.config.DevDefaults;
import io.fluxer.relay.config.RelayConfig;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What `scripts/run_dev.sh` prints for its user. */
class DevLinesTest {
  @Test
  @DisplayName("A dev node prints its token, API key, the dashboard URL and an admin account whose password matches the hash")
  void devDefaults() throws Exception {
    RelayConfig config = RelayConfig.fromJson(DevDefaults.json());
    assertThat(Main.devLines(config, 8123)).satisfiesExactly(
        token -> assertThat(token).startsWith("FLUXER_DEV_TOKEN=ey"),
        key -> assertThat(key).isEqualTo("FLUXER_DEV_API_KEY=" + Main.DEV_API_KEY),
        url -> assertThat(url).isEqualTo("FLUXER_DEV_DASHBOARD=http://127.0.0.1:8123/dashboard/"),
        admin -> assertThat(admin).isEqualTo("FLUXER_DEV_ADMIN=admin:" + Main.DEV_ADMIN_PASSWORD));
    assertThat(BCrypt.verifyer().verify(Main.DEV_ADMIN_PASSWORD.getBytes(StandardCharsets.UTF_8),
        config.dashboard().adminPasswordHash().getBytes(StandardCharsets.UTF_8)).verified).isTrue();
  }

  @Test
  @DisplayName("With another admin hash configured, no password is printed")
  void changedHashPrintsNoPassword() throws Exception {
    JsonObject json = DevDefaults.json();
    json.getJsonObject("dashboard").put("admin_password_hash",
        BCrypt.withDefaults().hashToString(4, "secret".toCharArray()));
    assertThat(Main.devLines(RelayConfig.fromJson(json), 8000)).noneMatch(l -> l.startsWith("FLUXER_DEV_ADMIN="));
  }
}
