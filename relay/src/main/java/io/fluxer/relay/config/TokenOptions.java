package io.fluxer.relay.config;

import io.fluxer.common.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Keys and checks for JWTs: connection and subscription tokens, and ops tokens. At least one key
 * or issuer must be set.
 *
 * @param hmacSecret shared secret for HS256/384/512, or {@code null}
 * @param rsaPublicKeyPem PEM ({@code -----BEGIN PUBLIC KEY-----}) for RS256/384/512, or {@code null}
 * @param ecdsaPublicKeyPem PEM for ES256/384/512, or {@code null}
 * @param audience required {@code aud} (string or array member), or {@code null} for no check
 * @param issuer required {@code iss}, or {@code null} for no check
 * @param leewaySeconds clock skew allowed on {@code exp} and {@code nbf}
 * @param rolesClaim the claim holding the user's roles (a string or an array of strings)
 * @param issuers identity providers whose tokens are verified with their JWKS (never with the keys above)
 * @param ops what makes a token an ops credential
 */
public record TokenOptions(String hmacSecret, String rsaPublicKeyPem, String ecdsaPublicKeyPem,
                           String audience, String issuer, long leewaySeconds, String rolesClaim,
                           List<IssuerOptions> issuers, OpsTokenOptions ops) {
  public static final String DEFAULT_ROLES_CLAIM = "roles";
  /** The shortest HMAC secret a node accepts outside {@code --dev}: 256 bits, as HS256's key size. */
  public static final int MIN_HMAC_SECRET_BYTES = 32;

  public TokenOptions(String hmacSecret, String rsaPublicKeyPem, String ecdsaPublicKeyPem, String audience,
                      String issuer, long leewaySeconds) {
    this(hmacSecret, rsaPublicKeyPem, ecdsaPublicKeyPem, audience, issuer, leewaySeconds, DEFAULT_ROLES_CLAIM);
  }

  public TokenOptions(String hmacSecret, String rsaPublicKeyPem, String ecdsaPublicKeyPem, String audience,
                      String issuer, long leewaySeconds, String rolesClaim) {
    this(hmacSecret, rsaPublicKeyPem, ecdsaPublicKeyPem, audience, issuer, leewaySeconds, rolesClaim, List.of(),
        OpsTokenOptions.defaults());
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
    issuers = issuers == null ? List.of() : List.copyOf(issuers);
    ops = ops == null ? OpsTokenOptions.defaults() : ops;
    Set<String> seen = new HashSet<>();
    for (IssuerOptions i : issuers) {
      if (!seen.add(i.issuer())) {
        throw new ConfigException("token.issuers", "issuer " + i.issuer() + " is listed twice");
      }
      if (i.issuer().equals(issuer)) {
        throw new ConfigException("token.issuer", "is also in token.issuers: a provider's tokens are verified "
            + "with its JWKS only, so the static keys cannot share its issuer");
      }
    }
  }

  /** Whether any static key (HMAC secret, RSA or ECDSA public key) is set. */
  public boolean hasStaticKey() {
    return hmacSecret != null || rsaPublicKeyPem != null || ecdsaPublicKeyPem != null;
  }

  /** Whether any token can verify: a static key or a trusted issuer. */
  public boolean hasAnyKey() {
    return hasStaticKey() || !issuers.isEmpty();
  }

  /** The trusted issuer with this exact {@code iss}, or {@code null}. */
  public IssuerOptions issuer(String iss) {
    for (IssuerOptions i : issuers) {
      if (i.issuer().equals(iss)) {
        return i;
      }
    }
    return null;
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
