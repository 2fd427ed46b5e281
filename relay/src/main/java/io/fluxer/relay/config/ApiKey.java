package io.fluxer.relay.config;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/**
 * An API key for the server and ops HTTP APIs. Only the SHA-256 of the key is kept.
 *
 * @param name who or what uses the key (for logs and audit)
 * @param sha256 hex SHA-256 of the key text
 */
public record ApiKey(String name, String sha256, Role role) {
  public ApiKey {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(role, "role");
    if (sha256 == null || !sha256.matches("[0-9a-f]{64}")) {
      throw new IllegalArgumentException("sha256 must be 64 lowercase hex digits");
    }
  }

  public static ApiKey ofPlainKey(String name, String key, Role role) {
    return new ApiKey(name, hash(key), role);
  }

  /** Hex SHA-256 of a key's UTF-8 bytes. */
  public static String hash(String key) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Whether a presented key, given as its {@link #hash}, is this key; compared in constant time. */
  public boolean matchesHash(String presentedSha256) {
    return MessageDigest.isEqual(presentedSha256.getBytes(StandardCharsets.US_ASCII),
        sha256.getBytes(StandardCharsets.US_ASCII));
  }
}
