package io.fluxer.relay.config;

import io.fluxer.common.config.ConfigException;
import io.fluxer.common.config.ConfigValues;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Set;

/**
 * What makes a bearer token an ops credential ({@code token.ops}): for {@code /api/v1/**}, the
 * dashboard and the control routes. A client connection token is not one unless it was made for ops.
 *
 * @param audience the {@code aud} an ops token must carry
 * @param issuer the {@code iss} an ops token must carry, or {@code null} for any trusted one
 * @param maxLifetime ops tokens must carry {@code exp}, at most this far from {@code iat} and from now
 * @param rolesClaim for tokens signed with the static keys, the one claim roles are read from
 *     (tokens of a {@code token.issuers} provider use that issuer's {@code roles_claims} and
 *     {@code role_map})
 */
public record OpsTokenOptions(String audience, String issuer, Duration maxLifetime, String rolesClaim) {
  public static final String DEFAULT_AUDIENCE = "fluxer-ops";
  public static final Duration DEFAULT_MAX_LIFETIME = Duration.ofHours(1);
  public static final String DEFAULT_ROLES_CLAIM = "roles";

  public static OpsTokenOptions defaults() {
    return new OpsTokenOptions(DEFAULT_AUDIENCE, null, DEFAULT_MAX_LIFETIME, DEFAULT_ROLES_CLAIM);
  }

  static OpsTokenOptions fromJson(JsonObject json, String path) {
    ConfigValues v = new ConfigValues(json, path, Set.of("audience", "issuer", "max_lifetime", "roles_claim"));
    String audience = v.string("audience", DEFAULT_AUDIENCE);
    if (audience.isBlank()) {
      throw new ConfigException(v.key("audience"), "must not be empty");
    }
    String issuer = v.string("issuer", null);
    String rolesClaim = v.string("roles_claim", DEFAULT_ROLES_CLAIM);
    if (rolesClaim.isBlank()) {
      throw new ConfigException(v.key("roles_claim"), "must not be empty");
    }
    return new OpsTokenOptions(audience, issuer == null || issuer.isBlank() ? null : issuer,
        v.duration("max_lifetime", DEFAULT_MAX_LIFETIME, Duration.ofSeconds(30)), rolesClaim);
  }
}
