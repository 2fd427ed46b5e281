package io.fluxer.relay.http;

import io.fluxer.relay.config.Role;

/**
 * Who calls the HTTP APIs: an API key (by its configured name) or a JWT user, with the ops role
 * they hold ({@code null}: none) and, for a JWT, when it expires ({@code exp}, epoch seconds;
 * {@code null} for an API key, which does not).
 */
public record Principal(String name, Role role, boolean apiKey, Long expiresAt) {
  public boolean has(Role required) {
    return role != null && role.includes(required);
  }
}
