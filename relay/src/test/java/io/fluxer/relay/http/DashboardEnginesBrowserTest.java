package io.fluxer.relay.http;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.fluxer.relay.testing.NodeScript;
import io.fluxer.relay.testing.PgTestServer;
import io.fluxer.relay.testing.RedisTestServer;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The overview's engine table and latency panel in Debian's Chromium ({@code dashboard-ui.mjs} mode
 * {@code engines}) on a relay with the Redis engines and a PostgreSQL store, both real.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DashboardEnginesBrowserTest extends RelayTestBase {
  private static final String PASSWORD = "browser-test-password";
  private static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots").toAbsolutePath();
  private String pgUrl;

  @AfterEach
  void dropDatabase() {
    if (pgUrl != null) {
      PgTestServer.dropDatabase(vertx, pgUrl);
    }
  }

  @Test
  @DisplayName("Redis and PostgreSQL show reachable with a probe time; publications give the latency card and chart a value")
  void enginesAndLatency() throws Exception {
    pgUrl = PgTestServer.freshDatabase(vertx);
    startRelay(config -> config
        .put("engine", new JsonObject().put("type", "redis").put("redis_url", RedisTestServer.sharedUrl())
            .put("redis_prefix", "dash-" + UUID.randomUUID()))
        .put("postgres", new JsonObject().put("url", pgUrl).put("reload_interval", "0"))
        .put("dashboard", new JsonObject().put("admin_user", "admin")
            .put("admin_password_hash", BCrypt.withDefaults().hashToString(4, PASSWORD.toCharArray()))));
    JsonObject s = NodeScript.run("dashboard-ui.mjs", Map.of(
        "FLUXER_MODE", "engines",
        "FLUXER_HTTP_URL", relay().httpUrl(),
        "FLUXER_ADMIN", "admin:" + PASSWORD,
        "FLUXER_API_KEY", TestRelay.ADMIN_KEY,
        "FLUXER_CLIENT_TOKEN", relay().token("watcher"),
        "FLUXER_SCREENSHOTS", SCREENSHOTS.toString()), Duration.ofSeconds(100)).summary();
    assertThat(s.getBoolean("ok")).as(s.encodePrettily()).isTrue();
    assertThat(s.getJsonObject("desktop").getJsonArray("engines").getList())
        .contains("redis:reachable", "postgres:reachable");
  }
}
