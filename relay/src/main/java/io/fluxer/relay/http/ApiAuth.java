package io.fluxer.relay.http;

import io.fluxer.relay.auth.ApiKeys;
import io.fluxer.relay.auth.ConnectToken;
import io.fluxer.relay.auth.Role;
import io.fluxer.relay.auth.TokenException;
import io.fluxer.relay.auth.TokenVerifier;
import io.fluxer.relay.config.ApiKey;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Authenticates HTTP API calls: an API key ({@code X-API-Key: K} or {@code Authorization: apikey K})
 * or a JWT ({@code Authorization: Bearer T}, the same connection tokens clients use, with the ops
 * role in the roles claim). Answers 401 without valid credentials and 403 without the role.
 */
public final class ApiAuth {
  static final String PRINCIPAL = "fluxer.principal";

  private final ApiKeys keys;
  private final TokenVerifier tokens;

  public ApiAuth(ApiKeys keys, TokenVerifier tokens) {
    this.keys = keys;
    this.tokens = tokens;
  }

  /** A handler that lets the request through only with credentials holding {@code required}. */
  public Handler<RoutingContext> require(Role required) {
    return rc -> {
      Principal p = principal(rc);
      if (p == null) {
        return;
      }
      if (!p.has(required)) {
        deny(rc, 403, "permission denied: needs role " + required.id());
        return;
      }
      rc.next();
    };
  }

  /** The caller, authenticating once per request; answers 401 and returns {@code null} when unknown. */
  Principal principal(RoutingContext rc) {
    Principal cached = rc.get(PRINCIPAL);
    if (cached != null) {
      return cached;
    }
    String problem = null;
    Principal p = null;
    HttpServerRequest req = rc.request();
    String apiKey = req.getHeader("X-API-Key");
    String authorization = req.getHeader(HttpHeaders.AUTHORIZATION);
    if (apiKey == null && authorization != null && authorization.regionMatches(true, 0, "apikey ", 0, 7)) {
      apiKey = authorization.substring(7).trim();
    }
    if (apiKey != null) {
      p = byKey(apiKey);
      problem = p == null ? "invalid API key" : null;
    } else if (authorization != null && authorization.regionMatches(true, 0, "bearer ", 0, 7)) {
      try {
        ConnectToken t = tokens.verifyConnectToken(authorization.substring(7).trim());
        p = new Principal(t.user(), Role.highest(t.roles()), false);
      } catch (TokenException e) {
        problem = e.reason() == TokenException.Reason.EXPIRED ? "token expired" : "invalid token";
      }
    } else {
      problem = "credentials required (X-API-Key, Authorization: apikey or Bearer)";
    }
    if (p == null) {
      deny(rc, 401, problem);
      return null;
    }
    rc.put(PRINCIPAL, p);
    return p;
  }

  private Principal byKey(String presented) {
    ApiKey key = keys.find(ApiKey.hash(presented));
    return key == null ? null : new Principal(key.name(), key.role(), true);
  }

  private static void deny(RoutingContext rc, int status, String message) {
    HttpApi.error(rc, status, message);
  }
}
