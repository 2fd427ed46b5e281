package io.fluxer.relay.http;

import io.fluxer.relay.auth.JwtSigner;
import io.fluxer.relay.auth.TokenVerifier;
import io.fluxer.relay.config.Role;
import io.fluxer.relay.config.TokenOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@code POST /api/v1/connection-token}: a short-lived connection token for a caller of the HTTP
 * APIs, so a script holding only an API key (the {@code fluxer} command line) can follow channels
 * over the WebSocket protocol.
 *
 * <p>The token reads exactly what the caller's role may read: it carries the caller's role in
 * {@code token.roles_claim} (which only counts for namespaces' {@code allow_subscribe_for_role}, such
 * as the reserved {@code sys}, {@code deploy}, {@code logs} and {@code swarm}), no {@code channels}
 * claim, and a user of its own ({@code apikey:<name>} or {@code ops:<user>}), so it never acts as an
 * application's user or joins that user's personal channels. It is a connection token only: its
 * audience is {@code token.audience} (none when unset), never {@code token.ops.audience}, so it opens
 * no HTTP API. It lives {@link #TTL}, and never past the ops token it was asked with. The request body
 * is not used (read after authentication, at most {@link #MAX_BODY} bytes); the answer carries
 * {@code Cache-Control: no-store}.
 */
final class ConnectionTokenHandler {
  static final String PATH = "/api/v1/connection-token";
  /** How long an issued token lives; the client asks again (and sends {@code refresh}) or reconnects. */
  static final Duration TTL = Duration.ofMinutes(5);
  private static final long MAX_BODY = 1024;

  private final ApiAuth auth;
  private final TokenOptions options;
  private final TokenVerifier tokens;
  private final JwtSigner signer;

  ConnectionTokenHandler(ApiAuth auth, TokenOptions options, TokenVerifier tokens) {
    this.auth = auth;
    this.options = options;
    this.tokens = tokens;
    this.signer = options.hmacSecret() == null ? null
        : JwtSigner.hmac("HS256", options.hmacSecret().getBytes(StandardCharsets.UTF_8));
  }

  void mount(Router router) {
    router.post(PATH).handler(ConnectionTokenHandler::noStore).handler(auth.require(Role.VIEWER));
    router.post(PATH).handler(HttpApi.body(MAX_BODY)).handler(this::issue).failureHandler(HttpApi.failure(MAX_BODY));
  }

  private static void noStore(RoutingContext rc) {
    rc.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    rc.next();
  }

  private void issue(RoutingContext rc) {
    if (signer == null) {
      HttpApi.error(rc, 503, "connection tokens need token.hmac_secret_key to sign them");
      return;
    }
    if (options.audience() != null && options.audience().equals(options.ops().audience())) {
      HttpApi.error(rc, 503, "token.audience equals token.ops.audience: a connection token would open the HTTP "
          + "APIs, so none is issued");
      return;
    }
    Principal caller = rc.get(ApiAuth.PRINCIPAL);
    long now = tokens.now();
    long expires = now + TTL.toSeconds();
    if (caller.expiresAt() != null) {
      expires = Math.min(expires, caller.expiresAt());
    }
    if (expires <= now) {
      HttpApi.error(rc, 401, "token expired");
      return;
    }
    String user = (caller.apiKey() ? "apikey:" : "ops:") + caller.name();
    String role = caller.role().id();
    JsonObject claims = new JsonObject()
        .put("sub", user)
        .put("iat", now)
        .put("exp", expires)
        .put(options.rolesClaim(), new JsonArray().add(role));
    if (options.audience() != null) {
      claims.put("aud", options.audience());
    }
    if (options.issuer() != null) {
      claims.put("iss", options.issuer());
    }
    HttpApi.json(rc, 200, new JsonObject()
        .put("token", signer.sign(claims))
        .put("user", user)
        .put("role", role)
        .put("expires_in", expires - now));
  }
}
