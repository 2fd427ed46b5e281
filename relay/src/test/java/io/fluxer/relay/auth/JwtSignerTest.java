package io.fluxer.relay.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class JwtSignerTest {
  private static KeyPair rsa;
  private static KeyPair p256;

  @BeforeAll
  static void generateKeys() throws Exception {
    KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
    rsaGen.initialize(2048);
    rsa = rsaGen.generateKeyPair();
    KeyPairGenerator ecGen = KeyPairGenerator.getInstance("EC");
    ecGen.initialize(new ECGenParameterSpec("secp256r1"));
    p256 = ecGen.generateKeyPair();
  }

  private static String decode(String part) {
    return new String(Base64.getUrlDecoder().decode(part), StandardCharsets.UTF_8);
  }

  @Test
  void headerAndPayloadAreBase64UrlJsonWithoutPadding() {
    JsonObject claims = new JsonObject().put("sub", "42").put("info", "ü?>");
    String jwt = JwtSigner.hmac("HS384", "k".getBytes(StandardCharsets.UTF_8)).sign(claims);
    String[] parts = jwt.split("\\.", -1);
    assertThat(parts).hasSize(3);
    assertThat(jwt).doesNotContain("=", "+", "/");
    assertThat(new JsonObject(decode(parts[0])))
        .isEqualTo(new JsonObject().put("alg", "HS384").put("typ", "JWT"));
    assertThat(new JsonObject(decode(parts[1]))).isEqualTo(claims);
    assertThat(Base64.getUrlDecoder().decode(parts[2])).hasSize(48);
  }

  @Test
  void ecdsaSignatureIsFixedWidth() {
    String jwt = JwtSigner.ecdsa("ES256", p256.getPrivate()).sign(new JsonObject());
    assertThat(Base64.getUrlDecoder().decode(jwt.substring(jwt.lastIndexOf('.') + 1))).hasSize(64);
  }

  @Test
  void rejectsAlgorithmOfWrongFamily() {
    byte[] secret = "s".getBytes(StandardCharsets.UTF_8);
    assertThatThrownBy(() -> JwtSigner.hmac("RS256", secret)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JwtSigner.hmac("none", secret)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JwtSigner.hmac("HS256", new byte[0])).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JwtSigner.rsa("ES256", rsa.getPrivate())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JwtSigner.ecdsa("RS256", p256.getPrivate()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void rejectsKeyOfWrongType() {
    assertThatThrownBy(() -> JwtSigner.rsa("RS256", p256.getPrivate())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JwtSigner.ecdsa("ES256", rsa.getPrivate())).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> JwtSigner.ecdsa("ES384", p256.getPrivate()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("secp384r1");
  }

  @Test
  void pemRoundTripsKeys() {
    RSAPublicKey rsaPublic = Pem.parseRsaPublicKey(Pem.toPem(rsa.getPublic()));
    assertThat(rsaPublic.getEncoded()).isEqualTo(rsa.getPublic().getEncoded());
    ECPublicKey ecPublic = Pem.parseEcPublicKey(Pem.toPem(p256.getPublic()));
    assertThat(ecPublic.getEncoded()).isEqualTo(p256.getPublic().getEncoded());
    assertThat(Pem.parsePrivateKey(Pem.toPem(rsa.getPrivate()), "RSA").getEncoded())
        .isEqualTo(rsa.getPrivate().getEncoded());
    assertThat(Pem.parsePrivateKey(Pem.toPem(p256.getPrivate()), "EC").getEncoded())
        .isEqualTo(p256.getPrivate().getEncoded());
    assertThat(Pem.toPem(rsa.getPublic())).startsWith("-----BEGIN PUBLIC KEY-----\n")
        .endsWith("\n-----END PUBLIC KEY-----\n");
  }

  @Test
  void pemErrorsAreDescriptive() {
    assertThatThrownBy(() -> Pem.parseRsaPublicKey("-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("BEGIN PUBLIC KEY");
    assertThatThrownBy(() -> Pem.parseRsaPublicKey("-----BEGIN PUBLIC KEY-----\nAAAA"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("END PUBLIC KEY");
    assertThatThrownBy(() -> Pem.parseEcPublicKey("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
    assertThatThrownBy(() -> Pem.parseEcPublicKey(Pem.toPem(rsa.getPublic())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("EC public key");
  }
}
