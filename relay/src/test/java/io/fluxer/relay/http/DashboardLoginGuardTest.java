package io.fluxer.relay.http;

import static io.fluxer.relay.testing.HttpTestClient.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.fluxer.relay.testing.HttpTestClient.Response;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The dashboard login against other sites and guessers: JSON only, throttled per account as well as
 * per address, and the address from X-Forwarded-For only behind trusted proxies.
 */
class DashboardLoginGuardTest extends ApiTestBase {
  private static final String PASSWORD = "correct horse battery staple";
  private static final String HASH = BCrypt.withDefaults().hashToString(4, PASSWORD.toCharArray());

  private void start(int perAddress, int perAccount, String window, boolean trustLocalProxy) {
    startRelay(config -> {
      config.put("dashboard", new JsonObject()
          .put("admin_user", "root").put("admin_password_hash", HASH)
          .put("max_failed_logins", perAddress).put("max_failed_logins_per_account", perAccount)
          .put("failed_login_window", window));
      if (trustLocalProxy) {
        config.getJsonObject("server").put("trusted_proxies", new JsonArray().add("127.0.0.0/8"));
      }
    });
  }

  private Response login(String contentType, String body, String forwardedFor) {
    Map<String, String> headers = forwardedFor == null ? Map.of("Content-Type", contentType)
        : Map.of("Content-Type", contentType, "X-Forwarded-For", forwardedFor);
    return http().sendRaw(HttpMethod.POST, "/dashboard/api/login", headers, Buffer.buffer(body));
  }

  private Response password(String user, String password, String forwardedFor) {
    return login("application/json", new JsonObject().put("user", user).put("password", password).encode(),
        forwardedFor);
  }

  @Test
  @DisplayName("A text/plain or form post (what another site's page can send without preflight) answers 415")
  void jsonOnly() {
    start(5, 10, "1m", false);
    String good = new JsonObject().put("user", "root").put("password", PASSWORD).encode();

    Response plain = login("text/plain", good, null);
    assertThat(plain.status()).as(plain.toString()).isEqualTo(415);
    assertThat(plain.json().getJsonObject("error").getInteger("code")).isEqualTo(415);
    assertThat(login("application/x-www-form-urlencoded", good, null).status()).isEqualTo(415);
    assertThat(login("multipart/form-data; boundary=x", good, null).status()).isEqualTo(415);
    assertThat(http().sendRaw(HttpMethod.POST, "/dashboard/api/login", Map.of(), Buffer.buffer(good)).status())
        .isEqualTo(415);
    assertThat(login("Application/JSON; charset=utf-8", good, null).status()).isEqualTo(200);
  }

  @Test
  @DisplayName("Failed passwords for one account from many addresses lock that account (429 + Retry-After), not others")
  void perAccount() {
    start(2, 3, "1m", true);
    for (int i = 1; i <= 3; i++) {
      assertThat(password("root", "guess" + i, "198.51.100." + i).status()).isEqualTo(401);
    }
    Response locked = password("root", PASSWORD, "198.51.100.4");
    assertThat(locked.status()).as(locked.toString()).isEqualTo(429);
    assertThat(Long.parseLong(locked.headers().get("Retry-After"))).isBetween(1L, 60L);
    assertThat(password("alice", "guess", "198.51.100.5").status()).as("another account").isEqualTo(401);
    Response token = login("application/json", new JsonObject().put("token",
        relay().opsToken("root", "admin")).encode(), "198.51.100.6");
    assertThat(token.status()).as("a JWT login is not locked by the account throttle").isEqualTo(200);
  }

  @Test
  @DisplayName("The account lock is bounded: refused attempts do not extend it, it ends one window after it began")
  void lockEnds() {
    start(100, 2, "2s", true);
    assertThat(password("root", "guess1", "198.51.100.1").status()).isEqualTo(401);
    assertThat(password("root", "guess2", "198.51.100.2").status()).isEqualTo(401);
    assertThat(password("root", "guess3", "198.51.100.3").status()).isEqualTo(429);
    Response ok = eventually(() -> password("root", PASSWORD, "198.51.100.4"), r -> r.status() != 429,
        Duration.ofSeconds(10));
    assertThat(ok.status()).as(ok.toString()).isEqualTo(200);
  }

  @Test
  @DisplayName("Without trusted proxies X-Forwarded-For is ignored: a guesser cannot shed the per-address throttle")
  void forwardedForIgnoredByDefault() {
    start(2, 100, "1m", false);
    assertThat(password("root", "guess1", "198.51.100.1").status()).isEqualTo(401);
    assertThat(password("root", "guess2", "198.51.100.2").status()).isEqualTo(401);
    assertThat(password("root", "guess3", "198.51.100.3").status()).isEqualTo(429);
  }

  @Test
  @DisplayName("Behind a trusted proxy the right-most untrusted X-Forwarded-For entry is the address throttled")
  void forwardedForBehindTrustedProxy() {
    start(2, 100, "1m", true);
    assertThat(password("root", "guess1", "1.1.1.1, 203.0.113.9").status()).isEqualTo(401);
    assertThat(password("root", "guess2", "2.2.2.2, 203.0.113.9").status()).isEqualTo(401);
    assertThat(password("root", "guess3", "3.3.3.3, 203.0.113.9").status()).as("same client, spoofed left part")
        .isEqualTo(429);
    assertThat(password("root", PASSWORD, "203.0.113.10").status()).as("another client").isEqualTo(200);
  }
}
