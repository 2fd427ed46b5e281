package io.fluxer.relay.auth;

import io.fluxer.relay.auth.JwtSigner.Algorithm;
import io.fluxer.relay.auth.JwtSigner.Family;
import io.fluxer.relay.config.ConfigException;
import io.fluxer.relay.config.TokenOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies connection and subscription JWTs (compact JWS) against the keys in
 * {@link TokenOptions}.
 *
 * <p>Each algorithm family verifies only with its own key: HS256/384/512 with the HMAC secret,
 * RS256/384/512 with the RSA public key, ES256/384/512 with the EC public key (and only the ES
 * algorithm matching that key's curve). {@code alg: none}, unknown algorithms, algorithms whose
 * key is not configured and tokens with a {@code crit} header are rejected. Registered claims
 * are type-checked; {@code aud} and {@code iss} are checked when configured; {@code exp} and
 * {@code nbf} are checked with the configured leeway. Instances are immutable and thread-safe.
 */
public final class TokenVerifier {
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
  private static final String MALFORMED = "malformed token";

  private final byte[] hmacSecret;
  private final RSAPublicKey rsaKey;
  private final ECPublicKey ecKey;
  private final Algorithm ecAlgorithm;
  private final String audience;
  private final String issuer;
  private final long leeway;
  private final Clock clock;
  private final String rolesClaim;

  private TokenVerifier(TokenOptions options, Clock clock) {
    this.hmacSecret = options.hmacSecret() == null
        ? null : options.hmacSecret().getBytes(StandardCharsets.UTF_8);
    this.rsaKey = options.rsaPublicKeyPem() == null ? null : parseRsa(options.rsaPublicKeyPem());
    this.ecKey = options.ecdsaPublicKeyPem() == null ? null : parseEc(options.ecdsaPublicKeyPem());
    this.ecAlgorithm = ecKey == null ? null : Algorithm.forCurve(ecKey.getParams());
    if (ecKey != null && ecAlgorithm == null) {
      throw new ConfigException("token.ecdsa_public_key", "unsupported curve (use P-256, P-384 or P-521)");
    }
    this.audience = options.audience();
    this.issuer = options.issuer();
    this.leeway = options.leewaySeconds();
    this.clock = clock;
    this.rolesClaim = options.rolesClaim();
  }

  /**
   * Creates a verifier using the system clock.
   *
   * @throws ConfigException if no key is configured or a PEM key cannot be parsed
   */
  public static TokenVerifier create(TokenOptions options) {
    return create(options, Clock.systemUTC());
  }

  /** Like {@link #create(TokenOptions)} with the given clock (for tests). */
  public static TokenVerifier create(TokenOptions options, Clock clock) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(clock, "clock");
    if (!options.hasAnyKey()) {
      throw new ConfigException("token", "no key configured");
    }
    return new TokenVerifier(options, clock);
  }

  /** Current time in epoch seconds from the verifier's clock. */
  public long now() {
    return Math.floorDiv(clock.millis(), 1000L);
  }

  /** Verifies a connection token; a token with a {@code channel} claim is rejected. */
  public ConnectToken verifyConnectToken(String jwt) throws TokenException {
    JsonObject claims = verify(jwt);
    if (claims.getValue("channel") != null) {
      throw TokenException.invalid("subscription token used as connection token");
    }
    String user = user(claims);
    String info = rawJson(claims, "info");
    List<String> channels = channels(claims);
    String meta = rawJson(claims, "meta");
    Set<String> roles = roles(claims, rolesClaim);
    Long expiresAt = checkTime(claims);
    return new ConnectToken(user, expiresAt, info, channels, meta, roles);
  }

  /** Verifies a subscription token; it must carry a non-empty {@code channel} claim. */
  public SubscriptionToken verifySubscriptionToken(String jwt) throws TokenException {
    JsonObject claims = verify(jwt);
    Object channel = claims.getValue("channel");
    if (channel == null) {
      throw TokenException.invalid("missing channel claim");
    }
    if (!(channel instanceof String ch) || ch.isEmpty()) {
      throw TokenException.invalid("invalid channel claim");
    }
    String user = user(claims);
    String info = rawJson(claims, "info");
    Long expiresAt = checkTime(claims);
    return new SubscriptionToken(user, ch, expiresAt, info);
  }

  /**
   * Checks structure, algorithm and signature, then the claims common to all tokens except
   * {@code exp} (checked last, by {@link #checkTime}, so that EXPIRED means "valid but expired").
   */
  private JsonObject verify(String jwt) throws TokenException {
    if (jwt == null) {
      throw TokenException.invalid(MALFORMED);
    }
    int dot1 = jwt.indexOf('.');
    int dot2 = dot1 < 0 ? -1 : jwt.indexOf('.', dot1 + 1);
    if (dot2 < 0 || jwt.indexOf('.', dot2 + 1) >= 0) {
      throw TokenException.invalid(MALFORMED);
    }
    byte[] headerBytes = decodePart(jwt.substring(0, dot1));
    byte[] payloadBytes = decodePart(jwt.substring(dot1 + 1, dot2));
    byte[] signature = decodePart(jwt.substring(dot2 + 1));

    JsonObject header = parseObject(headerBytes);
    Algorithm alg = algorithm(header);
    byte[] input = jwt.substring(0, dot2).getBytes(StandardCharsets.US_ASCII);
    if (!signatureValid(alg, input, signature)) {
      throw TokenException.invalid("bad signature");
    }

    JsonObject claims = parseObject(payloadBytes);
    checkRegisteredClaimTypes(claims);
    checkAudience(claims);
    checkIssuer(claims);
    return claims;
  }

  private Algorithm algorithm(JsonObject header) throws TokenException {
    if (!(header.getValue("alg") instanceof String name)) {
      throw TokenException.invalid(MALFORMED);
    }
    if (header.containsKey("crit")) {
      throw TokenException.invalid("unsupported critical header");
    }
    if (name.equalsIgnoreCase("none")) {
      throw TokenException.invalid("algorithm none not allowed");
    }
    Algorithm alg = Algorithm.byName(name);
    if (alg == null) {
      throw TokenException.invalid("unsupported algorithm " + printable(name));
    }
    boolean configured = switch (alg.family) {
      case HMAC -> hmacSecret != null;
      case RSA -> rsaKey != null;
      case EC -> ecAlgorithm == alg;
    };
    if (!configured) {
      throw TokenException.invalid(alg.family == Family.EC && ecKey != null
          ? "algorithm " + alg + " does not match the ECDSA key curve (expected " + ecAlgorithm + ")"
          : "algorithm " + alg + " not configured");
    }
    return alg;
  }

  private boolean signatureValid(Algorithm alg, byte[] input, byte[] signature) {
    try {
      switch (alg.family) {
        case HMAC -> {
          Mac mac = Mac.getInstance(alg.jcaName);
          mac.init(new SecretKeySpec(hmacSecret, alg.jcaName));
          return MessageDigest.isEqual(mac.doFinal(input), signature);
        }
        case RSA -> {
          return verifySignature(alg, rsaKey, input, signature);
        }
        case EC -> {
          if (signature.length != alg.signatureLength || Algorithm.hasZeroHalf(signature)) {
            return false;
          }
          return verifySignature(alg, ecKey, input, signature);
        }
        default -> {
          return false;
        }
      }
    } catch (SignatureException e) {
      return false;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot verify " + alg, e);
    }
  }

  private static boolean verifySignature(Algorithm alg, PublicKey key, byte[] input, byte[] signature)
      throws GeneralSecurityException {
    Signature sig = Signature.getInstance(alg.jcaName);
    sig.initVerify(key);
    sig.update(input);
    return sig.verify(signature);
  }

  private static void checkRegisteredClaimTypes(JsonObject claims) throws TokenException {
    for (String name : new String[] {"exp", "nbf", "iat"}) {
      Object v = claims.getValue(name);
      if (v != null && !(v instanceof Number n && !Double.isNaN(n.doubleValue()))) {
        throw TokenException.invalid("invalid " + name + " claim");
      }
    }
    for (String name : new String[] {"sub", "iss", "jti"}) {
      Object v = claims.getValue(name);
      if (v != null && !(v instanceof String)) {
        throw TokenException.invalid("invalid " + name + " claim");
      }
    }
    Object aud = claims.getValue("aud");
    if (aud instanceof JsonArray array) {
      for (Object item : array) {
        if (!(item instanceof String)) {
          throw TokenException.invalid("invalid aud claim");
        }
      }
    } else if (aud != null && !(aud instanceof String)) {
      throw TokenException.invalid("invalid aud claim");
    }
  }

  private void checkAudience(JsonObject claims) throws TokenException {
    if (audience == null) {
      return;
    }
    Object aud = claims.getValue("aud");
    boolean ok = aud instanceof String s ? s.equals(audience)
        : aud instanceof JsonArray array && array.contains(audience);
    if (!ok) {
      throw TokenException.invalid("audience mismatch");
    }
  }

  private void checkIssuer(JsonObject claims) throws TokenException {
    if (issuer != null && !issuer.equals(claims.getValue("iss"))) {
      throw TokenException.invalid("issuer mismatch");
    }
  }

  /** Checks {@code nbf}, then {@code exp}; returns {@code exp} (rounded down) or {@code null}. */
  private Long checkTime(JsonObject claims) throws TokenException {
    long now = now();
    Object nbf = claims.getValue("nbf");
    if (nbf != null && saturatedAdd(now, leeway) < ceil((Number) nbf)) {
      throw TokenException.invalid("token not valid yet");
    }
    Object exp = claims.getValue("exp");
    if (exp == null) {
      return null;
    }
    long expiresAt = floor((Number) exp);
    if (now > saturatedAdd(expiresAt, leeway)) {
      throw TokenException.expired();
    }
    return expiresAt;
  }

  private static String user(JsonObject claims) {
    Object sub = claims.getValue("sub");
    return sub == null ? "" : (String) sub;
  }

  private static List<String> channels(JsonObject claims) throws TokenException {
    Object value = claims.getValue("channels");
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof JsonArray array)) {
      throw TokenException.invalid("invalid channels claim");
    }
    List<String> channels = new ArrayList<>(array.size());
    for (Object item : array) {
      if (!(item instanceof String s) || s.isEmpty()) {
        throw TokenException.invalid("invalid channels claim");
      }
      channels.add(s);
    }
    return List.copyOf(channels);
  }

  /**
   * Roles from the configured claim, a string or an array of strings; with the default claim
   * {@code roles}, a single {@code role} string is read too.
   */
  private static Set<String> roles(JsonObject claims, String claim) throws TokenException {
    Set<String> roles = new LinkedHashSet<>();
    addRoles(roles, claims.getValue(claim), claim);
    if (TokenOptions.DEFAULT_ROLES_CLAIM.equals(claim)) {
      Object one = claims.getValue("role");
      if (one != null && !(one instanceof String)) {
        throw TokenException.invalid("invalid role claim");
      }
      addRoles(roles, one, "role");
    }
    return roles;
  }

  private static void addRoles(Set<String> roles, Object value, String claim) throws TokenException {
    if (value == null) {
      return;
    }
    if (value instanceof String s && !s.isEmpty()) {
      roles.add(s);
      return;
    }
    if (!(value instanceof JsonArray array)) {
      throw TokenException.invalid("invalid " + claim + " claim");
    }
    for (Object item : array) {
      if (!(item instanceof String s) || s.isEmpty()) {
        throw TokenException.invalid("invalid " + claim + " claim");
      }
      roles.add(s);
    }
  }

  /** The claim re-encoded as JSON text, or {@code null} if absent or JSON null. */
  private static String rawJson(JsonObject claims, String name) {
    Object value = claims.getValue(name);
    return value == null ? null : Json.encode(value);
  }

  /** Decodes one strict base64url part: non-empty, no padding, canonical encoding. */
  private static byte[] decodePart(String part) throws TokenException {
    if (part.isEmpty() || part.indexOf('=') >= 0) {
      throw TokenException.invalid(MALFORMED);
    }
    byte[] bytes;
    try {
      bytes = DECODER.decode(part);
    } catch (IllegalArgumentException e) {
      throw TokenException.invalid(MALFORMED);
    }
    if (!JwtSigner.encode(bytes).equals(part)) {
      throw TokenException.invalid(MALFORMED);
    }
    return bytes;
  }

  private static JsonObject parseObject(byte[] bytes) throws TokenException {
    try {
      String text = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
      return new JsonObject(text);
    } catch (CharacterCodingException | RuntimeException e) {
      throw TokenException.invalid(MALFORMED);
    }
  }

  private static long floor(Number n) {
    if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
      return n.longValue();
    }
    return (long) Math.floor(n.doubleValue());
  }

  private static long ceil(Number n) {
    if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte) {
      return n.longValue();
    }
    return (long) Math.ceil(n.doubleValue());
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? (b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : r;
  }

  /** Keeps attacker-chosen text in messages short and printable. */
  private static String printable(String s) {
    String t = s.length() > 20 ? s.substring(0, 20) + "..." : s;
    return t.replaceAll("[^\\x20-\\x7e]", "?");
  }

  private static RSAPublicKey parseRsa(String pem) {
    try {
      return Pem.parseRsaPublicKey(pem);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("token.rsa_public_key", e.getMessage());
    }
  }

  private static ECPublicKey parseEc(String pem) {
    try {
      return Pem.parseEcPublicKey(pem);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("token.ecdsa_public_key", e.getMessage());
    }
  }
}
