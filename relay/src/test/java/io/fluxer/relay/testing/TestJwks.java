package io.fluxer.relay.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * Signing keys for tests as JWKs, made and used with the JDK only: RSA 2048 (RS256), EC P-256,
 * P-384, P-521 (ES256, ES384, ES512) and Ed25519 (EdDSA). Tests hand the private JWKs to
 * {@link OidcTestProvider}, verify what it signs, and mint their own compact JWTs.
 */
public final class TestJwks {
  /** The algorithms a key can be made for. */
  public static final List<String> ALGORITHMS = List.of("RS256", "ES256", "ES384", "ES512", "EdDSA");

  /** The X.509 SubjectPublicKeyInfo prefix of an Ed25519 key; the raw 32-byte key follows it. */
  private static final byte[] ED25519_X509_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");

  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64_DECODER = Base64.getUrlDecoder();

  /** A key pair with its JWK {@code kid} and {@code alg}. */
  public record Key(String kid, String alg, KeyPair keyPair) {
    /** The JWK with private parts, as an identity provider's configuration holds it. */
    public JsonObject privateJwk() {
      return jwk(this, true);
    }

    /** The JWK without private parts, as a JWKS document publishes it. */
    public JsonObject publicJwk() {
      return jwk(this, false);
    }

    public PublicKey publicKey() {
      return keyPair.getPublic();
    }
  }

  private TestJwks() {}

  /** A new key for {@code alg} (one of {@link #ALGORITHMS}). */
  public static Key generate(String alg, String kid) {
    try {
      KeyPairGenerator generator;
      switch (alg) {
        case "RS256" -> {
          generator = KeyPairGenerator.getInstance("RSA");
          generator.initialize(2048);
        }
        case "ES256", "ES384", "ES512" -> {
          generator = KeyPairGenerator.getInstance("EC");
          generator.initialize(new ECGenParameterSpec(jdkCurve(alg)));
        }
        case "EdDSA" -> generator = KeyPairGenerator.getInstance("Ed25519");
        default -> throw new IllegalArgumentException("unsupported alg " + alg + "; use one of " + ALGORITHMS);
      }
      return new Key(kid, alg, generator.generateKeyPair());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate a " + alg + " key", e);
    }
  }

  /** One new key per algorithm of {@link #ALGORITHMS}, with kid {@code <prefix>-<alg lower case>}. */
  public static List<Key> oneOfEach(String kidPrefix) {
    return ALGORITHMS.stream().map(alg -> generate(alg, kidPrefix + "-" + alg.toLowerCase())).toList();
  }

  /** A JWKS document ({@code {"keys":[...]}}) of the keys, with or without private parts. */
  public static JsonObject jwks(List<Key> keys, boolean withPrivateParts) {
    JsonArray array = new JsonArray();
    keys.forEach(k -> array.add(withPrivateParts ? k.privateJwk() : k.publicJwk()));
    return new JsonObject().put("keys", array);
  }

  /**
   * A compact JWS of {@code payload} signed with {@code key}; the header is exactly {@code header}
   * (the caller picks {@code alg}, {@code kid}, {@code typ}, so it can also lie about them).
   */
  public static String sign(Key key, JsonObject header, JsonObject payload) {
    String signingInput = b64(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
        + b64(payload.encode().getBytes(StandardCharsets.UTF_8));
    try {
      Signature signer = Signature.getInstance(jdkSignature(key.alg()));
      signer.initSign(key.keyPair().getPrivate());
      signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + b64(signer.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with " + key.alg(), e);
    }
  }

  /** A compact JWS with header {@code {"alg":<key's alg>,"kid":<key's kid>,"typ":"JWT"}}. */
  public static String sign(Key key, JsonObject payload) {
    return sign(key, new JsonObject().put("alg", key.alg()).put("kid", key.kid()).put("typ", "JWT"), payload);
  }

  /** Whether the compact JWS {@code jwt} carries a valid {@code alg} signature by {@code publicKey}. */
  public static boolean verify(String jwt, String alg, PublicKey publicKey) {
    int lastDot = jwt.lastIndexOf('.');
    try {
      Signature verifier = Signature.getInstance(jdkSignature(alg));
      verifier.initVerify(publicKey);
      verifier.update(jwt.substring(0, lastDot).getBytes(StandardCharsets.US_ASCII));
      return verifier.verify(B64_DECODER.decode(jwt.substring(lastDot + 1)));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /** The JDK public key of a public JWK (RSA, EC P-256/384/521, OKP Ed25519). */
  public static PublicKey publicKey(JsonObject jwk) {
    try {
      return switch (jwk.getString("kty")) {
        case "RSA" -> KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(
            unsigned(jwk.getString("n")), unsigned(jwk.getString("e"))));
        case "EC" -> {
          AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
          parameters.init(new ECGenParameterSpec(jdkCurve(algOfCurve(jwk.getString("crv")))));
          ECPoint point = new ECPoint(unsigned(jwk.getString("x")), unsigned(jwk.getString("y")));
          yield KeyFactory.getInstance("EC").generatePublic(
              new ECPublicKeySpec(point, parameters.getParameterSpec(ECParameterSpec.class)));
        }
        case "OKP" -> {
          if (!"Ed25519".equals(jwk.getString("crv"))) {
            throw new IllegalArgumentException("unsupported OKP curve " + jwk.getString("crv"));
          }
          byte[] raw = B64_DECODER.decode(jwk.getString("x"));
          byte[] encoded = Arrays.copyOf(ED25519_X509_PREFIX, ED25519_X509_PREFIX.length + raw.length);
          System.arraycopy(raw, 0, encoded, ED25519_X509_PREFIX.length, raw.length);
          yield KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(encoded));
        }
        default -> throw new IllegalArgumentException("unsupported kty in " + jwk.encode());
      };
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("not a usable public JWK: " + jwk.encode(), e);
    }
  }

  private static JsonObject jwk(Key key, boolean withPrivateParts) {
    JsonObject jwk = new JsonObject();
    PublicKey pub = key.keyPair().getPublic();
    PrivateKey priv = key.keyPair().getPrivate();
    switch (key.alg()) {
      case "RS256" -> {
        RSAPublicKey rsa = (RSAPublicKey) pub;
        jwk.put("kty", "RSA").put("n", b64(rsa.getModulus())).put("e", b64(rsa.getPublicExponent()));
        if (withPrivateParts) {
          RSAPrivateCrtKey crt = (RSAPrivateCrtKey) priv;
          jwk.put("d", b64(crt.getPrivateExponent())).put("p", b64(crt.getPrimeP())).put("q", b64(crt.getPrimeQ()))
              .put("dp", b64(crt.getPrimeExponentP())).put("dq", b64(crt.getPrimeExponentQ()))
              .put("qi", b64(crt.getCrtCoefficient()));
        }
      }
      case "ES256", "ES384", "ES512" -> {
        int size = coordinateBytes(key.alg());
        ECPoint w = ((ECPublicKey) pub).getW();
        jwk.put("kty", "EC").put("crv", curve(key.alg()))
            .put("x", b64(fixed(w.getAffineX(), size))).put("y", b64(fixed(w.getAffineY(), size)));
        if (withPrivateParts) {
          jwk.put("d", b64(fixed(((ECPrivateKey) priv).getS(), size)));
        }
      }
      case "EdDSA" -> {
        byte[] encoded = pub.getEncoded();
        if (encoded.length != ED25519_X509_PREFIX.length + 32
            || !Arrays.equals(encoded, 0, ED25519_X509_PREFIX.length, ED25519_X509_PREFIX, 0, ED25519_X509_PREFIX.length)) {
          throw new IllegalStateException("unexpected Ed25519 X.509 encoding: " + HexFormat.of().formatHex(encoded));
        }
        jwk.put("kty", "OKP").put("crv", "Ed25519")
            .put("x", b64(Arrays.copyOfRange(encoded, ED25519_X509_PREFIX.length, encoded.length)));
        if (withPrivateParts) {
          byte[] raw = ((EdECPrivateKey) priv).getBytes()
              .orElseThrow(() -> new IllegalStateException("the Ed25519 private key hides its bytes"));
          jwk.put("d", b64(raw));
        }
      }
      default -> throw new IllegalStateException("unsupported alg " + key.alg());
    }
    return jwk.put("kid", key.kid()).put("alg", key.alg()).put("use", "sig");
  }

  private static String jdkSignature(String alg) {
    return switch (alg) {
      case "RS256" -> "SHA256withRSA";
      // P1363 is JOSE's fixed-length r||s, not DER
      case "ES256" -> "SHA256withECDSAinP1363Format";
      case "ES384" -> "SHA384withECDSAinP1363Format";
      case "ES512" -> "SHA512withECDSAinP1363Format";
      case "EdDSA" -> "Ed25519";
      default -> throw new IllegalArgumentException("unsupported alg " + alg);
    };
  }

  private static String curve(String alg) {
    return switch (alg) {
      case "ES256" -> "P-256";
      case "ES384" -> "P-384";
      case "ES512" -> "P-521";
      default -> throw new IllegalArgumentException("not an ECDSA alg: " + alg);
    };
  }

  private static String algOfCurve(String crv) {
    return switch (crv) {
      case "P-256" -> "ES256";
      case "P-384" -> "ES384";
      case "P-521" -> "ES512";
      default -> throw new IllegalArgumentException("unsupported EC curve " + crv);
    };
  }

  private static String jdkCurve(String alg) {
    return switch (alg) {
      case "ES256" -> "secp256r1";
      case "ES384" -> "secp384r1";
      case "ES512" -> "secp521r1";
      default -> throw new IllegalArgumentException("not an ECDSA alg: " + alg);
    };
  }

  private static int coordinateBytes(String alg) {
    return switch (alg) {
      case "ES256" -> 32;
      case "ES384" -> 48;
      case "ES512" -> 66;
      default -> throw new IllegalArgumentException("not an ECDSA alg: " + alg);
    };
  }

  /** {@code value} big-endian, left-padded with zeros to exactly {@code size} bytes. */
  private static byte[] fixed(BigInteger value, int size) {
    byte[] bytes = value.toByteArray();
    int start = bytes.length > size ? bytes.length - size : 0;
    byte[] out = new byte[size];
    System.arraycopy(bytes, start, out, size - (bytes.length - start), bytes.length - start);
    return out;
  }

  /** The minimal unsigned big-endian bytes (RFC 7518 for n, e and the RSA private parts). */
  private static String b64(BigInteger value) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      bytes = Arrays.copyOfRange(bytes, 1, bytes.length);
    }
    return b64(bytes);
  }

  private static String b64(byte[] bytes) {
    return B64.encodeToString(bytes);
  }

  private static BigInteger unsigned(String base64url) {
    return new BigInteger(1, B64_DECODER.decode(base64url));
  }
}
