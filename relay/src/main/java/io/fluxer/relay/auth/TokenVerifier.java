package io.fluxer.relay.auth;

import io.fluxer.relay.auth.JwtSigner.Algorithm;
import io.fluxer.common.config.ConfigException;
import io.fluxer.relay.config.IssuerOptions;
import io.fluxer.relay.config.OpsTokenOptions;
import io.fluxer.relay.config.Role;
import io.fluxer.relay.config.TokenOptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies JWTs: connection and subscription tokens for clients, and ops tokens for the HTTP APIs
 * and the dashboard.
 *
 * <p>A token whose {@code iss} is one of {@code token.issuers} is verified with that provider's
 * JWKS ({@link JwksSource}) and only with it; any other token with the static keys. Signatures go
 * through Vert.x Auth ({@link KeySet}); the structural checks in front of it ({@link Jwt}) reject
 * {@code alg: none}, {@code crit}, keys named or embedded in the header, and non-canonical base64.
 * Each static algorithm family verifies only with its own key: HS256/384/512 with the HMAC secret,
 * RS256/384/512 with the RSA key, ES256/384/512 with the EC key (only the algorithm of its curve);
 * providers' tokens never verify with HMAC. {@code aud}, {@code iss}, {@code exp} and {@code nbf}
 * are checked with the source's leeway; {@code exp} is checked last, so that EXPIRED means "valid
 * but expired" (the client may refresh).
 *
 * <p>Most tokens verify at once; a provider token naming a {@code kid} not yet cached waits for one
 * JWKS fetch, and its future completes on the caller's context. Instances are thread-safe.
 */
public final class TokenVerifier {
  /** What the token is presented for: each has its own audience, issuer and lifetime rules. */
  private enum Purpose { CLIENT, OPS, ID }

  /** What identity providers' tokens may be signed with: asymmetric algorithms only. */
  private static final Set<String> PROVIDER_ALGORITHMS = Set.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
      "ES256", "ES384", "ES512", "EdDSA");

  private final TokenOptions options;
  private final Clock clock;
  private final KeySet staticKeys;
  private final boolean hmac;
  private final boolean rsa;
  private final Algorithm ecAlgorithm;
  private final boolean ecKey;
  private final Map<String, JwksSource> issuers = new LinkedHashMap<>();

  private TokenVerifier(Vertx vertx, TokenOptions options, Clock clock) {
    this.options = options;
    this.clock = clock;
    List<KeySet.Key> keys = new ArrayList<>();
    hmac = options.hmacSecret() != null;
    if (hmac) {
      keys.addAll(KeySet.hmac(options.hmacSecret().getBytes(StandardCharsets.UTF_8)));
    }
    rsa = options.rsaPublicKeyPem() != null;
    if (rsa) {
      keys.addAll(KeySet.rsa(parseRsa(options.rsaPublicKeyPem())));
    }
    ecKey = options.ecdsaPublicKeyPem() != null;
    if (ecKey) {
      ECPublicKey ec = parseEc(options.ecdsaPublicKeyPem());
      ecAlgorithm = Algorithm.forCurve(ec.getParams());
      if (ecAlgorithm == null) {
        throw new ConfigException("token.ecdsa_public_key", "unsupported curve (use P-256, P-384 or P-521)");
      }
      String crv = switch (ecAlgorithm) {
        case ES256 -> "P-256";
        case ES384 -> "P-384";
        default -> "P-521";
      };
      keys.add(KeySet.ec(ec, ecAlgorithm.name(), crv, ecAlgorithm.signatureLength));
    } else {
      ecAlgorithm = null;
    }
    this.staticKeys = KeySet.of(vertx, keys);
    for (IssuerOptions issuer : options.issuers()) {
      issuers.put(issuer.issuer(), new JwksSource(vertx, issuer, clock));
    }
  }

  /**
   * A verifier of the static keys, with the system clock.
   *
   * @throws ConfigException if no key is configured or a PEM key cannot be parsed
   */
  public static TokenVerifier create(TokenOptions options) {
    return create(options, Clock.systemUTC());
  }

  /** Like {@link #create(TokenOptions)} with the given clock (for tests). */
  public static TokenVerifier create(TokenOptions options, Clock clock) {
    if (!options.issuers().isEmpty()) {
      throw new IllegalArgumentException("trusted issuers need a Vert.x instance to fetch their keys");
    }
    return create(null, options, clock);
  }

  /** A verifier of the static keys and of the trusted issuers, whose keys it fetches with {@code vertx}. */
  public static TokenVerifier create(Vertx vertx, TokenOptions options) {
    return create(vertx, options, Clock.systemUTC());
  }

  /** Like {@link #create(Vertx, TokenOptions)} with the given clock (for tests). */
  public static TokenVerifier create(Vertx vertx, TokenOptions options, Clock clock) {
    Objects.requireNonNull(options, "options");
    Objects.requireNonNull(clock, "clock");
    if (!options.hasAnyKey()) {
      throw new ConfigException("token", "no key configured");
    }
    return new TokenVerifier(vertx, options, clock);
  }

  /**
   * Fetches every issuer's keys once. Completes when each fetch succeeded or failed (a provider that
   * is down does not stop the node: its tokens fail until a later fetch succeeds).
   */
  public Future<Void> start() {
    List<Future<Void>> started = new ArrayList<>();
    issuers.values().forEach(s -> started.add(s.start()));
    return Future.join(started).mapEmpty();
  }

  /** Stops the issuers' refresh timers and HTTP clients. */
  public void close() {
    issuers.values().forEach(JwksSource::close);
  }

  /** The trusted issuers' key caches, for {@code /ready} and {@code /metrics}. */
  public List<IssuerStatus> issuerStatus() {
    List<IssuerStatus> out = new ArrayList<>();
    issuers.values().forEach(s -> out.add(s.status()));
    return out;
  }

  /** Current time in epoch seconds from the verifier's clock. */
  public long now() {
    return Math.floorDiv(clock.millis(), 1000L);
  }

  // ---- the three kinds of token

  /** A connection token; one with a {@code channel} claim is rejected. */
  public Future<ConnectToken> connectToken(String jwt) {
    return verify(jwt, Purpose.CLIENT, this::connectClaims);
  }

  /** A subscription token; it must carry a non-empty {@code channel} claim. */
  public Future<SubscriptionToken> subscriptionToken(String jwt) {
    return verify(jwt, Purpose.CLIENT, this::subscriptionClaims);
  }

  /** An ops token: the configured ops audience (and issuer), an {@code exp} within the maximum lifetime. */
  public Future<OpsToken> opsToken(String jwt) {
    return verify(jwt, Purpose.OPS, this::opsClaims);
  }

  /**
   * An OpenID Connect ID token for the dashboard's sign-in: from the trusted issuer {@code expectedIssuer},
   * {@code aud} holding {@code clientId}, {@code nonce} equal to the one the sign-in sent, an
   * {@code exp}; the user from the issuer's {@code user_claim} and the role through its {@code role_map}.
   */
  public Future<OpsToken> idToken(String jwt, String expectedIssuer, String clientId, String nonce) {
    return verify(jwt, Purpose.ID, (token, issuer) -> {
      if (issuer == null) {
        throw TokenException.invalid("ID token not from a trusted issuer");
      }
      if (!issuer.issuer().equals(expectedIssuer)) {
        throw TokenException.invalid("ID token issued by another identity provider");
      }
      if (!token.hasAudience(clientId)) {
        throw TokenException.invalid("audience mismatch");
      }
      if (nonce == null || !nonce.equals(token.claims.getValue("nonce"))) {
        throw TokenException.invalid("nonce mismatch");
      }
      if (token.claims.getValue("exp") == null) {
        throw TokenException.invalid("ID token without exp");
      }
      String user = user(token.claims, issuer);
      Role role = Role.highest(Claims.mappedRoles(token.claims, issuer));
      return new OpsToken(user, role, checkTime(token.claims, issuer.leeway().toSeconds()));
    });
  }

  /**
   * {@link #connectToken} for callers that cannot wait: a provider token whose key is not cached
   * fails with "unknown key id" (the fetch it starts serves later attempts).
   */
  public ConnectToken verifyConnectToken(String jwt) throws TokenException {
    return now(connectToken(jwt));
  }

  /** {@link #subscriptionToken} for callers that cannot wait, as {@link #verifyConnectToken}. */
  public SubscriptionToken verifySubscriptionToken(String jwt) throws TokenException {
    return now(subscriptionToken(jwt));
  }

  private static <T> T now(Future<T> f) throws TokenException {
    if (!f.isComplete()) {
      throw KeySet.unknownKey();
    }
    if (f.succeeded()) {
      return f.result();
    }
    if (f.cause() instanceof TokenException e) {
      throw e;
    }
    throw new IllegalStateException(f.cause());
  }

  // ---- verification

  /** Reads the claims a verified token is for; throws when they do not fit. */
  @FunctionalInterface
  private interface Reader<T> {
    T read(Jwt jwt, IssuerOptions issuer) throws TokenException;
  }

  private <T> Future<T> verify(String token, Purpose purpose, Reader<T> reader) {
    Jwt jwt;
    JwksSource source;
    try {
      jwt = Jwt.parse(token);
      String iss = jwt.unverifiedIssuer();
      source = iss == null ? null : issuers.get(iss);
      if (source == null) {
        checkStaticAlgorithm(jwt.alg);
        jwt.checkRegisteredClaimTypes();
        staticKeys.verify(jwt);
        checkClaims(jwt, null, purpose);
        return Future.succeededFuture(reader.read(jwt, null));
      }
      checkIssuerHeader(jwt, source.options());
      jwt.checkRegisteredClaimTypes();
    } catch (TokenException e) {
      return Future.failedFuture(e);
    }
    Future<KeySet> keys = source.keysWith(jwt.kid, jwt.alg);
    IssuerOptions issuer = source.options();
    if (keys.isComplete()) {
      return afterKeys(keys, jwt, issuer, purpose, reader);
    }
    Context caller = Vertx.currentContext();
    Promise<T> result = Promise.promise();
    keys.onComplete(ar -> {
      if (caller == null || caller == Vertx.currentContext()) {
        result.handle(afterKeys(keys, jwt, issuer, purpose, reader));
      } else {
        caller.runOnContext(v -> result.handle(afterKeys(keys, jwt, issuer, purpose, reader)));
      }
    });
    return result.future();
  }

  private <T> Future<T> afterKeys(Future<KeySet> keys, Jwt jwt, IssuerOptions issuer, Purpose purpose,
                                  Reader<T> reader) {
    try {
      if (keys.failed()) {
        throw keys.cause() instanceof TokenException e ? e : KeySet.unknownKey();
      }
      keys.result().verify(jwt);
      checkClaims(jwt, issuer, purpose);
      return Future.succeededFuture(reader.read(jwt, issuer));
    } catch (TokenException e) {
      return Future.failedFuture(e);
    }
  }

  private void checkStaticAlgorithm(String name) throws TokenException {
    Algorithm alg = Algorithm.byName(name);
    if (alg == null) {
      if (issuers.isEmpty() && !options.hasStaticKey()) {
        throw TokenException.invalid("unknown issuer");
      }
      throw TokenException.invalid("unsupported algorithm " + printable(name));
    }
    boolean configured = switch (alg.family) {
      case HMAC -> hmac;
      case RSA -> rsa;
      case EC -> ecAlgorithm == alg;
    };
    if (!configured) {
      if (!options.hasStaticKey()) {
        throw TokenException.invalid("unknown issuer");
      }
      throw TokenException.invalid(alg.family == JwtSigner.Family.EC && ecKey
          ? "algorithm " + alg + " does not match the ECDSA key curve (expected " + ecAlgorithm + ")"
          : "algorithm " + alg + " not configured");
    }
  }

  /** A provider's tokens: asymmetric algorithms only (its public keys must never act as HMAC secrets), an accepted {@code typ}. */
  private static void checkIssuerHeader(Jwt jwt, IssuerOptions issuer) throws TokenException {
    if (jwt.alg.startsWith("HS")) {
      throw TokenException.invalid("algorithm " + printable(jwt.alg) + " not accepted from an identity provider");
    }
    if (!PROVIDER_ALGORITHMS.contains(jwt.alg)) {
      throw TokenException.invalid("unsupported algorithm " + printable(jwt.alg));
    }
    if (jwt.typ != null && !issuer.types().contains(jwt.typ.toLowerCase(Locale.ROOT))) {
      throw TokenException.invalid("token type " + printable(jwt.typ) + " not accepted");
    }
  }

  /** Audience and issuer rules of the purpose; {@code exp} and {@code nbf} come last, in the readers. */
  private void checkClaims(Jwt jwt, IssuerOptions issuer, Purpose purpose) throws TokenException {
    if (purpose == Purpose.ID) {
      return; // the reader checks the client and the nonce
    }
    if (purpose == Purpose.OPS) {
      OpsTokenOptions ops = options.ops();
      if (!jwt.hasAudience(ops.audience())) {
        throw TokenException.invalid("not an ops token (audience mismatch)");
      }
      if (ops.issuer() != null && !ops.issuer().equals(jwt.claims.getValue("iss"))) {
        throw TokenException.invalid("issuer mismatch");
      }
      return;
    }
    if (issuer != null) {
      boolean ok = false;
      for (String audience : issuer.audiences()) {
        ok |= jwt.hasAudience(audience);
      }
      if (!ok) {
        throw TokenException.invalid("audience mismatch");
      }
      return;
    }
    if (options.audience() != null && !jwt.hasAudience(options.audience())) {
      throw TokenException.invalid("audience mismatch");
    }
    if (options.issuer() != null && !options.issuer().equals(jwt.claims.getValue("iss"))) {
      throw TokenException.invalid("issuer mismatch");
    }
  }

  private ConnectToken connectClaims(Jwt jwt, IssuerOptions issuer) throws TokenException {
    JsonObject claims = jwt.claims;
    if (claims.getValue("channel") != null) {
      throw TokenException.invalid("subscription token used as connection token");
    }
    String user = user(claims, issuer);
    String info = rawJson(claims, "info");
    List<String> channels = channels(claims);
    String meta = rawJson(claims, "meta");
    Set<String> roles = issuer != null ? Claims.mappedRoles(claims, issuer) : staticRoles(claims, options.rolesClaim(), true);
    Long expiresAt = checkTime(claims, leeway(issuer));
    return new ConnectToken(user, expiresAt, info, channels, meta, roles, opsRoleOf(jwt, issuer));
  }

  /**
   * The role a verified connection token grants when it is an ops token too (the dashboard's session
   * tokens are both), else {@code null}. Only tokens carrying the ops audience are read further.
   */
  private Role opsRoleOf(Jwt jwt, IssuerOptions issuer) {
    if (!jwt.hasAudience(options.ops().audience())) {
      return null;
    }
    try {
      checkClaims(jwt, issuer, Purpose.OPS);
      return opsClaims(jwt, issuer).role();
    } catch (TokenException e) {
      return null;
    }
  }

  private SubscriptionToken subscriptionClaims(Jwt jwt, IssuerOptions issuer) throws TokenException {
    JsonObject claims = jwt.claims;
    Object channel = claims.getValue("channel");
    if (channel == null) {
      throw TokenException.invalid("missing channel claim");
    }
    if (!(channel instanceof String ch) || ch.isEmpty()) {
      throw TokenException.invalid("invalid channel claim");
    }
    String user = user(claims, issuer);
    String info = rawJson(claims, "info");
    Long expiresAt = checkTime(claims, leeway(issuer));
    return new SubscriptionToken(user, ch, expiresAt, info);
  }

  private OpsToken opsClaims(Jwt jwt, IssuerOptions issuer) throws TokenException {
    JsonObject claims = jwt.claims;
    String user = user(claims, issuer);
    Set<String> roles = issuer != null ? Claims.mappedRoles(claims, issuer)
        : staticRoles(claims, options.ops().rolesClaim(), false);
    long leeway = leeway(issuer);
    if (claims.getValue("exp") == null) {
      throw TokenException.invalid("ops tokens must carry exp");
    }
    long max = options.ops().maxLifetime().toSeconds();
    long exp = floor((Number) claims.getValue("exp"));
    if (claims.getValue("iat") instanceof Number iat && exp - floor(iat) > max) {
      throw TokenException.invalid("ops token lives longer than token.ops.max_lifetime");
    }
    if (exp - now() > max + leeway) {
      throw TokenException.invalid("ops token lives longer than token.ops.max_lifetime");
    }
    Long expiresAt = checkTime(claims, leeway);
    return new OpsToken(user, Role.highest(roles), expiresAt);
  }

  private long leeway(IssuerOptions issuer) {
    return issuer != null ? issuer.leeway().toSeconds() : options.leewaySeconds();
  }

  /** Checks {@code nbf}, then {@code exp}; returns {@code exp} (rounded down) or {@code null}. */
  private Long checkTime(JsonObject claims, long leeway) throws TokenException {
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

  private static String user(JsonObject claims, IssuerOptions issuer) throws TokenException {
    if (issuer == null) {
      Object sub = claims.getValue("sub");
      return sub == null ? "" : (String) sub;
    }
    if (!(Claims.at(claims, issuer.userClaim()) instanceof String user) || user.isEmpty()) {
      throw TokenException.invalid("missing or invalid " + issuer.userClaim() + " claim");
    }
    return user;
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
   * Roles from {@code claim}, a string or an array of strings; for client tokens with the default
   * claim {@code roles}, a single {@code role} string is read too (ops tokens read only the one claim).
   */
  private static Set<String> staticRoles(JsonObject claims, String claim, boolean singularToo) throws TokenException {
    Set<String> roles = new LinkedHashSet<>();
    addRoles(roles, claims.getValue(claim), claim);
    if (singularToo && TokenOptions.DEFAULT_ROLES_CLAIM.equals(claim)) {
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
  static String printable(String s) {
    return printable(s, 20);
  }

  /** {@link #printable(String)} keeping up to {@code max} characters. */
  static String printable(String s, int max) {
    String t = s.length() > max ? s.substring(0, max) + "..." : s;
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
