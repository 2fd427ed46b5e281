package io.fluxer.control.api;

import io.fluxer.control.api.ControlApi.Reply;
import io.fluxer.control.docker.RegistryHost;
import io.fluxer.control.store.ControlStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/**
 * Credentials for private registries, one set per registry host, which the deployer sends to the
 * engine for every service whose image lives there:
 * <ul>
 *   <li>{@code registry.list} ({@code GET /api/v1/registries}): host, user name and who set them when;
 *   never the password;</li>
 *   <li>{@code registry.put} ({@code PUT /api/v1/registries/{host}}, admin): {@code {"username",
 *   "password"}}, 201 when new, 200 when replaced;</li>
 *   <li>{@code registry.remove} ({@code DELETE /api/v1/registries/{host}}, admin): 200, or 404 when it had none.</li>
 * </ul>
 * Both changes are audited with the host as target; the body is never echoed, in answers, errors or
 * audit rows. The gateway checks the role; the admin role is checked here again.
 */
public final class RegistryOps {
  static final int MAX_USERNAME = 256;
  static final int MAX_PASSWORD = 16 * 1024;
  private static final Set<String> FIELDS = Set.of("username", "password");

  private final ControlStore store;

  public RegistryOps(ControlStore store) {
    this.store = store;
  }

  /** Adds the operations to {@code api} (before it registers). */
  public ControlApi registerOn(ControlApi api) {
    return api
        .handle("registry.list", r -> store.registries().map(list -> Reply.ok(new JsonObject().put("registries", list))))
        .handle("registry.put", Audited.by(store, RegistryOps::target, this::put))
        .handle("registry.remove", Audited.by(store, RegistryOps::target, this::remove));
  }

  /** The audit target: the host as asked for, cut to a bounded length. */
  private static String target(ControlRequest r) {
    String host = r.pathParam("host");
    return host == null ? "" : host.length() > RegistryHost.MAX_LENGTH ? host.substring(0, RegistryHost.MAX_LENGTH) : host;
  }

  private Future<Reply> put(ControlRequest r) {
    requireAdmin(r);
    String host = host(r);
    JsonObject body = r.body();
    if (body == null) {
      throw ControlError.badRequest("a body is required: {\"username\": \"...\", \"password\": \"...\"}");
    }
    for (String field : body.fieldNames()) {
      if (!FIELDS.contains(field)) {
        throw ControlError.badRequest("unknown field '" + (field.length() > 64 ? field.substring(0, 64) + "…" : field)
            + "': expected username, password");
      }
    }
    String username = text(body, "username", MAX_USERNAME);
    String password = text(body, "password", MAX_PASSWORD);
    return store.putRegistry(host, username, password, r.actorName())
        .map(created -> new Reply(created ? 201 : 200, new JsonObject().put("host", host).put("username", username)
            .put("created", created)));
  }

  private Future<Reply> remove(ControlRequest r) {
    requireAdmin(r);
    String host = host(r);
    return store.removeRegistry(host).map(removed -> {
      if (!removed) {
        throw ControlError.notFound("no credentials for registry " + host);
      }
      return Reply.ok(new JsonObject().put("host", host).put("removed", true));
    });
  }

  private static void requireAdmin(ControlRequest r) {
    if (!StackOps.isAdmin(r)) {
      throw new ControlError(403, "registry credentials can be changed by the admin role only", null);
    }
  }

  private static String host(ControlRequest r) {
    try {
      return RegistryHost.parse(r.pathParam("host"));
    } catch (IllegalArgumentException e) {
      throw ControlError.badRequest(e.getMessage());
    }
  }

  /** A required string field of 1 to {@code max} characters without control characters; the error never shows it. */
  private static String text(JsonObject body, String field, int max) {
    if (!(body.getValue(field) instanceof String value) || value.isEmpty()) {
      throw ControlError.badRequest(field + " is required: a non-empty string");
    }
    if (value.length() > max) {
      throw ControlError.badRequest(field + " has at most " + max + " characters, got " + value.length());
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.isISOControl(value.charAt(i))) {
        throw ControlError.badRequest(field + " must not hold control characters (a line break, say)");
      }
    }
    return value;
  }
}
