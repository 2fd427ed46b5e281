package io.fluxer.relay.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.fluxer.common.config.ConfigException;
import io.fluxer.relay.config.RelayConfig;
import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.HttpTestClient.Response;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The dashboard's login, refresh and static assets under /dashboard/. */
class DashboardLoginTest extends ApiTestBase {
  private static final String PASSWORD = "correct horse battery staple";
  /** Cost 4, the lowest bcrypt allows: the login checks the same way at any cost. */
  private static final String HASH = BCrypt.withDefaults().hashToString(4, PASSWORD.toCharArray());

  @BeforeEach
  void start() {
    startRelay(config -> config.put("dashboard", new JsonObject()
        .put("admin_user", "root").put("admin_password_hash", HASH)
        .put("session_ttl", "2m").put("max_failed_logins", 3).put("failed_login_window", "1m")));
  }

  private Response login(JsonObject body) {
    return http().send(HttpMethod.POST, "/dashboard/api/login", Map.of("Content-Type", "application/json"),
        body.encode());
  }

  private Response password(String user, String password) {
    return login(new JsonObject().put("user", user).put("password", password));
  }

  private static JsonObject payload(String jwt) {
    String payload = jwt.split("\\.")[1];
    return new JsonObject(new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8));
  }

  @Test
  @DisplayName("The admin's password gives a short-lived admin token that the HTTP API and the WebSocket accept")
  void passwordLogin() {
    Response r = password("root", PASSWORD);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    assertThat(r.headers().get("Cache-Control")).isEqualTo("no-store");
    JsonObject body = r.json();
    assertThat(body.getString("user")).isEqualTo("root");
    assertThat(body.getString("role")).isEqualTo("admin");
    assertThat(body.getLong("expires_in")).isEqualTo(120);
    String token = body.getString("token");
    JsonObject claims = payload(token);
    assertThat(claims.getLong("exp") - claims.getLong("iat")).isEqualTo(120);
    assertThat(claims.getJsonArray("roles")).containsExactly("admin");

    assertThat(http().get("/api/v1/stats", HttpTestClient.bearer(token)).status()).isEqualTo(200);
    assertThat(http().put("/api/v1/namespaces/news", HttpTestClient.bearer(token), "{}").status())
        .as("admin may change namespaces").isEqualTo(201);
    WsTestClient ws = open();
    JsonObject connected = ws.connectWith(token);
    assertThat(connected.getBoolean("expires")).as(connected.encode()).isTrue();
  }

  @Test
  @DisplayName("A wrong password, an unknown user or a missing hash answer the same 401 and change nothing")
  void wrongPassword() {
    for (Response r : new Response[] {password("root", "wrong"), password("admin", PASSWORD)}) {
      assertThat(r.status()).isEqualTo(401);
      assertThat(r.errorMessage()).isEqualTo("invalid user or password");
      assertThat(r.json().containsKey("token")).isFalse();
    }
  }

  @Test
  @DisplayName("After max_failed_logins failures the address gets 429 with Retry-After, even with the right password")
  void failedLoginsAreThrottled() {
    for (int i = 0; i < 3; i++) {
      assertThat(password("root", "guess-" + i).status()).isEqualTo(401);
    }
    Response blocked = password("root", PASSWORD);
    assertThat(blocked.status()).isEqualTo(429);
    long retryAfter = Long.parseLong(blocked.headers().get("Retry-After"));
    assertThat(retryAfter).isBetween(1L, 60L);
    assertThat(blocked.errorMessage()).contains("too many failed logins");
    Response badToken = login(new JsonObject().put("token", "not.a.jwt"));
    assertThat(badToken.status()).as("token logins are throttled too").isEqualTo(429);
  }

  @Test
  @DisplayName("Guesses sent in parallel are throttled too: at most max_failed_logins get an answer from the password check")
  void parallelGuessesAreThrottled() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(10);
    try {
      List<Future<Integer>> answers = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        String guess = "guess-" + i;
        answers.add(pool.submit(() -> password("root", guess).status()));
      }
      List<Integer> statuses = new ArrayList<>();
      for (Future<Integer> f : answers) {
        statuses.add(f.get(30, TimeUnit.SECONDS));
      }
      assertThat(statuses).containsOnly(401, 429);
      assertThat(statuses.stream().filter(s -> s == 401).count()).isLessThanOrEqualTo(3);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @DisplayName("An ops token with a role logs in with that role; without a role it is 403; a connection token "
      + "with a role, or an invalid one, is 401")
  void tokenLogin() {
    Response viewer = login(new JsonObject().put("token", relay().opsToken("vera", "viewer")));
    assertThat(viewer.status()).as(viewer.toString()).isEqualTo(200);
    assertThat(viewer.json().getString("role")).isEqualTo("viewer");
    assertThat(viewer.json().getString("user")).isEqualTo("vera");
    String token = viewer.json().getString("token");
    assertThat(http().get("/api/v1/stats", HttpTestClient.bearer(token)).status()).isEqualTo(200);
    assertThat(http().put("/api/v1/namespaces/news", HttpTestClient.bearer(token), "{}").status())
        .as("a viewer cannot act").isEqualTo(403);

    JsonObject shortLived = payload(relay().opsToken("sam", "ops")).put("exp", Instant.now().getEpochSecond() + 30);
    Response ops = login(new JsonObject().put("token", relay().token(shortLived)));
    assertThat(ops.json().getLong("expires_in")).as("never outlives the token it came from").isBetween(1L, 30L);

    assertThat(login(new JsonObject().put("token", relay().opsToken("nobody"))).status()).isEqualTo(403);
    assertThat(login(new JsonObject().put("token", relay().token(claims("ada", "admin")))).status())
        .as("a client connection token is no ops credential").isEqualTo(401);
    assertThat(login(new JsonObject().put("token", "not.a.jwt")).status()).isEqualTo(401);
  }

  @Test
  @DisplayName("Refresh with a dashboard token gives a new one; a plain connection token or none is 401")
  void refresh() {
    String token = password("root", PASSWORD).json().getString("token");
    Response refreshed = http().send(HttpMethod.POST, "/dashboard/api/refresh", HttpTestClient.bearer(token), "");
    assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(200);
    assertThat(refreshed.json().getString("role")).isEqualTo("admin");
    assertThat(payload(refreshed.json().getString("token")).getLong("session_until"))
        .isEqualTo(payload(token).getLong("session_until"));

    Response plain = http().send(HttpMethod.POST, "/dashboard/api/refresh",
        HttpTestClient.bearer(relay().token(claims("ada", "admin"))), "");
    assertThat(plain.status()).isEqualTo(401);
    assertThat(http().send(HttpMethod.POST, "/dashboard/api/refresh", HttpTestClient.NONE, "").status())
        .isEqualTo(401);
  }

  @Test
  @DisplayName("Malformed login bodies are 400 and count as nothing")
  void badBodies() {
    for (String body : new String[] {"", "[]", "{\"user\":\"root\"}", "{\"user\":1,\"password\":\"x\"}",
        "{\"token\":\"t\",\"user\":\"root\",\"password\":\"x\"}", "{not json"}) {
      Response r = http().send(HttpMethod.POST, "/dashboard/api/login",
          Map.of("Content-Type", "application/json"), body);
      assertThat(r.status()).as(body).isEqualTo(400);
    }
    assertThat(password("root", PASSWORD).status()).as("400s are not failed logins").isEqualTo(200);
  }

  @Test
  @DisplayName("/dashboard/ serves the page with a strict Content-Security-Policy, and uPlot from its WebJar")
  void servesAssets() {
    Response redirect = http().get("/dashboard", HttpTestClient.NONE);
    assertThat(redirect.status()).isEqualTo(302);
    assertThat(redirect.headers().get("Location")).isEqualTo("/dashboard/");

    Response page = http().get("/dashboard/", HttpTestClient.NONE);
    assertThat(page.status()).isEqualTo(200);
    assertThat(page.headers().get("Content-Type")).startsWith("text/html");
    assertThat(page.body()).contains("<script type=\"importmap\">").doesNotContain("${uplot.version}");
    String csp = page.headers().get("Content-Security-Policy");
    assertThat(csp).contains("script-src 'self' 'sha256-").contains("frame-ancestors 'none'");
    assertThat(page.headers().get("X-Content-Type-Options")).isEqualTo("nosniff");

    Response uplot = http().get("/dashboard/webjars/uplot/1.6.30/dist/uPlot.esm.js", HttpTestClient.NONE);
    assertThat(uplot.status()).isEqualTo(200);
    assertThat(uplot.headers().get("Content-Type")).contains("javascript");
    assertThat(http().get("/dashboard/no-such-file.js", HttpTestClient.NONE).status()).isEqualTo(404);
    assertThat(http().send(HttpMethod.POST, "/dashboard/api/nothing", HttpTestClient.NONE, "").status())
        .isEqualTo(404);
  }

  @Test
  @DisplayName("Config: a non-bcrypt hash, or a hash without an HMAC key to sign sessions, stops start-up")
  void configErrors() {
    JsonObject config = TestRelay.defaultConfig();
    config.put("dashboard", new JsonObject().put("admin_password_hash", "plain-text"));
    assertThatThrownBy(() -> RelayConfig.fromJson(config)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("dashboard.admin_password_hash");

    JsonObject rsaOnly = TestRelay.defaultConfig();
    rsaOnly.getJsonObject("token").remove("hmac_secret_key");
    rsaOnly.getJsonObject("client").put("allow_anonymous", true);
    rsaOnly.put("dashboard", new JsonObject().put("admin_password_hash", HASH));
    assertThatThrownBy(() -> RelayConfig.fromJson(rsaOnly)).isInstanceOf(ConfigException.class)
        .hasMessageContaining("token.hmac_secret_key");
  }
}
