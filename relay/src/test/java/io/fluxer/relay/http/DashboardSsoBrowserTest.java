package io.fluxer.relay.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.NodeScript;
import io.fluxer.relay.testing.OidcTestProvider;
import io.fluxer.relay.testing.OidcTestProvider.DashboardClient;
import io.fluxer.relay.testing.OidcTestProvider.Settings;
import io.fluxer.relay.testing.OidcTestProvider.User;
import io.fluxer.relay.testing.TestJwks;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Single sign-on in Debian's Chromium (playwright-core, {@code src/test/js/dashboard-sso.mjs})
 * against a real relay and a real OpenID provider: "Sign in with ..." as an admin and as a viewer,
 * sign-out with the provider's logout, and the no-access page. Fails rather than skips without Node
 * or Chromium.
 */
class DashboardSsoBrowserTest extends ApiTestBase {
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private OidcTestProvider provider;

  @AfterEach
  void stopProvider() throws Exception {
    if (provider != null) {
      provider.close();
    }
  }

  @Test
  @DisplayName("Sign in with the provider as an admin (actions shown), sign out there too, then as a viewer (no actions); no role: no access")
  void signInWithTheProvider() throws Exception {
    int port = DashboardSsoTest.freePort();
    String redirect = "http://127.0.0.1:" + port + "/dashboard/sso/callback";
    provider = OidcTestProvider.start(Settings.of(TestJwks.oneOfEach("browser"),
            User.of("alice", "fluxer-admin"), User.of("vic", "fluxer-viewer"), User.of("nora"))
        .withDashboardClient(new DashboardClient(DashboardSsoTest.CLIENT_ID, List.of(redirect), null)));
    startRelay(config -> DashboardSsoTest.ssoConfig(config, port, provider));

    JsonObject summary = NodeScript.run("dashboard-sso.mjs", Map.of(
        "FLUXER_HTTP_URL", relay().httpUrl(),
        "FLUXER_SSO_LABEL", DashboardSsoTest.LABEL,
        "FLUXER_PROVIDER", provider.issuer(),
        "FLUXER_SCREENSHOTS", DashboardBrowserTest.SCREENSHOTS.toString()), TIMEOUT).summary();
    assertThat(summary.getBoolean("ok")).as(summary.encodePrettily()).isTrue();
    assertThat(summary.getString("admin")).contains("alice");
    assertThat(summary.getInteger("adminActions")).isPositive();
    assertThat(summary.getString("viewer")).contains("vic");
    assertThat(summary.getString("noAccess")).contains("no role");
  }
}
