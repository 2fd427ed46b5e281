package io.fluxer.control.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.StringJoiner;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzz target: the {@code X-Fluxer-Signature} header of a webhook call, read before the caller is
 * known. It either parses or fails with IllegalArgumentException (the hook answers 401); a parsed
 * header written back canonically parses to the same value, and signs a body only with its secret.
 */
class HookSignatureFuzzTest {
  @FuzzTest
  @Timeout(10)
  void parse(byte[] input) {
    String header = new String(input, StandardCharsets.UTF_8);
    HookSignature sig;
    try {
      sig = HookSignature.parse(header);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    assertThat(sig.timestamp()).isNotNegative();
    assertThat(sig.signatures()).isNotEmpty().hasSizeLessThanOrEqualTo(HookSignature.MAX_SIGNATURES)
        .allSatisfy(s -> assertThat(s).hasSize(32));

    StringJoiner canonical = new StringJoiner(",").add("t=" + sig.timestamp());
    sig.signatures().forEach(s -> canonical.add("v1=" + HexFormat.of().formatHex(s)));
    HookSignature again = HookSignature.parse(canonical.toString());
    assertThat(again.timestamp()).isEqualTo(sig.timestamp());
    assertThat(again.signatures()).zipSatisfy(sig.signatures(), (a, b) -> assertThat(a).isEqualTo(b));

    HookSignature signed = HookSignature.parse(HookSignature.sign("secret", sig.timestamp(), header));
    assertThat(signed.signs("secret", header)).isTrue();
    assertThat(signed.signs("other", header)).isFalse();
  }
}
