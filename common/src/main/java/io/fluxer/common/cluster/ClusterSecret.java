package io.fluxer.common.cluster;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keys derived from {@code cluster.signing_key}, one per purpose, so that no derived value reveals
 * the key or another purpose's key: {@code HMAC-SHA256(signing key, purpose)}.
 */
public final class ClusterSecret {
  /** The purpose of the key that seals control requests. */
  static final String CONTROL_SEAL = "fluxer control seal v1";
  /** The purpose of the Hazelcast cluster name's suffix. */
  static final String CLUSTER_NAME = "fluxer hazelcast cluster name v1";

  private ClusterSecret() {}

  /** The 32-byte key for {@code purpose}. */
  static byte[] derive(byte[] signingKey, String purpose) {
    return hmac(signingKey, purpose.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The suffix of the Hazelcast cluster name: 32 hex digits derived from the signing key. Members
   * without the key get another cluster name, and Hazelcast refuses their join.
   */
  public static String clusterNameSuffix(String signingKey) {
    byte[] derived = derive(signingKey.getBytes(StandardCharsets.UTF_8), CLUSTER_NAME);
    return HexFormat.of().formatHex(derived, 0, 16);
  }

  static byte[] hmac(byte[] key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }
}
