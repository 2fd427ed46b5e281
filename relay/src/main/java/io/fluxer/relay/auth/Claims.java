package io.fluxer.relay.auth;

import io.fluxer.relay.config.IssuerOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashSet;
import java.util.Set;

/** Claim lookups by path, and the mapping of a provider's roles and groups to Fluxer's roles. */
final class Claims {
  private Claims() {}

  /**
   * The value at {@code path}: the claim of that exact name if there is one (providers put roles in
   * claims named by URLs, such as {@code https://example.com/roles}), otherwise the dotted path
   * through nested objects ({@code realm_access.roles}); {@code null} when absent.
   */
  static Object at(JsonObject claims, String path) {
    if (claims.containsKey(path)) {
      return claims.getValue(path);
    }
    Object current = claims;
    int from = 0;
    while (from <= path.length()) {
      int dot = path.indexOf('.', from);
      String name = dot < 0 ? path.substring(from) : path.substring(from, dot);
      if (!(current instanceof JsonObject object)) {
        return null;
      }
      current = object.getValue(name);
      if (dot < 0) {
        return current;
      }
      from = dot + 1;
    }
    return null;
  }

  /**
   * Fluxer roles ({@code admin}, {@code ops}, {@code viewer}) the provider's roles and groups map
   * to; names the map lacks, and values that are not strings, grant nothing.
   */
  static Set<String> mappedRoles(JsonObject claims, IssuerOptions issuer) {
    Set<String> roles = new LinkedHashSet<>();
    for (String path : issuer.rolesClaims()) {
      Object value = at(claims, path);
      if (value instanceof String s) {
        add(roles, issuer, s);
      } else if (value instanceof JsonArray array) {
        for (Object item : array) {
          if (item instanceof String s) {
            add(roles, issuer, s);
          }
        }
      }
    }
    return roles;
  }

  private static void add(Set<String> roles, IssuerOptions issuer, String providerRole) {
    String role = issuer.roleMap().get(providerRole);
    if (role != null) {
      roles.add(role);
    }
  }
}
