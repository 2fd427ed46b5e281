package io.fluxer.relay.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.fluxer.relay.auth.OpsToken;
import io.fluxer.relay.auth.TokenVerifier;
import io.fluxer.common.config.ConfigException;
import io.fluxer.relay.config.RelayConfig;
import io.fluxer.relay.config.Role;
import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.OidcTestProvider.DashboardClient;
import io.fluxer.relay.testing.OidcTestProvider.Settings;
import io.fluxer.relay.testing.OidcTestProvider.User;
import io.fluxer.relay.testing.OidcTestProvider;
import io.fluxer.relay.testing.TestJwks;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The dashboard's single sign-on against a real OpenID provider ({@link OidcTestProvider}): the
 * authorization code flow with PKCE through the relay's routes, the session it hands over, and every
 * way a callback is refused.
 */
class DashboardSsoTest extends ApiTestBase {
  static final String CLIENT_ID = "fluxer-dashboard";
  static final String LABEL = "Test IdP";
  private static final String ADMIN_PASSWORD = "sso-test-password";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final Pattern SESSION = Pattern.compile("data-session=\"([^\"]*)\"");

  /** Free port the relays of this class listen on: the provider must know the redirect URI first. */
  private static int relayPort;
  private static OidcTestProvider provider;
  private static OidcTestProvider other;
  private final HttpClient browser = HttpClient.newBuilder().connectTimeout(TIMEOUT)
      .followRedirects(HttpClient.Redirect.NEVER).build();

  @BeforeAll
  static void startProviders() throws Exception {
    relayPort = freePort();
    List<TestJwks.Key> keys = TestJwks.oneOfEach("sso");
    DashboardClient client = new DashboardClient(CLIENT_ID, List.of(redirectUri()), null);
    provider = OidcTestProvider.start(Settings.of(keys,
            User.of("alice", "fluxer-admin"), User.of("vic", "fluxer-viewer"), User.of("nora"),
            User.of("kim", "fluxer-ops").rolesInAccessTokenOnly())
        .withDashboardClient(client));
    // a second trusted provider, for an ID token from the wrong (but trusted) issuer
    other = OidcTestProvider.start(Settings.of(TestJwks.oneOfEach("other"), User.of("alice", "fluxer-admin"))
        .withDashboardClient(client));
  }

  @AfterAll
  static void stopProviders() throws Exception {
    for (OidcTestProvider p : new OidcTestProvider[] {provider, other}) {
      if (p != null) {
        p.close();
      }
    }
  }

  static String redirectUri() {
    return "http://127.0.0.1:" + relayPort + "/dashboard/sso/callback";
  }

  /** The test config with both providers trusted and single sign-on through the first. */
  static void ssoConfig(JsonObject config, int port, OidcTestProvider provider, OidcTestProvider... others) {
    config.getJsonObject("server").put("port", port);
    JsonArray issuers = new JsonArray().add(issuer(provider));
    for (OidcTestProvider o : others) {
      issuers.add(issuer(o));
    }
    config.getJsonObject("token").put("issuers", issuers);
    config.put("dashboard", new JsonObject()
        .put("admin_user", "admin")
        .put("admin_password_hash", BCrypt.withDefaults().hashToString(4, ADMIN_PASSWORD.toCharArray()))
        .put("sso", new JsonObject()
            .put("issuer", provider.issuer())
            .put("client_id", CLIENT_ID)
            .put("public_url", "http://127.0.0.1:" + port + "/")
            .put("label", LABEL)));
  }

  private static JsonObject issuer(OidcTestProvider p) {
    return new JsonObject()
        .put("issuer", p.issuer())
        .put("audiences", new JsonArray().add(OidcTestProvider.AUDIENCE))
        .put("roles_claims", new JsonArray().add("roles"))
        .put("role_map", new JsonObject().put("fluxer-admin", "admin").put("fluxer-ops", "ops")
            .put("fluxer-viewer", "viewer"));
  }

  private TestRelay startSsoRelay(Consumer<JsonObject> more) {
    return startRelay(config -> {
      ssoConfig(config, relayPort, provider, other);
      more.accept(config);
    });
  }

  private TestRelay startSsoRelay() {
    return startSsoRelay(config -> { });
  }

  // ---- the flow, as a browser runs it

  /** What GET /dashboard/sso/login answers: where it sends the browser and the login cookie. */
  record Started(URI authorizationUrl, String cookie, String setCookie) {}

  private Started startLogin() throws Exception {
    HttpResponse<String> r = get(URI.create(relay().httpUrl() + "/dashboard/sso/login"), null);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(302);
    String setCookie = setCookie(r);
    assertThat(setCookie).as("the login cookie").isNotNull();
    String value = setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
    return new Started(URI.create(r.headers().firstValue("Location").orElseThrow()), value, setCookie);
  }

  private HttpResponse<String> callback(URI callback, String cookie) throws Exception {
    assertThat(callback.toString()).as("the provider sends the browser back to the relay").startsWith(redirectUri());
    return get(callback, cookie);
  }

  /** The whole sign-in of {@code user}; the callback's answer. */
  private HttpResponse<String> signIn(String user) throws Exception {
    Started started = startLogin();
    return callback(provider.completeLogin(started.authorizationUrl(), user, null), started.cookie());
  }

  private HttpResponse<String> get(URI uri, String cookie) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(TIMEOUT);
    if (cookie != null) {
      request.header("Cookie", DashboardSso.COOKIE + "=" + cookie);
    }
    return browser.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String setCookie(HttpResponse<String> r) {
    return r.headers().allValues("Set-Cookie").stream()
        .filter(c -> c.startsWith(DashboardSso.COOKIE + "=")).findFirst().orElse(null);
  }

  /** The session reply the landing page hands to the dashboard, or {@code null}. */
  private static JsonObject session(HttpResponse<String> r) {
    Matcher m = SESSION.matcher(r.body());
    if (!m.find()) {
      return null;
    }
    return new JsonObject(m.group(1).replace("&quot;", "\"").replace("&#39;", "'").replace("&lt;", "<")
        .replace("&gt;", ">").replace("&amp;", "&"));
  }

  private static void assertRefused(HttpResponse<String> r, int status, String message) {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
    assertThat(r.headers().firstValue("Cache-Control").orElse("")).isEqualTo("no-store");
    assertThat(r.body()).contains(status == 403 ? "id=\"sso-no-access\"" : "id=\"sso-error\"").contains(message);
    assertThat(session(r)).as("no session").isNull();
    assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  private static Map<String, String> query(URI uri) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String pair : uri.getRawQuery().split("&")) {
      int eq = pair.indexOf('=');
      params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    return params;
  }

  private static URI withParam(URI uri, String name, String value) {
    Map<String, String> params = query(uri);
    params.put(name, value);
    String raw = params.entrySet().stream().map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)).collect(Collectors.joining("&"));
    String s = uri.toString();
    return URI.create(s.substring(0, s.indexOf('?') + 1) + raw);
  }

  private static JsonObject payload(String jwt) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[1]), StandardCharsets.UTF_8));
  }

  // ---- tests

  @Test
  @DisplayName("The login page is told about single sign-on: its label and the password login")
  void loginOptions() {
    startSsoRelay();
    HttpTestClient.Response r = http().get("/dashboard/api/login-options", HttpTestClient.NONE);
    assertThat(r.status()).as(r.toString()).isEqualTo(200);
    JsonObject sso = r.json().getJsonObject("sso");
    assertThat(r.json().getBoolean("password")).isTrue();
    assertThat(sso.getString("label")).isEqualTo(LABEL);
    assertThat(sso.getString("login")).isEqualTo("./sso/login");
    // discovery runs in the background: the provider's end_session_endpoint shows up once it is done
    HttpTestClient.eventually(() -> http().get("/dashboard/api/login-options", HttpTestClient.NONE).json(),
        json -> json.getJsonObject("sso").getBoolean("logout"), TIMEOUT);
  }

  @Test
  @DisplayName("Sign-in starts with PKCE S256, state and nonce, kept in an encrypted HttpOnly SameSite=Lax cookie")
  void loginRedirect() throws Exception {
    startSsoRelay();
    Started started = startLogin();
    Map<String, String> q = query(started.authorizationUrl());
    assertThat(started.authorizationUrl().toString()).startsWith(provider.issuer() + "/");
    assertThat(q).containsEntry("client_id", CLIENT_ID).containsEntry("response_type", "code")
        .containsEntry("redirect_uri", redirectUri()).containsEntry("code_challenge_method", "S256");
    assertThat(q.get("scope").split(" ")).contains("openid", "profile", "email");
    assertThat(q.get("state")).hasSizeGreaterThanOrEqualTo(43);
    assertThat(q.get("nonce")).hasSizeGreaterThanOrEqualTo(43).isNotEqualTo(q.get("state"));
    assertThat(q.get("code_challenge")).hasSize(43);
    String cookie = started.setCookie();
    assertThat(cookie).contains("Path=/dashboard/sso").containsIgnoringCase("; HttpOnly").contains("SameSite=Lax")
        .contains("Max-Age=600").doesNotContainIgnoringCase("secure");
    assertThat(started.cookie()).as("state and nonce are not readable in the cookie")
        .doesNotContain(q.get("state")).doesNotContain(q.get("nonce"));
    assertThat(new String(Base64.getUrlDecoder().decode(started.cookie()), StandardCharsets.ISO_8859_1))
        .doesNotContain(q.get("state")).doesNotContain("\"s\"");
  }

  @Test
  @DisplayName("An admin at the provider signs in: the landing page hands over an admin session token that the APIs take and that refreshes")
  void adminSignsIn() throws Exception {
    startSsoRelay();
    HttpResponse<String> r = signIn("alice");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Cache-Control").orElse("")).isEqualTo("no-store");
    assertThat(r.headers().firstValue("Content-Security-Policy").orElse("")).contains("script-src 'self'");
    assertThat(r.headers().firstValue("Referrer-Policy").orElse("")).isEqualTo("no-referrer");
    assertThat(r.body()).contains("src=\"../js/sso-landing.js\"").doesNotContain("<script>");
    assertThat(setCookie(r)).as("the login cookie is spent").contains("Max-Age=0");
    JsonObject session = session(r);
    assertThat(session).as(r.body()).isNotNull();
    assertThat(session.getString("user")).isEqualTo("alice");
    assertThat(session.getString("role")).isEqualTo("admin");
    assertThat(session.getLong("expires_in")).isEqualTo(DashboardOptionsDefaults.SESSION_TTL_SECONDS);
    String token = session.getString("token");
    JsonObject claims = payload(token);
    assertThat(claims.getString("sub")).isEqualTo("alice");
    assertThat(claims.getJsonArray("roles")).containsExactly("admin");
    assertThat(claims.getLong("session_until") - claims.getLong("iat"))
        .isEqualTo(DashboardHandler.MAX_SESSION.toSeconds());

    assertThat(http().get("/api/v1/stats", HttpTestClient.bearer(token)).status()).isEqualTo(200);
    assertThat(http().put("/api/v1/namespaces/sso-news", HttpTestClient.bearer(token), "{}").status())
        .as("an admin may change namespaces").isEqualTo(201);
    HttpTestClient.Response refreshed = http().send(HttpMethod.POST, "/dashboard/api/refresh",
        HttpTestClient.bearer(token), null);
    assertThat(refreshed.status()).as(refreshed.toString()).isEqualTo(200);
    assertThat(refreshed.json().getString("role")).isEqualTo("admin");
  }

  @Test
  @DisplayName("A viewer at the provider gets a viewer session: it reads but cannot change anything")
  void viewerSignsIn() throws Exception {
    startSsoRelay();
    JsonObject session = session(signIn("vic"));
    assertThat(session).isNotNull();
    assertThat(session.getString("role")).isEqualTo("viewer");
    String token = session.getString("token");
    assertThat(http().get("/api/v1/stats", HttpTestClient.bearer(token)).status()).isEqualTo(200);
    assertThat(http().put("/api/v1/namespaces/sso-viewer", HttpTestClient.bearer(token), "{}").status())
        .isEqualTo(403);
  }

  @Test
  @DisplayName("Roles only in the access token (Keycloak's default): the access token, an ops token of the same user, gives the role")
  void rolesFromTheAccessToken() throws Exception {
    startSsoRelay();
    JsonObject session = session(signIn("kim"));
    assertThat(session).as("a session for kim").isNotNull();
    assertThat(session.getString("role")).isEqualTo("ops");
    assertThat(session.getString("user")).isEqualTo("kim");
  }

  @Test
  @DisplayName("A user without a mapped role gets the no-access page (403) and no session")
  void userWithoutRole() throws Exception {
    startSsoRelay();
    assertRefused(signIn("nora"), 403, "no role for the Fluxer dashboard");
  }

  @Test
  @DisplayName("A callback whose state is not the cookie's is refused")
  void wrongState() throws Exception {
    startSsoRelay();
    Started started = startLogin();
    URI back = provider.completeLogin(started.authorizationUrl(), "alice", null);
    assertRefused(callback(withParam(back, "state", "not-the-state"), started.cookie()), 400,
        "state does not match");
  }

  @Test
  @DisplayName("A callback without the login cookie, or with a tampered one, is refused")
  void missingOrTamperedCookie() throws Exception {
    startSsoRelay();
    Started started = startLogin();
    URI back = provider.completeLogin(started.authorizationUrl(), "alice", null);
    assertRefused(callback(back, null), 400, "expired or was started in another browser");
    String c = started.cookie();
    char flipped = c.charAt(20) == 'A' ? 'B' : 'A';
    String tampered = c.substring(0, 20) + flipped + c.substring(21);
    assertRefused(callback(back, tampered), 400, "expired or was started in another browser");
  }

  @Test
  @DisplayName("A code used once is refused by the provider the second time: the replayed callback gets an error")
  void replayedCode() throws Exception {
    startSsoRelay();
    Started started = startLogin();
    URI back = provider.completeLogin(started.authorizationUrl(), "alice", null);
    assertThat(session(callback(back, started.cookie()))).isNotNull();
    assertRefused(callback(back, started.cookie()), 400, "refused the sign-in code");
  }

  @Test
  @DisplayName("An authorization request with another nonce than the cookie's gives an ID token the relay refuses")
  void wrongNonce() throws Exception {
    startSsoRelay();
    Started started = startLogin();
    URI crafted = withParam(started.authorizationUrl(), "nonce", "a-nonce-the-relay-did-not-make");
    assertRefused(callback(provider.completeLogin(crafted, "alice", null), started.cookie()), 400,
        "nonce mismatch");
  }

  @Test
  @DisplayName("A callback naming another issuer (RFC 9207 iss) is refused before the code is used")
  void issuerParameterMismatch() throws Exception {
    startSsoRelay();
    Started started = startLogin();
    URI back = provider.completeLogin(started.authorizationUrl(), "alice", null);
    assertThat(query(back)).as("the provider names itself").containsEntry("iss", provider.issuer());
    assertRefused(callback(withParam(back, "iss", other.issuer()), started.cookie()), 400,
        "another identity provider");
    // the code was not spent: a fresh login still works
    assertThat(session(signIn("alice"))).isNotNull();
  }

  @Test
  @DisplayName("An ID token of another trusted issuer, with the right client and nonce, is refused")
  void idTokenOfAnotherIssuer() throws Exception {
    JsonObject json = TestRelay.defaultConfig();
    ssoConfig(json, relayPort, provider, other);
    RelayConfig config = RelayConfig.fromJson(json);
    TokenVerifier tokens = TokenVerifier.create(vertx, config.token());
    TestRelay.await(tokens.start());
    try {
      DashboardSso sso = new DashboardSso(vertx, config.dashboard().sso(), config.token().issuer(provider.issuer()),
          tokens, config.token().hmacSecret(), (user, role, now, until) -> new JsonObject(),
          new LoginThrottle(5, 60_000), rc -> "test");
      String own = provider.login("alice", null, "n-1").getString("id_token");
      OpsToken ok = TestRelay.await(sso.verifyIdToken(own, "n-1"));
      assertThat(ok.role()).isEqualTo(Role.ADMIN);

      String foreign = other.login("alice", null, "n-2").getString("id_token");
      assertThat(TestRelay.await(tokens.idToken(foreign, other.issuer(), CLIENT_ID, "n-2")).role())
          .as("valid for its own, trusted, issuer").isEqualTo(Role.ADMIN);
      assertThatThrownBy(() -> TestRelay.await(sso.verifyIdToken(foreign, "n-2")))
          .hasRootCauseInstanceOf(DashboardSso.Refused.class)
          .rootCause().hasMessageContaining("another identity provider");
    } finally {
      tokens.close();
    }
  }

  @Test
  @DisplayName("A provider's error= answer ends on an error page naming only known error codes")
  void providerError() throws Exception {
    startSsoRelay();
    Started started = startLogin();
    String state = query(started.authorizationUrl()).get("state");
    URI denied = URI.create(redirectUri() + "?error=access_denied&error_description=Call+555-0100&state=" + state);
    HttpResponse<String> r = callback(denied, started.cookie());
    assertRefused(r, 400, "cancelled or refused at the provider");
    assertThat(r.body()).doesNotContain("555-0100");
    URI odd = URI.create(redirectUri() + "?error=%3Cscript%3E&state=" + state);
    HttpResponse<String> r2 = callback(odd, started.cookie());
    assertRefused(r2, 400, "did not sign you in");
    assertThat(r2.body()).doesNotContain("<script>");
  }

  @Test
  @DisplayName("Failed callbacks count as failed logins: past max_failed_logins the address gets 429")
  void failedCallbacksAreThrottled() throws Exception {
    startSsoRelay(config -> config.getJsonObject("dashboard").put("max_failed_logins", 2));
    URI bogus = URI.create(redirectUri() + "?code=x&state=y");
    assertRefused(get(bogus, null), 400, "expired");
    assertRefused(get(bogus, null), 400, "expired");
    HttpResponse<String> blocked = get(bogus, null);
    assertThat(blocked.statusCode()).isEqualTo(429);
    assertThat(blocked.headers().firstValue("Retry-After")).isPresent();
  }

  @Test
  @DisplayName("builtin_admin: false refuses the password login with a clear message; the login page hides it")
  void builtinAdminOff() {
    startSsoRelay(config -> config.getJsonObject("dashboard").put("builtin_admin", false));
    HttpTestClient.Response r = http().send(HttpMethod.POST, "/dashboard/api/login",
        Map.of("Content-Type", "application/json"),
        new JsonObject().put("user", "admin").put("password", ADMIN_PASSWORD).encode());
    assertThat(r.status()).as(r.toString()).isEqualTo(404);
    assertThat(r.errorMessage()).contains("dashboard.builtin_admin");
    assertThat(http().get("/dashboard/api/login-options", HttpTestClient.NONE).json().getBoolean("password")).isFalse();
    HttpTestClient.Response withToken = http().send(HttpMethod.POST, "/dashboard/api/login",
        Map.of("Content-Type", "application/json"),
        new JsonObject().put("token", relay().opsToken("ops-person", "ops")).encode());
    assertThat(withToken.status()).as("token logins stay").isEqualTo(200);
  }

  @Test
  @DisplayName("Sign-out at the provider: /dashboard/sso/logout goes to its end_session_endpoint")
  void logoutGoesToTheProvider() throws Exception {
    startSsoRelay();
    HttpResponse<String> r = get(URI.create(relay().httpUrl() + "/dashboard/sso/logout"), null);
    assertThat(r.statusCode()).isEqualTo(302);
    URI location = URI.create(r.headers().firstValue("Location").orElseThrow());
    assertThat(location.toString()).startsWith(provider.issuer() + "/");
    assertThat(query(location)).containsEntry("client_id", CLIENT_ID);
  }

  @Test
  @DisplayName("Config: sso.issuer must be a trusted issuer, public_url an http(s) URL, and SSO needs the HMAC key")
  void configChecks() {
    JsonObject json = TestRelay.defaultConfig();
    ssoConfig(json, relayPort, provider);
    json.getJsonObject("dashboard").getJsonObject("sso").put("issuer", "https://not-trusted.example");
    assertThatThrownBy(() -> RelayConfig.fromJson(json))
        .isInstanceOf(ConfigException.class).hasMessageContaining("dashboard.sso.issuer")
        .hasMessageContaining("token.issuers");

    JsonObject badUrl = TestRelay.defaultConfig();
    ssoConfig(badUrl, relayPort, provider);
    badUrl.getJsonObject("dashboard").getJsonObject("sso").put("public_url", "ftp://relay.example");
    assertThatThrownBy(() -> RelayConfig.fromJson(badUrl))
        .isInstanceOf(ConfigException.class).hasMessageContaining("dashboard.sso.public_url");

    JsonObject noHmac = TestRelay.defaultConfig();
    ssoConfig(noHmac, relayPort, provider);
    noHmac.getJsonObject("token").remove("hmac_secret_key");
    noHmac.getJsonObject("dashboard").remove("admin_password_hash");
    assertThatThrownBy(() -> RelayConfig.fromJson(noHmac))
        .isInstanceOf(ConfigException.class).hasMessageContaining("token.hmac_secret_key");

    JsonObject unknownKey = TestRelay.defaultConfig();
    ssoConfig(unknownKey, relayPort, provider);
    unknownKey.getJsonObject("dashboard").getJsonObject("sso").put("client_secret_flie", "/x");
    assertThatThrownBy(() -> RelayConfig.fromJson(unknownKey)).isInstanceOf(ConfigException.class);
  }

  @Test
  @DisplayName("A relay whose sso.issuer is not trusted does not start")
  void relayRefusesUntrustedSsoIssuer() {
    JsonObject json = TestRelay.defaultConfig();
    ssoConfig(json, 0, provider);
    json.getJsonObject("dashboard").getJsonObject("sso").put("issuer", "https://not-trusted.example");
    assertThatThrownBy(() -> TestRelay.start(vertx, RelayConfig.fromJson(json)))
        .hasStackTraceContaining("dashboard.sso.issuer");
  }

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** The dashboard's defaults the assertions rely on. */
  private static final class DashboardOptionsDefaults {
    static final long SESSION_TTL_SECONDS =
        io.fluxer.relay.config.DashboardOptions.DEFAULT_SESSION_TTL.toSeconds();
  }
}
