package io.fluxer.relay.http;

import at.favre.lib.crypto.bcrypt.BCrypt;
import io.fluxer.common.config.Subnet;
import io.fluxer.relay.auth.JwtSigner;
import io.fluxer.relay.auth.OpsToken;
import io.fluxer.relay.auth.TokenException;
import io.fluxer.relay.auth.TokenVerifier;
import io.fluxer.relay.client.ClientAddress;
import io.fluxer.relay.config.DashboardOptions;
import io.fluxer.relay.config.Role;
import io.fluxer.relay.config.TokenOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The web dashboard: its static assets (the {@code fluxer-dashboard} jar) and the browser libraries
 * it uses (WebJars) under {@code /dashboard/}, and its login.
 *
 * <p>{@code POST /dashboard/api/login} takes {@code {"user","password"}} for the built-in admin
 * account (bcrypt, checked on a worker thread) or {@code {"token"}}, an ops token holding a role
 * ({@link TokenVerifier#opsToken}), and answers {@code {"token","user","role","expires_in"}}: a short-lived JWT signed with the
 * relay's HMAC key, both an ops token (for the HTTP APIs) and a connection token (for the WebSocket
 * protocol). {@code POST /dashboard/api/refresh} with that token as Bearer answers a new one, until
 * the session reaches {@link #MAX_SESSION} (or, for a JWT login, the presented token's expiry).
 * Failed logins are throttled per client address and, for passwords, per user name
 * ({@link LoginThrottle}); the client address is the peer's, or from {@code X-Forwarded-For} behind
 * {@code server.trusted_proxies} ({@link ClientAddress}). The login takes only
 * {@code Content-Type: application/json}, which a page of another site cannot send without a CORS
 * preflight (a cross-site form or {@code text/plain} post answers 415); its throttle and content type
 * are checked before the body is read.
 *
 * <p>With {@code dashboard.builtin_admin: false} the password login answers 404. With
 * {@code dashboard.sso}, {@link DashboardSso} adds "Sign in with ..." under {@code /dashboard/sso/}
 * and mints its sessions through {@link #sessionReply}. {@code GET /dashboard/api/login-options}
 * tells the login page which logins there are.
 */
final class DashboardHandler {
  static final String BASE = "/dashboard";
  /** Longest a built-in account's session is refreshed before the password is asked again. */
  static final Duration MAX_SESSION = Duration.ofHours(12);
  private static final String ASSETS = "META-INF/fluxer-dashboard";
  private static final String WEBJARS = "META-INF/resources/webjars";
  private static final int MAX_BODY = 4096;
  /** Longest prefix of a user name the per-account throttle keeps. */
  private static final int MAX_ACCOUNT_KEY = 128;
  /** The routing context key of the client's address, found before the body is read. */
  private static final String ADDRESS = "fluxer.login.address";
  private static final Pattern IMPORT_MAP =
      Pattern.compile("<script type=\"importmap\">(.*?)</script>", Pattern.DOTALL);

  private final Vertx vertx;
  private final DashboardOptions options;
  private final TokenOptions tokenOptions;
  private final TokenVerifier tokens;
  private final JwtSigner signer;
  private final LoginThrottle throttle;
  private final LoginThrottle accountThrottle;
  private final List<Subnet> trustedProxies;
  private final String contentSecurityPolicy;
  /** Single sign-on, or {@code null} when {@code dashboard.sso} is not set. */
  private final DashboardSso sso;
  /** Checked against when the user name is wrong, so both failures take as long; made on first use. */
  private volatile byte[] decoyHash;

  DashboardHandler(Vertx vertx, DashboardOptions options, TokenOptions tokenOptions, TokenVerifier tokens,
                   List<Subnet> trustedProxies) {
    this.vertx = vertx;
    this.options = options;
    this.tokenOptions = tokenOptions;
    this.tokens = tokens;
    this.signer = tokenOptions.hmacSecret() == null ? null
        : JwtSigner.hmac("HS256", tokenOptions.hmacSecret().getBytes(StandardCharsets.UTF_8));
    this.throttle = new LoginThrottle(options.maxFailedLogins(), options.failedLoginWindow().toMillis());
    this.accountThrottle = new LoginThrottle(options.maxFailedLoginsPerAccount(), options.failedLoginWindow().toMillis());
    this.trustedProxies = trustedProxies;
    this.contentSecurityPolicy = contentSecurityPolicy();
    options.checkAgainst(tokenOptions);
    this.sso = options.enabled() && options.sso() != null
        ? new DashboardSso(vertx, options.sso(), tokenOptions.issuer(options.sso().issuer()), tokens,
            tokenOptions.hmacSecret(), this::sessionReply, throttle,
            rc -> ClientAddress.of(rc.request().remoteAddress(), rc.request().headers(), trustedProxies))
        : null;
  }

  void mount(Router router) {
    if (!options.enabled()) {
      return;
    }
    router.get(BASE).handler(rc -> { // the route matches /dashboard/ as well: only the bare path moves
      if (rc.request().path().equals(BASE)) {
        rc.redirect(BASE + "/");
      } else {
        rc.next();
      }
    });
    router.post(BASE + "/api/login").handler(this::admit); // before the body is read
    router.post(BASE + "/api/login").handler(HttpApi.body(MAX_BODY)).handler(this::login)
        .failureHandler(HttpApi.failure(MAX_BODY));
    router.post(BASE + "/api/refresh").handler(this::refresh);
    router.get(BASE + "/api/login-options").handler(this::loginOptions);
    router.route(BASE + "/api/*").handler(rc -> HttpApi.error(rc, 404, "no such dashboard endpoint"));
    router.get(BASE + "/*").handler(this::securityHeaders);
    if (sso != null) {
      sso.mount(router);
    }
    router.get(BASE + "/webjars/*").handler(StaticHandler.create(WEBJARS).setMaxAgeSeconds(86_400));
    router.get(BASE + "/*").handler(StaticHandler.create(ASSETS).setIndexPage("index.html")
        .setCachingEnabled(false));
  }

  private void securityHeaders(RoutingContext rc) {
    rc.response()
        .putHeader("Content-Security-Policy", contentSecurityPolicy)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY")
        .putHeader("Referrer-Policy", "no-referrer");
    rc.next();
  }

  /** What the login page offers: {@code {"password": bool, "sso": {"label","login","logout"} | null}}. */
  private void loginOptions(RoutingContext rc) {
    rc.response().setStatusCode(200)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(new JsonObject()
            .put("password", options.builtinAdmin() && options.adminPasswordHash() != null)
            .put("sso", sso == null ? null : sso.loginOptions())
            .encode());
  }

  /** Lets a login through to its body only as JSON and from an address not throttled. */
  private void admit(RoutingContext rc) {
    if (!isJson(rc.request().getHeader(HttpHeaders.CONTENT_TYPE))) {
      HttpApi.error(rc, 415, "Content-Type must be application/json");
      return;
    }
    String address = ClientAddress.of(rc.request().remoteAddress(), rc.request().headers(), trustedProxies);
    long wait = throttle.retryAfterMillis(address, System.currentTimeMillis());
    if (wait > 0) {
      tooMany(rc, wait, "too many failed logins from this address; try again later");
      return;
    }
    rc.put(ADDRESS, address);
    rc.next();
  }

  /** {@code application/json}, with parameters ({@code ; charset=utf-8}) or not, in any case. */
  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
    return type.equalsIgnoreCase("application/json");
  }

  private static void tooMany(RoutingContext rc, long waitMillis, String message) {
    rc.response().putHeader(HttpHeaders.RETRY_AFTER, Long.toString((waitMillis + 999) / 1000));
    HttpApi.error(rc, 429, message);
  }

  private void login(RoutingContext rc) {
    String address = rc.get(ADDRESS);
    JsonObject body = HttpApi.jsonObjectBody(rc);
    if (body == null) {
      HttpApi.error(rc, 400, "body must be a JSON object: {\"user\", \"password\"} or {\"token\"}");
      return;
    }
    if (signer == null) {
      HttpApi.error(rc, 503, "dashboard login is off: it needs token.hmac_secret_key to sign its session tokens");
      return;
    }
    Object user = body.getValue("user");
    Object password = body.getValue("password");
    Object token = body.getValue("token");
    if (token instanceof String t && user == null && password == null) {
      loginWithToken(rc, address, t);
    } else if (user instanceof String u && password instanceof String p && token == null) {
      loginWithPassword(rc, address, u, p);
    } else {
      HttpApi.error(rc, 400, "body must be {\"user\": string, \"password\": string} or {\"token\": string}");
    }
  }

  private void loginWithPassword(RoutingContext rc, String address, String user, String password) {
    if (!options.builtinAdmin()) {
      HttpApi.error(rc, 404, "password login is off (dashboard.builtin_admin: false): sign in with single sign-on "
          + "or a token");
      return;
    }
    long now = System.currentTimeMillis();
    // any name, known or not, so the answer does not tell which exist; a refused attempt is not
    // counted, so the lock ends at most one window after the failure that set it
    String account = user.length() > MAX_ACCOUNT_KEY ? user.substring(0, MAX_ACCOUNT_KEY) : user; // bounded memory
    // counted as failures before the check (which takes a while on a worker), each in one step with
    // its throttle's test, so parallel guesses are throttled too; a success forgets them
    long wait = throttle.acquire(address, now);
    if (wait > 0) {
      tooMany(rc, wait, "too many failed logins from this address; try again later");
      return;
    }
    wait = accountThrottle.acquire(account, now);
    if (wait > 0) {
      throttle.release(address, now);
      tooMany(rc, wait, "too many failed logins for this account; try again later");
      return;
    }
    boolean known = options.adminPasswordHash() != null && options.adminUser().equals(user);
    Future<Boolean> check = vertx.executeBlocking(() -> {
      byte[] hash = known ? options.adminPasswordHash().getBytes(StandardCharsets.UTF_8) : decoyHash();
      return BCrypt.verifyer().verify(password.getBytes(StandardCharsets.UTF_8), hash).verified;
    }, false);
    check.onComplete(ar -> {
      if (ar.succeeded() && ar.result() && known) {
        throttle.succeeded(address);
        accountThrottle.succeeded(account);
        long issued = nowSeconds();
        session(rc, user, Role.ADMIN, issued, issued + MAX_SESSION.toSeconds());
      } else {
        HttpApi.error(rc, 401, "invalid user or password");
      }
    });
  }

  private void loginWithToken(RoutingContext rc, String address, String jwt) {
    long now = System.currentTimeMillis();
    long wait = throttle.acquire(address, now); // counted before the (asynchronous) check, as passwords are
    if (wait > 0) {
      tooMany(rc, wait, "too many failed logins from this address; try again later");
      return;
    }
    tokens.opsToken(jwt).onComplete(ar -> {
      if (ar.failed()) {
        HttpApi.error(rc, 401, expired(ar.cause()) ? "token expired" : "invalid token (the dashboard takes ops tokens)");
        return;
      }
      OpsToken t = ar.result();
      if (t.role() == null || t.user().isEmpty()) {
        throttle.release(address, now); // a valid token: not a guess
        HttpApi.error(rc, 403, "the token names no user or holds no dashboard role (viewer, ops or admin)");
        return;
      }
      throttle.succeeded(address);
      long issued = nowSeconds();
      session(rc, t.user(), t.role(), issued, Math.min(issued + MAX_SESSION.toSeconds(), t.expiresAt()));
    });
  }

  private void refresh(RoutingContext rc) {
    String authorization = rc.request().getHeader(HttpHeaders.AUTHORIZATION);
    if (signer == null || authorization == null || !authorization.regionMatches(true, 0, "bearer ", 0, 7)) {
      HttpApi.error(rc, 401, "Authorization: Bearer <dashboard token> required");
      return;
    }
    String jwt = authorization.substring(7).trim();
    tokens.opsToken(jwt).onComplete(ar -> {
      if (ar.failed()) {
        HttpApi.error(rc, 401, expired(ar.cause()) ? "session expired" : "invalid token");
        return;
      }
      OpsToken t = ar.result();
      Object until = claims(jwt).getValue("session_until");
      if (t.role() == null || !(until instanceof Number u)) {
        HttpApi.error(rc, 401, "not a dashboard session token");
        return;
      }
      if (u.longValue() <= nowSeconds()) {
        HttpApi.error(rc, 401, "session ended; log in again");
        return;
      }
      session(rc, t.user(), t.role(), nowSeconds(), u.longValue());
    });
  }

  private static boolean expired(Throwable failure) {
    return failure instanceof TokenException e && e.reason() == TokenException.Reason.EXPIRED;
  }

  /** Answers a token for {@code user} living {@code sessionTtl}, never past {@code until}. */
  private void session(RoutingContext rc, String user, Role role, long now, long until) {
    rc.response().setStatusCode(200)
        .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(sessionReply(user, role, now, until).encode());
  }

  /**
   * A session token for {@code user} living {@code sessionTtl}, never past {@code until}, as the
   * login answers it: {@code {"token","user","role","expires_in"}} (single sign-on mints the same).
   */
  JsonObject sessionReply(String user, Role role, long now, long until) {
    long expires = Math.min(now + options.sessionTtl().toSeconds(), until);
    // An ops token (HTTP APIs, refresh) that is also a connection token (the dashboard's WebSocket).
    JsonArray audience = new JsonArray().add(tokenOptions.ops().audience());
    if (tokenOptions.audience() != null && !tokenOptions.audience().equals(tokenOptions.ops().audience())) {
      audience.add(tokenOptions.audience());
    }
    JsonObject claims = new JsonObject()
        .put("sub", user)
        .put("aud", audience)
        .put("iat", now)
        .put("exp", expires)
        .put("session_until", until)
        .put(tokenOptions.ops().rolesClaim(), new JsonArray().add(role.id()))
        .put(tokenOptions.rolesClaim(), new JsonArray().add(role.id()));
    String issuer = tokenOptions.ops().issuer() != null ? tokenOptions.ops().issuer() : tokenOptions.issuer();
    if (issuer != null) {
      claims.put("iss", issuer);
    }
    return new JsonObject()
        .put("token", signer.sign(claims))
        .put("user", user)
        .put("role", role.id())
        .put("expires_in", expires - now);
  }

  /** A hash of a random password at the admin hash's cost (10 without one). Worker threads only. */
  private byte[] decoyHash() {
    byte[] decoy = decoyHash;
    if (decoy == null) {
      String admin = options.adminPasswordHash();
      int cost = admin == null ? 10 : Integer.parseInt(admin.substring(4, 6));
      char[] random = UUID.randomUUID().toString().toCharArray();
      decoy = BCrypt.withDefaults().hash(cost, random);
      decoyHash = decoy;
    }
    return decoy;
  }

  /** The claims of a token already verified. */
  private static JsonObject claims(String jwt) {
    String payload = jwt.substring(jwt.indexOf('.') + 1, jwt.lastIndexOf('.'));
    return new JsonObject(new String(Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8));
  }

  private long nowSeconds() {
    return tokens.now();
  }

  /**
   * Scripts only from the relay, plus the dashboard's one inline import map, allowed by its hash
   * (read from the packaged index.html); WebSocket and HTTP only to the relay itself.
   */
  private static String contentSecurityPolicy() {
    String scripts = "'self'";
    try (InputStream in = DashboardHandler.class.getClassLoader().getResourceAsStream(ASSETS + "/index.html")) {
      if (in != null) {
        Matcher m = IMPORT_MAP.matcher(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        if (m.find()) {
          byte[] digest = MessageDigest.getInstance("SHA-256").digest(m.group(1).getBytes(StandardCharsets.UTF_8));
          scripts += " 'sha256-" + Base64.getEncoder().encodeToString(digest) + "'";
        }
      }
    } catch (IOException | NoSuchAlgorithmException e) {
      // no hash: the import map is refused and the dashboard's page says nothing; the log says why
      System.getLogger(DashboardHandler.class.getName()).log(System.Logger.Level.WARNING,
          "cannot read the dashboard's index.html: " + e);
    }
    return "default-src 'self'; script-src " + scripts + "; style-src 'self' 'unsafe-inline'; "
        + "img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
        + "form-action 'self'";
  }
}
