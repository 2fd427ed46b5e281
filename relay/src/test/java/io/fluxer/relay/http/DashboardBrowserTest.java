package io.fluxer.relay.http;

import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.fluxer.relay.testing.NodeScript;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in Debian's Chromium (playwright-core, {@code src/test/js/dashboard-ui.mjs})
 * against a real relay: login, live stats, what a viewer sees, every page at desktop and phone
 * width. Screenshots go to {@code target/dashboard-screenshots} ({@code scripts/screenshots.sh}
 * copies them into docs/). Fails rather than skips without Node or Chromium.
 */
class DashboardBrowserTest extends ApiTestBase {
  static final Path SCREENSHOTS = Path.of("target", "dashboard-screenshots").toAbsolutePath();
  private static final String PASSWORD = "browser-test-password";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  /** The shortest session the config allows: the refresh scenario waits past one. */
  private static final int SESSION_TTL_SECONDS = 30;

  @BeforeEach
  void start() {
    startRelay(config -> config.put("dashboard", new JsonObject().put("admin_user", "admin")
            .put("admin_password_hash", BCrypt.withDefaults().hashToString(4, PASSWORD.toCharArray()))
            .put("session_ttl", SESSION_TTL_SECONDS + "s")));
  }

  private JsonObject run(String mode, Map<String, String> extra) throws Exception {
    Map<String, String> env = new HashMap<>(extra);
    env.put("FLUXER_MODE", mode);
    env.put("FLUXER_HTTP_URL", relay().httpUrl());
    env.put("FLUXER_ADMIN", "admin:" + PASSWORD);
    env.put("FLUXER_SCREENSHOTS", SCREENSHOTS.toString());
    env.put("FLUXER_SESSION_TTL_SECONDS", Integer.toString(SESSION_TTL_SECONDS));
    JsonObject summary = NodeScript.run("dashboard-ui.mjs", env, TIMEOUT).summary();
    assertThat(summary.getBoolean("ok")).as(summary.encodePrettily()).isTrue();
    return summary;
  }

  @Test
  @DisplayName("A wrong password is refused with a message; the right one, typed with the keyboard, lands on the overview")
  void login() throws Exception {
    JsonObject s = run("login", Map.of());
    assertThat(s.getString("whoami")).contains("admin");
  }

  @Test
  @DisplayName("Five WebSocket clients move the overview's connection count and chart within 3 s")
  void liveConnections() throws Exception {
    JsonObject s = run("live", Map.of("FLUXER_CLIENT_TOKEN", relay().token("someone")));
    assertThat(s.getInteger("after")).isGreaterThanOrEqualTo(s.getInteger("before") + 5);
    assertThat(s.getLong("shownAfterMs")).isLessThan(3000);
  }

  @Test
  @DisplayName("A viewer logged in with an ops token sees every page and no control that acts")
  void viewerCannotAct() throws Exception {
    run("viewer", Map.of("FLUXER_VIEWER_TOKEN", relay().opsToken("vera", "viewer")));
  }

  @Test
  @DisplayName("The session token is renewed in the background; past the first one's expiry the page still gets live data")
  void sessionRefresh() throws Exception {
    JsonObject s = run("refresh", Map.of());
    assertThat(s.getLong("refreshedAfterMs")).isLessThan(SESSION_TTL_SECONDS * 1000L);
  }

  @Test
  @DisplayName("An admin creates an API key in Settings, the key works at once, and stops working once revoked in the UI")
  void apiKeys() throws Exception {
    JsonObject s = run("keys", Map.of("FLUXER_KEY_NAME", "browser-" + UUID.randomUUID().toString().substring(0, 8)));
    assertThat(s.getBoolean("revoked")).isTrue();
  }

  @Test
  @DisplayName("The overview's charts start from the relay's history, show times within the window (5 min, then 1 h chosen "
      + "with the keyboard and kept) and integer counts, and nothing overflows, at 1280x800 and 390x844")
  void overviewCharts() throws Exception {
    JsonObject s = run("charts", Map.of("FLUXER_VIEWER_TOKEN", relay().opsToken("vera", "viewer")));
    JsonObject desktop = s.getJsonObject("desktop");
    assertThat(desktop.getInteger("points")).isGreaterThan(desktop.getInteger("liveAtMost") + 1);
    assertThat(SCREENSHOTS.resolve("overview-1h-phone.png")).exists();
  }

  @Test
  @DisplayName("Channels: listed with subscribers, sorted; the live view shows a publication sent through the server API "
      + "within 1 s, holds it back while paused; nothing is cut at 390x844; Disconnect closes the client")
  void channelsLive() throws Exception {
    JsonObject s = run("channels", Map.of(
        "FLUXER_CHANNEL", "chat:" + unique("watched"),
        "FLUXER_OTHER_CHANNEL", "chat:" + unique("busy"),
        "FLUXER_API_KEY", TestRelay.ADMIN_KEY,
        "FLUXER_CLIENT_TOKEN", relay().token("carol")));
    assertThat(s.getLong("shownAfterMs")).as("publication shown after").isLessThan(1000);
    assertThat(s.getInteger("closeCode")).as("the disconnected client's close code").isEqualTo(3503);
    assertThat(SCREENSHOTS.resolve("channels-live-desktop.png")).exists();
    assertThat(SCREENSHOTS.resolve("channels-live-phone.png")).exists();
  }

  @Test
  @DisplayName("Every page renders at 1280x800 and at phone width without overflow or console errors")
  void everyPage() throws Exception {
    JsonObject s = run("pages", Map.of());
    assertThat(s.getInteger("desktop")).as("six pages and the deployments' stack and deployment views").isEqualTo(8);
    assertThat(SCREENSHOTS.resolve("overview.png")).exists();
  }

  @Test
  @DisplayName("Namespace options are edited in a form with units; the review shows the one change; delete is apart and confirmed")
  void namespaceForm() throws Exception {
    JsonObject s = run("namespace", Map.of("FLUXER_API_KEY", TestRelay.ADMIN_KEY));
    assertThat(s.getJsonArray("desktop").getString(2)).isEqualTo("10 minutes");
  }
}
