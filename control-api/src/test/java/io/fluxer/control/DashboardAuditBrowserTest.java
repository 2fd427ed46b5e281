package io.fluxer.control;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.fluxer.control.api.ControlApi;
import io.fluxer.control.store.TestStore;
import io.fluxer.common.cluster.ControlSeal;
import io.fluxer.common.config.ClusterOptions;
import io.fluxer.relay.testing.NodeScript;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The dashboard's audit page in Debian's Chromium ({@code relay/src/test/js/dashboard-audit.mjs})
 * against a real relay and control-api's operations on a real PostgreSQL (no swarm needed).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DashboardAuditBrowserTest {
  private static final String PASSWORD = "browser-test-password";
  private static final Path SCREENSHOTS = Path.of("..", "relay", "target", "dashboard-screenshots")
      .toAbsolutePath().normalize();

  private final Vertx vertx = Vertx.vertx();
  private TestStore db;
  private TestRelay relay;

  @BeforeEach
  void start() {
    db = TestStore.fresh(vertx);
    TestRelay.await(new ControlApi(db.store()).requireSeal(ControlSeal.of(vertx, ClusterOptions.disabled()))
        .register(vertx.eventBus()));
    relay = TestRelay.start(vertx, config -> config.put("dashboard", new JsonObject().put("admin_user", "admin")
        .put("admin_password_hash", BCrypt.withDefaults().hashToString(4, PASSWORD.toCharArray()))));
  }

  @AfterEach
  void stop() {
    relay.close();
    db.close();
    TestRelay.await(vertx.close());
  }

  @Test
  @DisplayName("Actions done through the API appear on the audit page, filterable, at desktop and phone sizes")
  void actionsAppearOnTheAuditPage() throws Exception {
    JsonObject s = NodeScript.run("dashboard-audit.mjs", Map.of(
        "FLUXER_HTTP_URL", relay.httpUrl(),
        "FLUXER_ADMIN", "admin:" + PASSWORD,
        "FLUXER_API_KEY", TestRelay.ADMIN_KEY,
        "FLUXER_OPS_KEY", TestRelay.OPS_KEY,
        "FLUXER_SCREENSHOTS", SCREENSHOTS.toString()), Duration.ofSeconds(100)).summary();
    assertThat(s.getBoolean("ok")).as(s.encodePrettily()).isTrue();
    assertThat(s.getInteger("desktopKeyRows")).isGreaterThanOrEqualTo(2);
    assertThat(SCREENSHOTS.resolve("audit-desktop.png")).exists();
  }
}
