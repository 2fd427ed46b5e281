package io.fluxer.relay.auth;

import io.fluxer.relay.config.Role;

/**
 * A verified ops token: a bearer credential for {@code /api/v1/**}, the dashboard and the control
 * routes.
 *
 * @param user who it names
 * @param role the highest ops role it grants, or {@code null}
 * @param expiresAt its {@code exp} in epoch seconds (ops tokens always expire)
 */
public record OpsToken(String user, Role role, long expiresAt) {}
