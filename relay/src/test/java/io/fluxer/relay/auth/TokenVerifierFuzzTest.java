package io.fluxer.relay.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.fluxer.relay.config.TokenOptions;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz targets: JWTs from clients. Whatever the token, verification either succeeds or fails with
 * {@link TokenException} (the client gets a clear token error); nothing else may escape.
 * {@link #signedClaims} signs the fuzzed header and payload with the configured secret, so that the
 * claim checks behind the signature check are reached too.
 */
class TokenVerifierFuzzTest {
  private static final String SECRET = "fuzz-secret-fuzz-secret-fuzz-secret-0123";
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC);
  private static final TokenVerifier VERIFIER =
      TokenVerifier.create(new TokenOptions(SECRET, null, null, null, null, 5), CLOCK);
  private static final TokenVerifier CHECKING =
      TokenVerifier.create(new TokenOptions(SECRET, null, null, "fluxer", "issuer", 0, "https://x/roles"), CLOCK);
  private static final String DEFAULT_HEADER = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  @FuzzTest
  @Timeout(10)
  void arbitraryToken(byte[] input) {
    verifyBoth(VERIFIER, new String(input, StandardCharsets.UTF_8));
  }

  /** Input: the header JSON, a NUL byte, the payload bytes; without a NUL, all of it is the payload. */
  @FuzzTest
  @Timeout(10)
  void signedClaims(byte[] input) throws Exception {
    int nul = indexOf(input, (byte) 0);
    byte[] header = nul < 0 ? DEFAULT_HEADER.getBytes(StandardCharsets.UTF_8) : Arrays.copyOf(input, nul);
    byte[] payload = nul < 0 ? input : Arrays.copyOfRange(input, nul + 1, input.length);
    String signingInput = B64.encodeToString(header) + "." + B64.encodeToString(payload);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    String jwt = signingInput + "." + B64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
    verifyBoth(VERIFIER, jwt);
    verifyBoth(CHECKING, jwt);
  }

  private static void verifyBoth(TokenVerifier verifier, String jwt) {
    try {
      ConnectToken token = verifier.verifyConnectToken(jwt);
      assertThat(token.user()).isNotNull();
      assertThat(token.channels()).doesNotContainNull().doesNotContain("");
      assertThat(token.roles()).doesNotContainNull().doesNotContain("");
      if (token.expiresAt() != null) {
        assertThat(token.expiresAt()).isGreaterThanOrEqualTo(verifier.now() - 5);
      }
    } catch (TokenException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
    try {
      SubscriptionToken token = verifier.verifySubscriptionToken(jwt);
      assertThat(token.channel()).isNotEmpty();
      assertThat(token.user()).isNotNull();
    } catch (TokenException e) {
      assertThat(e.getMessage()).isNotBlank();
    }
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
