package io.fluxer.relay.http;

import io.fluxer.relay.auth.OpsToken;
import io.fluxer.relay.auth.TokenException;
import io.fluxer.relay.auth.TokenVerifier;
import io.fluxer.relay.config.DashboardOptions;
import io.fluxer.relay.config.IssuerOptions;
import io.fluxer.relay.config.Role;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.oauth2.OAuth2Auth;
import io.vertx.ext.auth.oauth2.OAuth2AuthorizationURL;
import io.vertx.ext.auth.oauth2.OAuth2FlowType;
import io.vertx.ext.auth.oauth2.OAuth2Options;
import io.vertx.ext.auth.oauth2.Oauth2Credentials;
import io.vertx.ext.auth.oauth2.providers.OpenIDConnectAuth;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The dashboard's single sign-on ({@code dashboard.sso}): the OAuth2 authorization code flow with
 * PKCE (S256), {@code state} and {@code nonce}, against one trusted issuer.
 *
 * <ul>
 *   <li>{@code GET /dashboard/sso/login} answers 302 to the provider's authorization endpoint and sets
 *   the login cookie: {@code state}, {@code nonce}, the PKCE verifier and an expiry, encrypted and
 *   authenticated with AES-256-GCM under a key derived (HKDF-SHA256) from {@code token.hmac_secret_key}.
 *   No server memory holds the login, so the callback may reach any replica.</li>
 *   <li>{@code GET /dashboard/sso/callback} checks the cookie, {@code state} and the {@code iss}
 *   parameter (RFC 9207) when present, exchanges the code (with the verifier) at the token endpoint,
 *   verifies the ID token with the relay's own JWKS cache ({@link TokenVerifier#idToken}: signature,
 *   client audience, nonce, expiry) and that its {@code iss} is this issuer, and maps the role through
 *   the issuer's {@code role_map}. It answers a small page that hands the session token (minted as
 *   the password login's) to the dashboard in sessionStorage, never in a URL; a user without a role
 *   gets a "no access" page, any failure an error page, and neither a session.</li>
 *   <li>{@code GET /dashboard/sso/logout} sends the browser to the provider's
 *   {@code end_session_endpoint} (RP-initiated logout), or back to the dashboard without one.</li>
 * </ul>
 *
 * <p>vertx-auth-oauth2 is used for discovery, the authorization URL and the code exchange only; its
 * own token validation (its JWKS copy never refreshes, and a failure may fall back to the provider's
 * introspection or userinfo endpoints) is not relied on. Failed callbacks count as failed logins of
 * the client address ({@link LoginThrottle}), so they cannot make the relay call the provider without
 * bound.
 */
final class DashboardSso {
  static final String PATH = DashboardHandler.BASE + "/sso";
  static final String COOKIE = "fluxer_sso";
  /** How long a sign-in may take at the provider. */
  static final Duration LOGIN_TTL = Duration.ofMinutes(10);
  private static final System.Logger LOG = System.getLogger(DashboardSso.class.getName());
  private static final long LOG_INTERVAL_NANOS = Duration.ofSeconds(10).toNanos();
  /** A failed discovery is tried again at most this often. */
  private static final long REDISCOVER_NANOS = Duration.ofSeconds(5).toNanos();
  private static final int MAX_PARAM = 4096;
  private static final int MAX_COOKIE = 1024;
  private static final int GCM_IV = 12;
  private static final int GCM_TAG_BITS = 128;
  /** The error codes of RFC 6749 4.1.2.1 and OpenID Connect 3.1.2.6 that the page may name. */
  private static final Map<String, String> PROVIDER_ERRORS = Map.ofEntries(
      Map.entry("access_denied", "The sign-in was cancelled or refused at the provider."),
      Map.entry("login_required", "The provider needs you to sign in."),
      Map.entry("consent_required", "The provider needs your consent for the dashboard."),
      Map.entry("interaction_required", "The provider needs you to complete the sign-in there."),
      Map.entry("account_selection_required", "The provider needs you to choose an account."),
      Map.entry("invalid_request", "The provider refused the sign-in request."),
      Map.entry("unauthorized_client", "The provider does not let the dashboard's client sign in this way."),
      Map.entry("unsupported_response_type", "The provider does not support the sign-in flow."),
      Map.entry("invalid_scope", "The provider refused the requested scopes."),
      Map.entry("server_error", "The provider failed to sign you in."),
      Map.entry("temporarily_unavailable", "The provider is temporarily unavailable."));

  /** Mints a dashboard session token (the password login's): {@code {"token","user","role","expires_in"}}. */
  @FunctionalInterface
  interface Sessions {
    JsonObject mint(String user, Role role, long now, long until);
  }

  /** What the login cookie holds. */
  record Login(String state, String nonce, String verifier, long expiresAt) {}

  /** A failed sign-in: what the page says, its status, and whether it counts as a failed login. */
  static final class Refused extends Exception {
    final int status;
    final boolean counts;

    Refused(int status, String message, boolean counts) {
      super(message, null, false, false);
      this.status = status;
      this.counts = counts;
    }
  }

  private record Discovery(Future<OAuth2Auth> provider, long startedAt) {}

  private final Vertx vertx;
  private final DashboardOptions.Sso options;
  private final IssuerOptions issuer;
  private final TokenVerifier tokens;
  private final Sessions sessions;
  private final LoginThrottle throttle;
  private final Function<RoutingContext, String> address;
  private final SecretKeySpec cookieKey;
  private final SecureRandom random = new SecureRandom();
  private final AtomicReference<Discovery> discovery = new AtomicReference<>();
  private final AtomicLong nextLogAt = new AtomicLong(System.nanoTime());
  private final AtomicLong unlogged = new AtomicLong();

  DashboardSso(Vertx vertx, DashboardOptions.Sso options, IssuerOptions issuer, TokenVerifier tokens,
               String hmacSecret, Sessions sessions, LoginThrottle throttle, Function<RoutingContext, String> address) {
    this.vertx = vertx;
    this.options = options;
    this.issuer = issuer;
    this.tokens = tokens;
    this.sessions = sessions;
    this.throttle = throttle;
    this.address = address;
    this.cookieKey = new SecretKeySpec(hkdf(hmacSecret.getBytes(StandardCharsets.UTF_8),
        "fluxer dashboard sso login cookie v1"), "AES");
  }

  void mount(Router router) {
    router.get(PATH + "/login").handler(this::login);
    router.get(PATH + "/callback").handler(this::callback);
    router.get(PATH + "/logout").handler(this::logout);
    router.route(PATH + "/*").handler(rc -> page(rc, 404, "Not found", "No such sign-in page.", "sso-error"));
  }

  /** What the login page shows: {@code {"label","login","logout"}}; starts discovery if not yet done. */
  JsonObject loginOptions() {
    Future<OAuth2Auth> provider = provider();
    boolean logout = provider.succeeded() && endSessionUrl(provider.result()) != null;
    return new JsonObject().put("label", options.label()).put("login", "./sso/login").put("logout", logout);
  }

  // ---- routes

  private void login(RoutingContext rc) {
    provider().onComplete(ar -> {
      if (ar.failed()) {
        warn("cannot discover the provider " + options.issuer() + ": " + brief(ar.cause()));
        page(rc, 502, "Sign-in unavailable", "The identity provider cannot be reached. Try again in a moment.",
            "sso-error");
        return;
      }
      Login login = new Login(randomToken(), randomToken(), randomToken(),
          tokens.now() + LOGIN_TTL.toSeconds());
      String url = ar.result().authorizeURL(new OAuth2AuthorizationURL()
          .setRedirectUri(options.redirectUri())
          .setScopes(options.scopes())
          .setState(login.state())
          .setCodeChallenge(challenge(login.verifier()))
          .setCodeChallengeMethod("S256")
          .putAdditionalParameter("nonce", login.nonce()));
      rc.response().addCookie(loginCookie(seal(login), LOGIN_TTL.toSeconds()));
      noStore(rc).putHeader(HttpHeaders.LOCATION, url).setStatusCode(302).end();
    });
  }

  private void callback(RoutingContext rc) {
    String from = address.apply(rc);
    long wait = throttle.retryAfterMillis(from, System.currentTimeMillis());
    // read before the response clears it: Vert.x keeps request and response cookies in one jar
    Cookie cookie = rc.request().getCookie(COOKIE);
    String sealed = cookie == null ? null : cookie.getValue();
    rc.response().addCookie(loginCookie("", 0)); // one use, whatever happens
    if (wait > 0) {
      rc.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString((wait + 999) / 1000));
      page(rc, 429, "Too many attempts", "Too many failed sign-ins from this address. Try again later.", "sso-error");
      return;
    }
    signIn(rc, sealed).onComplete(ar -> {
      if (ar.succeeded()) {
        throttle.succeeded(from);
        landing(rc, ar.result());
        return;
      }
      if (ar.cause() instanceof Refused r) {
        if (r.counts) {
          throttle.failed(from, System.currentTimeMillis());
        }
        page(rc, r.status, r.status == 403 ? "No access" : "Sign-in failed", r.getMessage(),
            r.status == 403 ? "sso-no-access" : "sso-error");
      } else {
        throttle.failed(from, System.currentTimeMillis());
        warn("sign-in failed: " + brief(ar.cause()));
        page(rc, 500, "Sign-in failed", "The sign-in failed. Start again from the dashboard.", "sso-error");
      }
    });
  }

  private void logout(RoutingContext rc) {
    provider().onComplete(ar -> {
      String url = ar.succeeded() ? endSessionUrl(ar.result()) : null;
      noStore(rc).putHeader(HttpHeaders.LOCATION, url != null ? url : "../").setStatusCode(302).end();
    });
  }

  /** The checks of a callback, in order; the session token's reply, or a {@link Refused}. */
  private Future<JsonObject> signIn(RoutingContext rc, String cookie) {
    String error = param(rc, "error");
    if (error != null) {
      String known = PROVIDER_ERRORS.get(error);
      return refused(400, known != null ? known + " (" + error + ")"
          : "The identity provider did not sign you in.", false);
    }
    Login login = open(cookie);
    if (login == null) {
      return refused(400, "This sign-in has expired or was started in another browser. Start again from the dashboard.",
          true);
    }
    String state = param(rc, "state");
    if (state == null || !MessageDigest.isEqual(state.getBytes(StandardCharsets.UTF_8),
        login.state().getBytes(StandardCharsets.UTF_8))) {
      return refused(400, "The sign-in's state does not match. Start again from the dashboard.", true);
    }
    String iss = param(rc, "iss");
    if (iss != null && !iss.equals(options.issuer())) {
      return refused(400, "The sign-in came back from another identity provider than the configured one.", true);
    }
    String code = param(rc, "code");
    if (code == null || code.isEmpty()) {
      return refused(400, "The identity provider sent no sign-in code. Start again from the dashboard.", true);
    }
    return provider()
        .recover(e -> {
          warn("cannot discover the provider " + options.issuer() + ": " + brief(e));
          return refused(502, "The identity provider cannot be reached. Try again in a moment.", false);
        })
        .compose(provider -> provider.authenticate(new Oauth2Credentials()
                .setFlow(OAuth2FlowType.AUTH_CODE)
                .setCode(code)
                .setRedirectUri(options.redirectUri())
                .setCodeVerifier(login.verifier()))
            .recover(e -> {
              warn("the provider refused the code exchange: " + brief(e));
              return refused(400, "The identity provider refused the sign-in code (it may have been used already "
                  + "or expired). Start again from the dashboard.", true);
            }))
        .compose(user -> verifyIdToken(idTokenOf(user), login.nonce()).compose(id -> withAccessTokenRole(id, user)))
        .compose(this::session);
  }

  /**
   * The ID token's identity with, when the ID token maps to no role, the role of the access token the
   * same exchange returned, if that is an ops token of the same user (Keycloak, for one, puts realm
   * roles in access tokens only unless told otherwise). The relay fetched it itself from the token
   * endpoint, so it is as trusted as the ID token; it must still pass every ops check.
   */
  private Future<OpsToken> withAccessTokenRole(OpsToken id, User user) {
    Object access = user.principal().getValue("access_token");
    if (id.role() != null || !(access instanceof String token) || token.isEmpty()) {
      return Future.succeededFuture(id);
    }
    return tokens.opsToken(token).transform(ar -> Future.succeededFuture(
        ar.succeeded() && ar.result().user().equals(id.user()) && ar.result().role() != null
            ? new OpsToken(id.user(), ar.result().role(), id.expiresAt()) : id));
  }

  /**
   * Verifies an ID token of this sign-in: {@link TokenVerifier#idToken} (the configured issuer's key,
   * the client audience, the nonce, the expiry).
   */
  Future<OpsToken> verifyIdToken(String idToken, String nonce) {
    if (idToken == null) {
      return refused(502, "The identity provider sent no ID token (is the openid scope allowed for the client?).", true);
    }
    return tokens.idToken(idToken, options.issuer(), options.clientId(), nonce)
        .recover(e -> {
          String why = e instanceof TokenException t ? t.getMessage() : "invalid";
          warn("ID token refused: " + why);
          return refused(400, "The identity provider's ID token was refused (" + why + ").", true);
        });
  }

  private Future<JsonObject> session(OpsToken token) {
    if (token.role() == null) {
      return refused(403, "You signed in at " + options.label() + " as " + token.user()
          + ", but that account has no role for the Fluxer dashboard. Ask an administrator for access.", false);
    }
    long now = tokens.now();
    return Future.succeededFuture(sessions.mint(token.user(), token.role(), now,
        now + DashboardHandler.MAX_SESSION.toSeconds()));
  }

  private static String idTokenOf(User user) {
    Object idToken = user.principal().getValue("id_token");
    return idToken instanceof String s && !s.isEmpty() ? s : null;
  }

  private static <T> Future<T> refused(int status, String message, boolean counts) {
    return Future.failedFuture(new Refused(status, message, counts));
  }

  // ---- the provider

  /** The discovered provider; discovery runs once, and again after a failure at most every 5 s. */
  private Future<OAuth2Auth> provider() {
    while (true) {
      Discovery current = discovery.get();
      long now = System.nanoTime();
      if (current != null && (!current.provider().failed() || now - current.startedAt() < REDISCOVER_NANOS)) {
        return current.provider();
      }
      Promise<OAuth2Auth> promise = Promise.promise();
      if (discovery.compareAndSet(current, new Discovery(promise.future(), now))) {
        int timeoutMs = (int) Math.max(1000, issuer.fetchTimeout().toMillis());
        OAuth2Options o = new OAuth2Options()
            .setSite(options.issuer())
            .setClientId(options.clientId())
            .setHttpClientOptions(new HttpClientOptions()
                .setConnectTimeout(timeoutMs)
                .setIdleTimeout(Math.max(10, timeoutMs / 1000 * 2)));
        if (options.clientSecret() != null) {
          o.setClientSecret(options.clientSecret());
        }
        OpenIDConnectAuth.discover(vertx, o).onComplete(promise);
        return promise.future();
      }
    }
  }

  private String endSessionUrl(OAuth2Auth provider) {
    return provider.endSessionURL(User.create(new JsonObject()), new JsonObject().put("client_id", options.clientId()));
  }

  // ---- the login cookie

  private Cookie loginCookie(String value, long maxAgeSeconds) {
    return Cookie.cookie(COOKIE, value)
        .setPath(PATH)
        .setHttpOnly(true)
        .setSecure(options.secure())
        .setSameSite(CookieSameSite.LAX)
        .setMaxAge(maxAgeSeconds);
  }

  /** The login, encrypted and authenticated: base64url(iv || AES-GCM(json), with the cookie's name as AAD). */
  String seal(Login login) {
    byte[] plain = new JsonObject().put("s", login.state()).put("n", login.nonce()).put("v", login.verifier())
        .put("e", login.expiresAt()).encode().getBytes(StandardCharsets.UTF_8);
    try {
      byte[] iv = new byte[GCM_IV];
      random.nextBytes(iv);
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.ENCRYPT_MODE, cookieKey, new GCMParameterSpec(GCM_TAG_BITS, iv));
      cipher.updateAAD(COOKIE.getBytes(StandardCharsets.US_ASCII));
      byte[] sealed = cipher.doFinal(plain);
      return Base64.getUrlEncoder().withoutPadding().encodeToString(
          ByteBuffer.allocate(iv.length + sealed.length).put(iv).put(sealed).array());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM is not available", e);
    }
  }

  /** The login in a cookie this relay (or a replica with the same secret) sealed and not yet expired, or {@code null}. */
  Login open(String value) {
    if (value == null || value.isEmpty() || value.length() > MAX_COOKIE) {
      return null;
    }
    try {
      byte[] raw = Base64.getUrlDecoder().decode(value);
      if (raw.length <= GCM_IV + GCM_TAG_BITS / 8) {
        return null;
      }
      Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
      cipher.init(Cipher.DECRYPT_MODE, cookieKey, new GCMParameterSpec(GCM_TAG_BITS, raw, 0, GCM_IV));
      cipher.updateAAD(COOKIE.getBytes(StandardCharsets.US_ASCII));
      JsonObject json = new JsonObject(new String(cipher.doFinal(raw, GCM_IV, raw.length - GCM_IV),
          StandardCharsets.UTF_8));
      Login login = new Login(json.getString("s"), json.getString("n"), json.getString("v"), json.getLong("e", 0L));
      if (login.state() == null || login.nonce() == null || login.verifier() == null
          || login.expiresAt() <= tokens.now()) {
        return null;
      }
      return login;
    } catch (IllegalArgumentException | ClassCastException | DecodeException | GeneralSecurityException e) {
      return null; // not base64, tampered with, another key, not our JSON
    }
  }

  /** HKDF-SHA256 (RFC 5869) of the HMAC secret: 32 bytes for AES-256. */
  private static byte[] hkdf(byte[] secret, String info) {
    try {
      Mac extract = Mac.getInstance("HmacSHA256");
      extract.init(new SecretKeySpec("fluxer-dashboard-sso".getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));
      byte[] prk = extract.doFinal(secret);
      Mac expand = Mac.getInstance("HmacSHA256");
      expand.init(new SecretKeySpec(prk, "HmacSHA256"));
      expand.update(info.getBytes(StandardCharsets.US_ASCII));
      expand.update((byte) 1);
      return expand.doFinal(); // 32 bytes: one block
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private String randomToken() {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static String challenge(String verifier) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  // ---- pages

  /**
   * The page that hands the session to the dashboard: the reply in a data attribute, read by
   * {@code js/sso-landing.js} (a script of the relay, as the CSP wants), which stores it where the
   * dashboard keeps its session and opens the dashboard. The token never travels in a URL.
   */
  private static void landing(RoutingContext rc, JsonObject reply) {
    String body = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        + "<title>Signing in… · Fluxer</title>\n<link rel=\"icon\" href=\"data:,\">\n"
        + "<link rel=\"stylesheet\" href=\"../css/app.css\">\n"
        + "<script type=\"module\" src=\"../js/sso-landing.js\"></script>\n</head>\n<body>\n"
        + "<div class=\"login\"><div class=\"login-card\">\n<h1 class=\"brand\">Fluxer</h1>\n"
        + "<p id=\"sso-landing\" class=\"muted\" data-session=\""
        + escape(reply.encode()) + "\">Signing in…</p>\n"
        + "<noscript><p>The dashboard needs JavaScript.</p></noscript>\n</div></div>\n</body>\n</html>\n";
    html(rc, 200, body);
  }

  /** An error or "no access" page; the message is the relay's own text (escaped all the same). */
  private static void page(RoutingContext rc, int status, String title, String message, String id) {
    String body = "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        + "<title>" + escape(title) + " · Fluxer</title>\n<link rel=\"icon\" href=\"data:,\">\n"
        + "<link rel=\"stylesheet\" href=\"../css/app.css\">\n</head>\n<body>\n"
        + "<main class=\"login\"><div class=\"login-card\" id=\"" + id + "\">\n<h1 class=\"brand\">Fluxer</h1>\n"
        + "<h2>" + escape(title) + "</h2>\n<p class=\"sso-message\" role=\"alert\">" + escape(message) + "</p>\n"
        + "<p><a class=\"btn\" href=\"../\">Back to the dashboard's sign-in</a></p>\n</div></main>\n</body>\n</html>\n";
    html(rc, status, body);
  }

  private static void html(RoutingContext rc, int status, String body) {
    if (rc.response().ended()) {
      return;
    }
    noStore(rc).setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8").end(body);
  }

  private static io.vertx.core.http.HttpServerResponse noStore(RoutingContext rc) {
    return rc.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store").putHeader("Pragma", "no-cache");
  }

  static String escape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }

  // ---- helpers

  /** A query parameter, {@code null} when absent or longer than any real one. */
  private static String param(RoutingContext rc, String name) {
    String value = rc.request().getParam(name);
    return value == null || value.length() > MAX_PARAM ? null : value;
  }

  /** A failure's class and first line, short: never a stack trace, never a request's secrets. */
  private static String brief(Throwable e) {
    String message = String.valueOf(e.getMessage());
    int newline = message.indexOf('\n');
    if (newline >= 0) {
      message = message.substring(0, newline);
    }
    if (message.length() > 200) {
      message = message.substring(0, 200) + "…";
    }
    return e.getClass().getSimpleName() + ": " + message;
  }

  /** A warning at most every 10 s, with how many were left out since. */
  private void warn(String message) {
    long now = System.nanoTime();
    long due = nextLogAt.get();
    if (now - due < 0 || !nextLogAt.compareAndSet(due, now + LOG_INTERVAL_NANOS)) {
      unlogged.incrementAndGet();
      return;
    }
    long left = unlogged.getAndSet(0);
    LOG.log(System.Logger.Level.WARNING, "dashboard sso: " + message
        + (left > 0 ? " (" + left + " more sign-in failures not logged)" : ""));
  }
}
