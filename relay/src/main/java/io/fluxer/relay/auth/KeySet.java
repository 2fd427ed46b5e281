package io.fluxer.relay.auth;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.impl.jose.JWK;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.NoSuchKeyIdException;
import java.math.BigInteger;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * An immutable set of verification keys. Signatures are verified by Vert.x Auth ({@link JWTAuth}
 * built from the keys as JWKs); in front of it sit the checks it lacks: the signature must have the
 * exact length of its algorithm and key (Vert.x turns a DER-encoded ECDSA signature into a valid one
 * and pads a short RSA signature), and neither half of an ECDSA signature may be zero
 * (CVE-2022-21449). A new key set replaces the old one whole when a JWKS changes.
 */
final class KeySet {
  static final KeySet EMPTY = new KeySet(null, List.of());
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();
  private static final int MIN_RSA_BITS = 2048;
  private static final io.fluxer.relay.engine.FailureLog UNEXPECTED = new io.fluxer.relay.engine.FailureLog(
      System.getLogger(KeySet.class.getName()), "Vert.x Auth threw while verifying a token", 60_000);

  /**
   * One key for one algorithm.
   *
   * @param id the JWK's {@code kid}, or {@code null}
   * @param alg the JWS algorithm it verifies
   * @param signatureLength the exact signature length in bytes, or 0 when the library's compare decides (HMAC)
   * @param jwk the public JWK with {@code alg} set
   */
  record Key(String id, String alg, int signatureLength, JsonObject jwk) {}

  private final JWTAuth auth;
  private final List<Key> keys;
  private final Set<String> kids;
  private final Set<String> algorithms;

  private KeySet(JWTAuth auth, List<Key> keys) {
    this.auth = auth;
    this.keys = List.copyOf(keys);
    Set<String> k = new LinkedHashSet<>();
    Set<String> a = new LinkedHashSet<>();
    for (Key key : keys) {
      if (key.id() != null) {
        k.add(key.id());
      }
      a.add(key.alg());
    }
    this.kids = Set.copyOf(k);
    this.algorithms = Set.copyOf(a);
  }

  /** A key set verifying with these keys ({@code vertx} may be {@code null}: no key store is read). */
  static KeySet of(Vertx vertx, List<Key> keys) {
    if (keys.isEmpty()) {
      return EMPTY;
    }
    // Time, audience and issuer are checked by TokenVerifier: it tells "expired" (the client may
    // refresh) from "invalid", with each source's own leeway; the library only verifies signatures.
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(new JWTOptions().setIgnoreExpiration(true));
    for (Key key : keys) {
      options.addJwk(key.jwk());
    }
    return new KeySet(JWTAuth.create(vertx, options), keys);
  }

  boolean hasKid(String kid) {
    return kids.contains(kid);
  }

  boolean supports(String alg) {
    return algorithms.contains(alg);
  }

  /** Distinct key ids (or, for keys without one, one per key) in the set. */
  int size() {
    Set<Object> distinct = new LinkedHashSet<>();
    for (Key key : keys) {
      distinct.add(key.id() != null ? key.id() : key.jwk());
    }
    return distinct.size();
  }

  /**
   * Verifies the signature. Throws "unknown key id" when no key of the token's algorithm has its
   * {@code kid} (the caller may fetch the JWKS again), otherwise "bad signature".
   */
  void verify(Jwt jwt) throws TokenException {
    List<Key> candidates = new ArrayList<>(2);
    for (Key key : keys) {
      if (key.alg().equals(jwt.alg) && (jwt.kid == null || key.id() == null || key.id().equals(jwt.kid))) {
        candidates.add(key);
      }
    }
    if (candidates.isEmpty()) {
      throw unknownKey();
    }
    if (!plausibleSignature(jwt, candidates)) {
      throw TokenException.invalid("bad signature");
    }
    // Vert.x Auth verifies in the calling thread (no I/O), so its future is already complete.
    Future<User> verdict;
    try {
      verdict = auth.authenticate(new TokenCredentials(jwt.token));
    } catch (RuntimeException e) {
      // the library throws on some claim shapes instead of failing (Jwt checks the ones known)
      UNEXPECTED.logThrottled(e);
      throw TokenException.invalid("token not accepted");
    }
    if (!verdict.isComplete()) {
      throw new IllegalStateException("vertx-auth-jwt answered asynchronously");
    }
    if (verdict.failed()) {
      throw verdict.cause() instanceof NoSuchKeyIdException ? unknownKey() : TokenException.invalid("bad signature");
    }
  }

  static TokenException unknownKey() {
    return TokenException.invalid("unknown key id");
  }

  private static boolean plausibleSignature(Jwt jwt, List<Key> candidates) {
    byte[] sig = jwt.signature;
    if (jwt.alg.startsWith("ES") && hasZeroHalf(sig)) {
      return false;
    }
    for (Key key : candidates) {
      if (key.signatureLength() == 0 || key.signatureLength() == sig.length) {
        return true;
      }
    }
    return false;
  }

  /** True if either half of an r || s signature is zero (never valid; CVE-2022-21449). */
  private static boolean hasZeroHalf(byte[] signature) {
    int half = signature.length / 2;
    return new BigInteger(1, Arrays.copyOfRange(signature, 0, half)).signum() == 0
        || new BigInteger(1, Arrays.copyOfRange(signature, half, signature.length)).signum() == 0;
  }

  // ---- keys from configuration and from JWKS documents

  /** HS256, HS384 and HS512 with one shared secret. */
  static List<Key> hmac(byte[] secret) {
    List<Key> out = new ArrayList<>();
    for (String alg : List.of("HS256", "HS384", "HS512")) {
      out.add(new Key(null, alg, 0, new JsonObject().put("kty", "oct").put("alg", alg).put("k", B64.encodeToString(secret))));
    }
    return out;
  }

  /** RS256, RS384 and RS512 with one RSA public key. */
  static List<Key> rsa(RSAPublicKey key) {
    JsonObject jwk = new JsonObject().put("kty", "RSA").put("n", unsigned(key.getModulus()))
        .put("e", unsigned(key.getPublicExponent()));
    List<Key> out = new ArrayList<>();
    for (String alg : List.of("RS256", "RS384", "RS512")) {
      out.add(new Key(null, alg, (key.getModulus().bitLength() + 7) / 8, jwk.copy().put("alg", alg)));
    }
    return out;
  }

  /** The ES algorithm of the key's curve with one EC public key. */
  static Key ec(ECPublicKey key, String alg, String crv, int signatureLength) {
    int size = signatureLength / 2;
    JsonObject jwk = new JsonObject().put("kty", "EC").put("crv", crv).put("alg", alg)
        .put("x", fixed(key.getW().getAffineX(), size)).put("y", fixed(key.getW().getAffineY(), size));
    return new Key(null, alg, signatureLength, jwk);
  }

  /**
   * The keys one JWKS entry yields: none for an encryption key, a symmetric key, an unknown type,
   * curve or algorithm, an RSA key under 2048 bits, or one Vert.x cannot load. A key without
   * {@code alg} verifies every algorithm of its family (RSA: RS and PS; EC: the curve's ES; OKP:
   * EdDSA); a key without {@code use} is a signing key.
   *
   * @throws IllegalArgumentException with the reason the entry was skipped
   */
  static List<Key> fromJwk(JsonObject entry) {
    if (entry.getValue("use") != null && !"sig".equals(entry.getValue("use"))) {
      throw new IllegalArgumentException("not a signing key (use " + entry.getValue("use") + ")");
    }
    Object kidValue = entry.getValue("kid");
    if (kidValue != null && !(kidValue instanceof String)) {
      throw new IllegalArgumentException("kid is not a string");
    }
    String kid = (String) kidValue;
    String kty = entry.getValue("kty") instanceof String s ? s : "";
    Object declared = entry.getValue("alg");
    if (declared != null && !(declared instanceof String)) {
      throw new IllegalArgumentException("alg is not a string");
    }
    List<String> algs;
    JsonObject pub;
    int length;
    switch (kty) {
      case "RSA" -> {
        pub = pick(entry, "kty", "n", "e");
        BigInteger n = new BigInteger(1, decode(pub, "n"));
        if (n.bitLength() < MIN_RSA_BITS) {
          throw new IllegalArgumentException("RSA key of " + n.bitLength() + " bits (at least " + MIN_RSA_BITS + ")");
        }
        length = (n.bitLength() + 7) / 8;
        algs = family(declared, List.of("RS256", "RS384", "RS512", "PS256", "PS384", "PS512"));
      }
      case "EC" -> {
        pub = pick(entry, "kty", "crv", "x", "y");
        String alg = switch (String.valueOf(entry.getValue("crv"))) {
          case "P-256" -> "ES256";
          case "P-384" -> "ES384";
          case "P-521" -> "ES512";
          default -> throw new IllegalArgumentException("unsupported curve " + entry.getValue("crv"));
        };
        length = switch (alg) {
          case "ES256" -> 64;
          case "ES384" -> 96;
          default -> 132;
        };
        algs = family(declared, List.of(alg));
      }
      case "OKP" -> {
        pub = pick(entry, "kty", "crv", "x");
        if (!"Ed25519".equals(entry.getValue("crv"))) {
          throw new IllegalArgumentException("unsupported curve " + entry.getValue("crv"));
        }
        length = 64;
        algs = family(declared, List.of("EdDSA"));
      }
      default -> throw new IllegalArgumentException("unsupported key type " + (kty.isEmpty() ? "(none)" : kty));
    }
    if (kid != null) {
      pub.put("kid", kid);
    }
    List<Key> out = new ArrayList<>();
    for (String alg : algs) {
      JsonObject jwk = pub.copy().put("alg", alg);
      try {
        new JWK(jwk); // what Vert.x cannot load would be dropped silently inside JWTAuth
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("key cannot be loaded: " + e.getMessage());
      }
      out.add(new Key(kid, alg, length, jwk));
    }
    return out;
  }

  private static List<String> family(Object declared, List<String> family) {
    if (declared == null) {
      return family;
    }
    if (!family.contains(declared)) {
      throw new IllegalArgumentException("algorithm " + declared + " does not fit the key");
    }
    return List.of((String) declared);
  }

  private static JsonObject pick(JsonObject entry, String... names) {
    JsonObject out = new JsonObject();
    for (String name : names) {
      if (!(entry.getValue(name) instanceof String s) || s.isEmpty()) {
        throw new IllegalArgumentException("missing " + name);
      }
      out.put(name, s);
    }
    return out;
  }

  private static byte[] decode(JsonObject jwk, String name) {
    try {
      return B64D.decode(jwk.getString(name));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(name + " is not base64url");
    }
  }

  private static String unsigned(BigInteger n) {
    byte[] bytes = n.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    return B64.encodeToString(bytes);
  }

  private static String fixed(BigInteger n, int size) {
    byte[] bytes = n.toByteArray();
    byte[] out = new byte[size];
    int copy = Math.min(bytes.length, size);
    System.arraycopy(bytes, bytes.length - copy, out, size - copy, copy);
    return B64.encodeToString(out);
  }
}
