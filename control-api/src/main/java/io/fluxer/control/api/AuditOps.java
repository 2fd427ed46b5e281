package io.fluxer.control.api;

import io.fluxer.control.api.ControlApi.Reply;
import io.fluxer.control.store.ControlStore;
import io.fluxer.control.store.ControlStore.AuditFilter;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * The audit log: {@code audit.list} reads it (newest first, filtered by actor, action and stack,
 * paged with {@code before}), and {@code audit.record} takes the relay's own admin actions (API keys,
 * namespaces, users disconnected or unsubscribed), which a relay sends sealed like any control
 * request. Only those actions are taken, so a relay cannot write rows that look like the control
 * plane's; no HTTP route leads to {@code audit.record}.
 */
final class AuditOps {
  /** The relay's actions {@code audit.record} takes. */
  static final Set<String> RELAY_ACTIONS = Set.of("key.create", "key.revoke", "namespace.put", "namespace.delete",
      "user.disconnect", "user.unsubscribe");
  private static final Set<String> RESULTS = Set.of("ok", "refused", "failed");
  static final int MAX_TARGET = 256;
  static final int MAX_DETAIL = 2048;
  static final int MAX_FILTER = 256;

  private final ControlStore store;

  AuditOps(ControlStore store) {
    this.store = store;
  }

  Future<Reply> list(ControlRequest r) {
    int limit = r.queryInt("limit", ControlApi.DEFAULT_LIMIT, 1, ControlApi.MAX_LIMIT);
    String before = filter(r, "before");
    long beforeId = 0;
    if (before != null) {
      try {
        beforeId = Long.parseLong(before);
      } catch (NumberFormatException e) {
        beforeId = -1;
      }
      if (beforeId < 1) {
        throw ControlError.badRequest("before must be a positive record id, got '" + before + "'");
      }
    }
    AuditFilter filter = new AuditFilter(filter(r, "actor"), filter(r, "action"), filter(r, "stack"),
        before == null ? null : beforeId, limit);
    return store.audit(filter).map(audit -> Reply.ok(new JsonObject().put("audit", audit)));
  }

  /** A text filter from the query: null when absent or empty, 400 when longer than any stored value. */
  private static String filter(ControlRequest r, String name) {
    String v = r.query().getString(name);
    if (v == null || v.isEmpty()) {
      return null;
    }
    if (v.length() > MAX_FILTER) {
      throw ControlError.badRequest(name + " is longer than " + MAX_FILTER + " characters");
    }
    return v;
  }

  Future<Reply> record(ControlRequest r) {
    JsonObject body = r.body();
    if (r.actor() == null || body == null) {
      throw ControlError.badRequest("an audit record needs an actor and a body {action, target, result, detail}");
    }
    String action = body.getValue("action") instanceof String a ? a : null;
    if (action == null || !RELAY_ACTIONS.contains(action)) {
      throw ControlError.badRequest("action must be one of " + String.join(", ", RELAY_ACTIONS.stream().sorted().toList()));
    }
    if (!(body.getValue("target") instanceof String target) || target.length() > MAX_TARGET) {
      throw ControlError.badRequest("target must be text of at most " + MAX_TARGET + " characters");
    }
    if (!(body.getValue("result") instanceof String result) || !RESULTS.contains(result)) {
      throw ControlError.badRequest("result must be ok, refused or failed");
    }
    Object detail = body.getValue("detail");
    if (detail != null && !(detail instanceof JsonObject)) {
      throw ControlError.badRequest("detail must be an object");
    }
    JsonObject details = detail == null ? new JsonObject() : (JsonObject) detail;
    if (details.encode().length() > MAX_DETAIL) {
      throw ControlError.badRequest("detail is longer than " + MAX_DETAIL + " characters");
    }
    return store.audit(r.actorName(), action, target, result, details.put("via", "relay"))
        .map(v -> new Reply(201, new JsonObject()));
  }
}
