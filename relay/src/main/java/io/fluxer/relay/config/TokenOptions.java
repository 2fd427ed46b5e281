package io.fluxer.relay.config;

import java.nio.charset.StandardCharsets;

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
  /** The shortest HMAC secret a node accepts outside {@code --dev}: 256 bits, as HS256's key size. */
  public static final int MIN_HMAC_SECRET_BYTES = 32;

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

  /**
   * Why these keys must not be used outside {@code --dev}, or {@code null}: an HMAC secret shorter
   * than {@link #MIN_HMAC_SECRET_BYTES} bytes (UTF-8) can be guessed offline from one signed token.
   */
  public String productionProblem() {
    if (hmacSecret != null && hmacSecret.getBytes(StandardCharsets.UTF_8).length < MIN_HMAC_SECRET_BYTES) {
      return "token.hmac_secret_key is shorter than " + MIN_HMAC_SECRET_BYTES
          + " bytes; use a random secret of at least 32 bytes (e.g. openssl rand -base64 48)";
    }
    return null;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
