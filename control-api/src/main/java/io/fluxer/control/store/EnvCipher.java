package io.fluxer.control.store;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts what control-api stores that may be secret (a revision's environment, the values fed to
 * {@code ${VAR}}, often passwords; the files it reads; webhook secrets) for storage: AES-256-GCM with
 * a random 96-bit nonce per value stored and a context (stack and revision, and what it is) bound as
 * associated data, so a ciphertext cannot be moved to another row. Stored form:
 * {@code v1:<base64(nonce ‖ ciphertext ‖ tag)>}. Thread-safe.
 */
public final class EnvCipher {
  private static final String PREFIX = "v1:";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final SecretKeySpec key;
  private final SecureRandom random = new SecureRandom();

  /** @param key 32 bytes */
  public EnvCipher(byte[] key) {
    if (key.length != 32) {
      throw new IllegalArgumentException("the key must be 32 bytes (AES-256), got " + key.length);
    }
    this.key = new SecretKeySpec(key.clone(), "AES");
  }

  /** A key given as base64 (as in config or a Docker secret): 32 bytes once decoded. */
  public static EnvCipher fromBase64(String base64) {
    byte[] key;
    try {
      key = Base64.getDecoder().decode(base64.strip());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the key is not base64");
    }
    return new EnvCipher(key);
  }

  /** Seals a revision's environment, bound to that stack and revision. */
  public String encrypt(Map<String, String> env, String stack, int revision) {
    return encrypt(env, stack + "\n" + revision);
  }

  /**
   * Seals a map of strings bound to {@code context} (authenticated, not encrypted): a value sealed for
   * one context does not open for another, so stored values cannot be swapped between rows.
   */
  public String encrypt(Map<String, String> values, String context) {
    JsonObject json = new JsonObject();
    values.forEach(json::put);
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher c = cipher(Cipher.ENCRYPT_MODE, nonce, context);
      byte[] sealed = c.doFinal(json.encode().getBytes(StandardCharsets.UTF_8));
      byte[] out = new byte[NONCE_BYTES + sealed.length];
      System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
      System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
      return PREFIX + Base64.getEncoder().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot encrypt: " + e.getMessage(), e);
    }
  }

  /** @throws StoreCryptoException when the value was sealed with another key or for another revision */
  public Map<String, String> decrypt(String stored, String stack, int revision) {
    return decrypt(stored, stack + "\n" + revision, "the environment of " + stack + " revision " + revision);
  }

  /**
   * Opens what {@link #encrypt(Map, String)} sealed for {@code context}.
   *
   * @param what names the value in the error message
   * @throws StoreCryptoException when it was sealed with another key or for another context
   */
  public Map<String, String> decrypt(String stored, String context, String what) {
    if (!stored.startsWith(PREFIX)) {
      throw new StoreCryptoException("unknown format of " + what);
    }
    byte[] in;
    try {
      in = Base64.getDecoder().decode(stored.substring(PREFIX.length()));
    } catch (IllegalArgumentException e) {
      throw new StoreCryptoException(what + " is not base64");
    }
    if (in.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new StoreCryptoException(what + " is truncated");
    }
    byte[] nonce = new byte[NONCE_BYTES];
    System.arraycopy(in, 0, nonce, 0, NONCE_BYTES);
    try {
      Cipher c = cipher(Cipher.DECRYPT_MODE, nonce, context);
      byte[] plain = c.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES);
      JsonObject json = new JsonObject(new String(plain, StandardCharsets.UTF_8));
      Map<String, String> env = new LinkedHashMap<>();
      json.forEach(e -> env.put(e.getKey(), String.valueOf(e.getValue())));
      return env;
    } catch (GeneralSecurityException e) {
      throw new StoreCryptoException("cannot decrypt " + what + ": wrong key, or the data was altered");
    }
  }

  private Cipher cipher(int mode, byte[] nonce, String context) throws GeneralSecurityException {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
    c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
    return c;
  }

  /** A stored environment that cannot be read back. */
  public static final class StoreCryptoException extends RuntimeException {
    public StoreCryptoException(String message) {
      super(message);
    }
  }
}
