package io.fluxer.control.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.Map;
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
}
