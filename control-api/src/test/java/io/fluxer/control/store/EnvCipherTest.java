package io.fluxer.control.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

class EnvCipherTest {
  private final EnvCipher cipher = EnvCipher.fromBase64(Base64.getEncoder().encodeToString(new byte[32]));

  @Test
  void roundTripWithANewNonceEachTime() {
    Map<String, String> env = Map.of("A", "1", "PASSWORD", "pä$$ \"quoted\"");
    String one = cipher.encrypt(env, "shop", 3);
    String two = cipher.encrypt(env, "shop", 3);

    assertThat(one).isNotEqualTo(two);
    assertThat(cipher.decrypt(one, "shop", 3)).isEqualTo(env);
  }

  @Test
  void boundToItsStackAndRevision() {
    String sealed = cipher.encrypt(Map.of("A", "1"), "shop", 3);

    assertThatThrownBy(() -> cipher.decrypt(sealed, "shop", 4)).isInstanceOf(EnvCipher.StoreCryptoException.class);
    assertThatThrownBy(() -> cipher.decrypt(sealed, "other", 3)).isInstanceOf(EnvCipher.StoreCryptoException.class);
  }

  @Test
  void alteredOrForeignDataIsRefused() {
    String sealed = cipher.encrypt(Map.of("A", "1"), "shop", 3);
    char[] chars = sealed.toCharArray();
    chars[10] = chars[10] == 'A' ? 'B' : 'A';

    assertThatThrownBy(() -> cipher.decrypt(new String(chars), "shop", 3)).hasMessageContaining("altered");
    assertThatThrownBy(() -> cipher.decrypt("plain text", "shop", 3)).hasMessageContaining("unknown format");
    assertThatThrownBy(() -> EnvCipher.fromBase64("c2hvcnQ=")).hasMessageContaining("32 bytes");
  }

  @Test
  void noTwoContextsShareAssociatedData() {
    // joined with newlines (v1), stack 5's webhook secret was bound like stack hook's environment at revision 5
    String hookSecretOfStack5 = cipher.encrypt(Map.of("secret", "s3cr3t"), EnvCipher.Context.hookSecret("5"));

    assertThat(hookSecretOfStack5).startsWith("v2:");
    assertThatThrownBy(() -> cipher.decrypt(hookSecretOfStack5, "hook", 5))
        .isInstanceOf(EnvCipher.StoreCryptoException.class);
    assertThatThrownBy(() -> cipher.decrypt(cipher.encrypt(Map.of("A", "1"), EnvCipher.Context.files("shop", 3)),
        "shop", 3)).isInstanceOf(EnvCipher.StoreCryptoException.class);
    assertThat(cipher.decrypt(hookSecretOfStack5, EnvCipher.Context.hookSecret("5"), "it")).containsEntry("secret", "s3cr3t");
  }

  @Test
  void valuesStoredBeforeVersion2StillOpen() throws Exception {
    assertThat(cipher.decrypt(sealedV1("{\"A\":\"1\"}", "shop\n3"), "shop", 3)).isEqualTo(Map.of("A", "1"));
    assertThat(cipher.decrypt(sealedV1("{\"secret\":\"x\"}", "hook\nshop"), EnvCipher.Context.hookSecret("shop"),
        "it")).isEqualTo(Map.of("secret", "x"));
    assertThatThrownBy(() -> cipher.decrypt(sealedV1("{}", "shop\n3"), "shop", 4))
        .isInstanceOf(EnvCipher.StoreCryptoException.class);
  }

  /** What version 1 stored: AES-GCM under the all-zero test key with the context's text as associated data. */
  private static String sealedV1(String json, String context) throws Exception {
    byte[] nonce = new byte[12];
    Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
    c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(new byte[32], "AES"), new GCMParameterSpec(128, nonce));
    c.updateAAD(context.getBytes(StandardCharsets.UTF_8));
    byte[] sealed = c.doFinal(json.getBytes(StandardCharsets.UTF_8));
    byte[] out = new byte[12 + sealed.length];
    System.arraycopy(sealed, 0, out, 12, sealed.length);
    return "v1:" + Base64.getEncoder().encodeToString(out);
  }
}
