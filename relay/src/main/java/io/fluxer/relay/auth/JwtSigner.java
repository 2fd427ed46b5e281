package io.fluxer.relay.auth;

import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Creates compact JWS tokens ({@code header.payload.signature}, base64url without padding) with
 * the header {@code {"alg":...,"typ":"JWT"}}. Used by tests and tools; instances are thread-safe.
 */
public final class JwtSigner {
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private final Algorithm alg;
  private final byte[] secret;
  private final PrivateKey privateKey;

  private JwtSigner(Algorithm alg, byte[] secret, PrivateKey privateKey) {
    this.alg = alg;
    this.secret = secret;
    this.privateKey = privateKey;
  }

  /** HS256, HS384 or HS512 with the given shared secret. */
  public static JwtSigner hmac(String alg, byte[] secret) {
    Algorithm a = require(alg, Family.HMAC);
    Objects.requireNonNull(secret, "secret");
    if (secret.length == 0) {
      throw new IllegalArgumentException("empty HMAC secret");
    }
    return new JwtSigner(a, secret.clone(), null);
  }

  /** RS256, RS384 or RS512 with an RSA private key. */
  public static JwtSigner rsa(String alg, PrivateKey key) {
    Algorithm a = require(alg, Family.RSA);
    if (!(key instanceof RSAPrivateKey) || !"RSA".equals(key.getAlgorithm())) {
      throw new IllegalArgumentException("not an RSA private key");
    }
    return new JwtSigner(a, null, key);
  }

  /** ES256, ES384 or ES512 with an EC private key on the matching curve (P-256, P-384, P-521). */
  public static JwtSigner ecdsa(String alg, PrivateKey key) {
    Algorithm a = require(alg, Family.EC);
    if (!(key instanceof ECPrivateKey ec)) {
      throw new IllegalArgumentException("not an EC private key");
    }
    if (!a.matchesCurve(ec.getParams())) {
      throw new IllegalArgumentException(alg + " requires an EC key on curve " + a.curveName);
    }
    return new JwtSigner(a, null, key);
  }

  /** Signs the claims and returns the compact token. */
  public String sign(JsonObject claims) {
    JsonObject header = new JsonObject().put("alg", alg.name()).put("typ", "JWT");
    return signJson(header.encode(), claims.encode());
  }

  /** Signs arbitrary header and payload text (for tests that need malformed content). */
  String signJson(String headerJson, String payloadJson) {
    String input = encode(headerJson.getBytes(StandardCharsets.UTF_8)) + "."
        + encode(payloadJson.getBytes(StandardCharsets.UTF_8));
    return input + "." + encode(signature(input.getBytes(StandardCharsets.US_ASCII)));
  }

  private byte[] signature(byte[] input) {
    try {
      if (alg.family == Family.HMAC) {
        Mac mac = Mac.getInstance(alg.jcaName);
        mac.init(new SecretKeySpec(secret, alg.jcaName));
        return mac.doFinal(input);
      }
      Signature sig = Signature.getInstance(alg.jcaName);
      sig.initSign(privateKey);
      sig.update(input);
      return sig.sign();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with " + alg, e);
    }
  }

  static String encode(byte[] bytes) {
    return ENCODER.encodeToString(bytes);
  }

  private static Algorithm require(String name, Family family) {
    Algorithm a = Algorithm.byName(name);
    if (a == null || a.family != family) {
      throw new IllegalArgumentException("unsupported " + family + " algorithm: " + name);
    }
    return a;
  }

  /** Key family of a JWS algorithm; each family verifies only with its own configured key. */
  enum Family { HMAC, RSA, EC }

  /** The supported JWS algorithms (RFC 7518); names are case-sensitive. */
  enum Algorithm {
    HS256(Family.HMAC, "HmacSHA256", null, 0),
    HS384(Family.HMAC, "HmacSHA384", null, 0),
    HS512(Family.HMAC, "HmacSHA512", null, 0),
    RS256(Family.RSA, "SHA256withRSA", null, 0),
    RS384(Family.RSA, "SHA384withRSA", null, 0),
    RS512(Family.RSA, "SHA512withRSA", null, 0),
    ES256(Family.EC, "SHA256withECDSAinP1363Format", "secp256r1", 64),
    ES384(Family.EC, "SHA384withECDSAinP1363Format", "secp384r1", 96),
    ES512(Family.EC, "SHA512withECDSAinP1363Format", "secp521r1", 132);

    final Family family;
    final String jcaName;
    /** Standard name of the only curve allowed for an ES algorithm. */
    final String curveName;
    /** Length of an ES signature (r || s, fixed width). */
    final int signatureLength;

    Algorithm(Family family, String jcaName, String curveName, int signatureLength) {
      this.family = family;
      this.jcaName = jcaName;
      this.curveName = curveName;
      this.signatureLength = signatureLength;
    }

    /** The algorithm with exactly this name, or {@code null}. */
    static Algorithm byName(String name) {
      for (Algorithm a : values()) {
        if (a.name().equals(name)) {
          return a;
        }
      }
      return null;
    }

    /** The ES algorithm whose curve these parameters describe, or {@code null}. */
    static Algorithm forCurve(ECParameterSpec params) {
      for (Algorithm a : values()) {
        if (a.family == Family.EC && a.matchesCurve(params)) {
          return a;
        }
      }
      return null;
    }

    boolean matchesCurve(ECParameterSpec params) {
      if (curveName == null || params == null) {
        return false;
      }
      ECParameterSpec std = standardParams(curveName);
      return std.getCurve().equals(params.getCurve())
          && std.getGenerator().equals(params.getGenerator())
          && std.getOrder().equals(params.getOrder())
          && std.getCofactor() == params.getCofactor();
    }

    /** True if either half of an r || s signature is zero (never valid; CVE-2022-21449). */
    static boolean hasZeroHalf(byte[] signature) {
      int half = signature.length / 2;
      return new BigInteger(1, Arrays.copyOfRange(signature, 0, half)).signum() == 0
          || new BigInteger(1, Arrays.copyOfRange(signature, half, signature.length)).signum() == 0;
    }

    private static ECParameterSpec standardParams(String curve) {
      try {
        AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
        p.init(new ECGenParameterSpec(curve));
        return p.getParameterSpec(ECParameterSpec.class);
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("curve " + curve + " not available", e);
      }
    }
  }
}
