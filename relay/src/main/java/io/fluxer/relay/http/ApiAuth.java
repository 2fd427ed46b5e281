package io.fluxer.relay.http;

import io.fluxer.relay.auth.ApiKeys;
import io.fluxer.relay.auth.OpsToken;
import io.fluxer.relay.auth.TokenException;
import io.fluxer.relay.auth.TokenVerifier;
import io.fluxer.relay.config.ApiKey;
import io.fluxer.relay.config.Role;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;

/**
 * Authenticates HTTP API calls: an API key ({@code X-API-Key: K} or {@code Authorization: apikey K})
 * or an ops token ({@code Authorization: Bearer T}: a JWT made for ops, see
 * {@link TokenVerifier#opsToken}; client connection tokens are not accepted). Answers 401 without
 * valid credentials and 403 without the role.
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
      Future<Principal> caller = principal(rc);
      if (caller.isComplete()) {
        admit(rc, caller, required);
        return;
      }
      // A provider's keys are being fetched: hold the body until the caller is known.
      rc.request().pause();
      caller.onComplete(ar -> {
        admit(rc, caller, required);
        rc.request().resume();
      });
    };
  }

  private static void admit(RoutingContext rc, Future<Principal> caller, Role required) {
    if (caller.failed()) {
      deny(rc, 401, caller.cause().getMessage());
      return;
    }
    Principal p = caller.result();
    if (!p.has(required)) {
      deny(rc, 403, "permission denied: needs role " + required.id());
      return;
    }
    rc.put(PRINCIPAL, p);
    rc.next();
  }

  /**
   * The caller, authenticating once per request; fails with the 401 message when the credentials are
   * missing or not valid.
   */
  Future<Principal> principal(RoutingContext rc) {
    Principal cached = rc.get(PRINCIPAL);
    if (cached != null) {
      return Future.succeededFuture(cached);
    }
    HttpServerRequest req = rc.request();
    String apiKey = req.getHeader("X-API-Key");
    String authorization = req.getHeader(HttpHeaders.AUTHORIZATION);
    if (apiKey == null && authorization != null && authorization.regionMatches(true, 0, "apikey ", 0, 7)) {
      apiKey = authorization.substring(7).trim();
    }
    if (apiKey != null) {
      Principal p = byKey(apiKey);
      return p == null ? Future.failedFuture(new Denied("invalid API key")) : Future.succeededFuture(p);
    }
    if (authorization != null && authorization.regionMatches(true, 0, "bearer ", 0, 7)) {
      return tokens.opsToken(authorization.substring(7).trim()).transform(ar -> {
        if (ar.succeeded()) {
          OpsToken t = ar.result();
          return Future.succeededFuture(new Principal(t.user(), t.role(), false, t.expiresAt()));
        }
        boolean expired = ar.cause() instanceof TokenException e && e.reason() == TokenException.Reason.EXPIRED;
        return Future.failedFuture(new Denied(expired ? "token expired" : "invalid token"));
      });
    }
    return Future.failedFuture(new Denied("credentials required (X-API-Key, Authorization: apikey or Bearer)"));
  }

  /** Why a request is not authenticated; its message is the 401 answer. */
  private static final class Denied extends Exception {
    private static final long serialVersionUID = 1L;

    Denied(String message) {
      super(message, null, false, false);
    }
  }

  private Principal byKey(String presented) {
    ApiKey key = keys.find(ApiKey.hash(presented));
    return key == null ? null : new Principal(key.name(), key.role(), true, null);
  }

  private static void deny(RoutingContext rc, int status, String message) {
    HttpApi.error(rc, status, message);
  }
}
