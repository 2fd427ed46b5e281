package io.fluxer.relay.auth;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Reads and writes PEM text: {@code PUBLIC KEY} (X.509 SubjectPublicKeyInfo) and
 * {@code PRIVATE KEY} (PKCS#8) for RSA and EC keys. Parse errors are reported as
 * {@link IllegalArgumentException} with a short description of the problem.
 */
public final class Pem {
  private static final String PUBLIC = "PUBLIC KEY";
  private static final String PRIVATE = "PRIVATE KEY";

  private Pem() {
  }

  /** Parses an RSA public key from {@code -----BEGIN PUBLIC KEY-----} PEM text. */
  public static RSAPublicKey parseRsaPublicKey(String pem) {
    PublicKey key = parsePublicKey(pem, "RSA");
    if (!(key instanceof RSAPublicKey rsa) || !"RSA".equals(key.getAlgorithm())) {
      throw new IllegalArgumentException("not an RSA public key");
    }
    return rsa;
  }

  /** Parses an EC public key from {@code -----BEGIN PUBLIC KEY-----} PEM text. */
  public static ECPublicKey parseEcPublicKey(String pem) {
    PublicKey key = parsePublicKey(pem, "EC");
    if (!(key instanceof ECPublicKey ec)) {
      throw new IllegalArgumentException("not an EC public key");
    }
    return ec;
  }

  /** Parses a PKCS#8 {@code -----BEGIN PRIVATE KEY-----} of the given algorithm ("RSA" or "EC"). */
  public static PrivateKey parsePrivateKey(String pem, String algorithm) {
    byte[] der = decode(pem, PRIVATE);
    try {
      return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("not a valid " + algorithm + " private key");
    }
  }

  /** PEM text of a public key ({@code PUBLIC KEY}, 64-character lines). */
  public static String toPem(PublicKey key) {
    return encode(key, PUBLIC);
  }

  /** PEM text of a private key ({@code PRIVATE KEY}, PKCS#8, 64-character lines). */
  public static String toPem(PrivateKey key) {
    return encode(key, PRIVATE);
  }

  private static PublicKey parsePublicKey(String pem, String algorithm) {
    byte[] der = decode(pem, PUBLIC);
    try {
      return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException("not a valid " + algorithm + " public key");
    }
  }

  /**
   * Returns the DER bytes of the first block with the given label. Text around the block is
   * ignored; literal {@code \n} sequences (common in environment variables) count as newlines.
   */
  private static byte[] decode(String pem, String label) {
    if (pem == null) {
      throw new IllegalArgumentException("no PEM text");
    }
    String text = pem.replace("\\n", "\n");
    String begin = "-----BEGIN " + label + "-----";
    String end = "-----END " + label + "-----";
    int from = text.indexOf(begin);
    if (from < 0) {
      throw new IllegalArgumentException("expected PEM text starting with " + begin);
    }
    from += begin.length();
    int to = text.indexOf(end, from);
    if (to < 0) {
      throw new IllegalArgumentException("missing " + end);
    }
    String body = text.substring(from, to).replaceAll("\\s+", "");
    if (body.isEmpty()) {
      throw new IllegalArgumentException("empty PEM block");
    }
    try {
      return Base64.getDecoder().decode(body);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("invalid base64 in PEM block");
    }
  }

  private static String encode(Key key, String label) {
    byte[] der = key.getEncoded();
    if (der == null) {
      throw new IllegalArgumentException("key has no encoded form");
    }
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
    return "-----BEGIN " + label + "-----\n" + body + "\n-----END " + label + "-----\n";
  }
}
