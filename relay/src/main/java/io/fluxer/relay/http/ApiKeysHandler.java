package io.fluxer.relay.http;

import io.fluxer.relay.auth.ApiKeyChanges;
import io.fluxer.relay.auth.ApiKeys;
import io.fluxer.relay.config.ApiKey;
import io.fluxer.relay.config.Role;
import io.fluxer.common.store.StoreException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.function.Supplier;

/**
 * API keys at run time, for admins: {@code GET /api/v1/keys} lists the configured and the managed
 * keys (names, roles, who created them and when; never a key or its hash), {@code POST} creates a
 * managed key and answers its text once, {@code DELETE /api/v1/keys/{name}} revokes one. Configured
 * keys ({@code api.keys}) are listed but cannot be revoked here.
 */
final class ApiKeysHandler {
  static final String PATH = "/api/v1/keys";
  /** Prefix of generated keys, so a leaked one is recognisable in logs and scanners. */
  static final String KEY_PREFIX = "fxk_";
  private static final long MAX_BODY = 4096;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final System.Logger LOG = System.getLogger(ApiKeysHandler.class.getName());

  private final ApiAuth auth;
  private final ApiKeys keys;
  private final Supplier<ApiKeyChanges> changes;
  private final AdminAudit audit;

  ApiKeysHandler(ApiAuth auth, ApiKeys keys, Supplier<ApiKeyChanges> changes, AdminAudit audit) {
    this.auth = auth;
    this.keys = keys;
    this.changes = changes;
    this.audit = audit;
  }

  void mount(Router router) {
    router.get(PATH).handler(auth.require(Role.ADMIN)).handler(this::list);
    // credentials before the body is read
    router.post(PATH).handler(auth.require(Role.ADMIN)).handler(audit.onAnswer("key.create", ApiKeysHandler::bodyName));
    router.post(PATH).handler(HttpApi.body(MAX_BODY)).handler(this::create).failureHandler(HttpApi.failure(MAX_BODY));
    router.delete(PATH + "/:name").handler(auth.require(Role.ADMIN))
        .handler(audit.onAnswer("key.revoke", rc -> rc.pathParam("name"))).handler(this::revoke);
  }

  private void list(RoutingContext rc) {
    JsonArray out = new JsonArray();
    for (ApiKey k : keys.configured()) {
      out.add(new JsonObject().put("name", k.name()).put("role", k.role().id()).put("source", "config"));
    }
    for (ApiKeys.Managed m : keys.managed()) {
      out.add(managed(m));
    }
    HttpApi.json(rc, 200, new JsonObject().put("keys", out));
  }

  private void create(RoutingContext rc) {
    JsonObject body = HttpApi.jsonObjectBody(rc);
    if (body == null) {
      HttpApi.error(rc, 400, "body must be a JSON object {\"name\", \"role\"}");
      return;
    }
    Object name = body.getValue("name");
    Object roleId = body.getValue("role");
    if (!(name instanceof String n) || !ApiKeys.NAME.matcher(n).matches()) {
      HttpApi.error(rc, 400, "name must be 1-64 of A-Z a-z 0-9 . _ -");
      return;
    }
    Role role = roleId instanceof String r ? Role.of(r) : null;
    if (role == null) {
      HttpApi.error(rc, 400, "role must be one of viewer, ops, admin");
      return;
    }
    if (keys.has(n)) {
      HttpApi.error(rc, 409, "a key named '" + n + "' exists");
      return;
    }
    String text = newKey();
    Principal caller = rc.get(ApiAuth.PRINCIPAL);
    ApiKeys.Managed key = new ApiKeys.Managed(ApiKey.ofPlainKey(n, text, role), caller.name(),
        Instant.now().truncatedTo(ChronoUnit.MILLIS));
    changes.get().add(key).onComplete(ar -> {
      if (ar.failed()) {
        storeFailed(rc, ar.cause());
      } else if (!ar.result()) {
        HttpApi.error(rc, 409, "a key named '" + n + "' exists");
      } else {
        // the key's text is in this answer only: no cache, shared or private, may keep it
        rc.response().putHeader(HttpHeaders.CACHE_CONTROL, "no-store");
        HttpApi.json(rc, 201, managed(key).put("key", text));
      }
    });
  }

  private void revoke(RoutingContext rc) {
    String name = rc.pathParam("name");
    if (keys.isConfigured(name)) {
      HttpApi.error(rc, 409, "'" + name + "' is configured in api.keys: remove it from the configuration");
      return;
    }
    changes.get().revoke(name).onComplete(ar -> {
      if (ar.failed()) {
        storeFailed(rc, ar.cause());
      } else if (!ar.result()) {
        HttpApi.error(rc, 404, "no API key named '" + name + "'");
      } else {
        rc.response().setStatusCode(204).end();
      }
    });
  }

  /** The audit target of a create: the body's name when it is a valid one, else empty. */
  private static String bodyName(RoutingContext rc) {
    JsonObject body = rc.body() == null ? null : HttpApi.jsonObjectBody(rc);
    return body != null && body.getValue("name") instanceof String n && ApiKeys.NAME.matcher(n).matches() ? n : "";
  }

  private static JsonObject managed(ApiKeys.Managed m) {
    return new JsonObject().put("name", m.name()).put("role", m.key().role().id()).put("source", "managed")
        .put("created_by", m.createdBy()).put("created_at", m.createdAt().toString());
  }

  /** 32 random bytes, base64url: 256 bits, so the SHA-256 kept is as good as the key. */
  private static String newKey() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return KEY_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Answers a fixed text (the cause's message may name hosts, tables or SQL); logs the cause once. */
  private static void storeFailed(RoutingContext rc, Throwable cause) {
    LOG.log(System.Logger.Level.WARNING, "API key change failed: " + cause, cause instanceof StoreException ? null : cause);
    if (cause instanceof StoreException) {
      HttpApi.error(rc, 503, "key store (PostgreSQL) unavailable, nothing was changed; try again later");
    } else {
      HttpApi.error(rc, 500, "internal server error");
    }
  }

}
