package io.fluxer.control.store;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts what control-api stores that may be secret (a revision's environment, the values fed to
 * {@code ${VAR}}, often passwords; the files it reads; webhook secrets) for storage: AES-256-GCM with
 * a random 96-bit nonce per value stored and a context (stack and revision, and what it is) bound as
 * associated data, so a ciphertext cannot be moved to another row. Stored form:
 * {@code v2:<base64(nonce ‖ ciphertext ‖ tag)>}. Thread-safe.
 *
 * <p>The associated data of {@code v2} is the context's parts, each preceded by its length, the first
 * naming what the value is: no two contexts give the same bytes. {@code v1} (written before) joined
 * the parts with newlines, so the webhook secret of stack {@code 5} ({@code hook\n5}) had the same
 * associated data as the environment of stack {@code hook} at revision 5; {@code v1} values still
 * open, and every value written now is {@code v2}.
 */
public final class EnvCipher {
  private static final String PREFIX = "v2:";
  private static final String LEGACY_PREFIX = "v1:";
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
    return encrypt(env, Context.environment(stack, revision));
  }

  /**
   * Seals a map of strings bound to {@code context} (authenticated, not encrypted): a value sealed for
   * one context does not open for another, so stored values cannot be swapped between rows.
   */
  public String encrypt(Map<String, String> values, Context context) {
    JsonObject json = new JsonObject();
    values.forEach(json::put);
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher c = cipher(Cipher.ENCRYPT_MODE, nonce, context.associatedData());
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
    return decrypt(stored, Context.environment(stack, revision),
        "the environment of " + stack + " revision " + revision);
  }

  /**
   * Opens what {@link #encrypt(Map, Context)} sealed for {@code context} (or a {@code v1} value sealed
   * for its legacy form).
   *
   * @param what names the value in the error message
   * @throws StoreCryptoException when it was sealed with another key or for another context
   */
  public Map<String, String> decrypt(String stored, Context context, String what) {
    byte[] aad;
    if (stored.startsWith(PREFIX)) {
      aad = context.associatedData();
    } else if (stored.startsWith(LEGACY_PREFIX) && context.legacy() != null) {
      aad = context.legacy().getBytes(StandardCharsets.UTF_8);
    } else {
      throw new StoreCryptoException("unknown format of " + what);
    }
    byte[] in;
    try {
      in = Base64.getDecoder().decode(stored.substring(stored.indexOf(':') + 1));
    } catch (IllegalArgumentException e) {
      throw new StoreCryptoException(what + " is not base64");
    }
    if (in.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new StoreCryptoException(what + " is truncated");
    }
    byte[] nonce = new byte[NONCE_BYTES];
    System.arraycopy(in, 0, nonce, 0, NONCE_BYTES);
    try {
      Cipher c = cipher(Cipher.DECRYPT_MODE, nonce, aad);
      byte[] plain = c.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES);
      JsonObject json = new JsonObject(new String(plain, StandardCharsets.UTF_8));
      Map<String, String> env = new LinkedHashMap<>();
      json.forEach(e -> env.put(e.getKey(), String.valueOf(e.getValue())));
      return env;
    } catch (GeneralSecurityException e) {
      throw new StoreCryptoException("cannot decrypt " + what + ": wrong key, or the data was altered");
    }
  }

  private Cipher cipher(int mode, byte[] nonce, byte[] associatedData) throws GeneralSecurityException {
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
    c.updateAAD(associatedData);
    return c;
  }

  /**
   * What a sealed value is bound to: its kind and the keys of its row.
   *
   * @param parts the kind first, then the row's keys
   * @param legacy the same context as {@code v1} wrote it, to open values stored before {@code v2};
   *               {@code null} for kinds only ever written as {@code v2} (a {@code v1} value then never opens)
   */
  public record Context(List<String> parts, String legacy) {
    public Context {
      parts = List.copyOf(parts);
    }

    /** A revision's environment. */
    public static Context environment(String stack, int revision) {
      return new Context(List.of("environment", stack, Integer.toString(revision)), stack + "\n" + revision);
    }

    /** A revision's files. */
    public static Context files(String stack, int revision) {
      return new Context(List.of("files", stack, Integer.toString(revision)), stack + "\n" + revision + "\nfiles");
    }

    /** A stack's webhook secret. */
    public static Context hookSecret(String stack) {
      return new Context(List.of("hook", stack), "hook\n" + stack);
    }

    /**
     * The password of a registry's credentials, bound to the registry host and the user name stored
     * beside it (so neither column can be changed without the password failing to open). Written as
     * {@code v2} only.
     */
    public static Context registryPassword(String host, String username) {
      return new Context(List.of("registry", host, username), null);
    }

    /** Each part as a 4-byte big-endian length and its UTF-8 bytes. */
    byte[] associatedData() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (String part : parts) {
        byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(ByteBuffer.allocate(4).putInt(bytes.length).array());
        out.writeBytes(bytes);
      }
      return out.toByteArray();
    }
  }

  /** A stored environment that cannot be read back. */
  public static final class StoreCryptoException extends RuntimeException {
    public StoreCryptoException(String message) {
      super(message);
    }
  }
}
