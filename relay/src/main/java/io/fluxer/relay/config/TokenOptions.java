package io.fluxer.relay.config;

/**
 * Keys and checks for connection and subscription JWTs. At least one key must be set.
 *
 * @param hmacSecret shared secret for HS256/384/512, or {@code null}
 * @param rsaPublicKeyPem PEM ({@code -----BEGIN PUBLIC KEY-----}) for RS256/384/512, or {@code null}
 * @param ecdsaPublicKeyPem PEM for ES256/384/512, or {@code null}
 * @param audience required {@code aud} (string or array member), or {@code null} for no check
 * @param issuer required {@code iss}, or {@code null} for no check
 * @param leewaySeconds clock skew allowed on {@code exp} and {@code nbf}
 * @param rolesClaim the claim holding the user's roles (a string or an array of strings)
 */
public record TokenOptions(String hmacSecret, String rsaPublicKeyPem, String ecdsaPublicKeyPem,
                           String audience, String issuer, long leewaySeconds, String rolesClaim) {
  public static final String DEFAULT_ROLES_CLAIM = "roles";

  public TokenOptions(String hmacSecret, String rsaPublicKeyPem, String ecdsaPublicKeyPem, String audience,
                      String issuer, long leewaySeconds) {
    this(hmacSecret, rsaPublicKeyPem, ecdsaPublicKeyPem, audience, issuer, leewaySeconds, DEFAULT_ROLES_CLAIM);
  }

  public TokenOptions {
    rolesClaim = rolesClaim == null || rolesClaim.isBlank() ? DEFAULT_ROLES_CLAIM : rolesClaim;
    hmacSecret = blankToNull(hmacSecret);
    rsaPublicKeyPem = blankToNull(rsaPublicKeyPem);
    ecdsaPublicKeyPem = blankToNull(ecdsaPublicKeyPem);
    audience = blankToNull(audience);
    issuer = blankToNull(issuer);
    if (leewaySeconds < 0) {
      throw new ConfigException("token.leeway", "must be >= 0");
    }
  }

  public boolean hasAnyKey() {
    return hmacSecret != null || rsaPublicKeyPem != null || ecdsaPublicKeyPem != null;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
