package io.fluxer.control.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The webhook signature header: what parses, what is refused, and what a signature covers. */
class HookSignatureTest {
  private static final String SECRET = "s3cr3t";
  private static final String BODY = "{\"tags\": {\"web\": \"2\"}}";

  @Test
  @DisplayName("A signed header parses and signs that body at that time only")
  void signsBodyAndTime() {
    String header = HookSignature.sign(SECRET, 1_700_000_000L, BODY);
    assertThat(header).startsWith("t=1700000000,v1=").hasSize("t=1700000000,v1=".length() + 64);
    HookSignature s = HookSignature.parse(header);
    assertThat(s.timestamp()).isEqualTo(1_700_000_000L);
    assertThat(s.signs(SECRET, BODY)).isTrue();
    assertThat(s.signs(SECRET, BODY + " ")).as("another body").isFalse();
    assertThat(s.signs("other", BODY)).as("another secret").isFalse();
    // the same signature with another time does not hold: t is signed with the body
    String moved = header.replace("t=1700000000", "t=1700000001");
    assertThat(HookSignature.parse(moved).signs(SECRET, BODY)).isFalse();
  }

  @Test
  @DisplayName("Several v1 (a sender rotating secrets) and other schemes are accepted; one match is enough")
  void severalSignatures() {
    String good = HookSignature.sign(SECRET, 42, BODY).substring("t=42,".length());
    String header = "t=42, v0=whatever, v1=" + "ab".repeat(32) + " ," + good;
    HookSignature s = HookSignature.parse(header);
    assertThat(s.signatures()).hasSize(2);
    assertThat(s.signs(SECRET, BODY)).isTrue();
    assertThat(s.signs("old", BODY)).isFalse();
  }

  @Test
  @DisplayName("Malformed headers are refused with a reason that never echoes the value")
  void malformed() {
    String v1 = "v1=" + "0".repeat(64);
    for (String bad : new String[] {null, "", "sha256=" + "0".repeat(64), v1, "t=1", "t=1,t=2," + v1, "t=x," + v1,
        "t=-1," + v1, "t=," + v1, "t=1234567890123," + v1, "t=1,v1=abc", "t=1,v1=" + "g".repeat(64), "t=1," + v1 + ",",
        "t=1,," + v1, "=1," + v1, "t1," + v1, "t=1," + (v1 + ",").repeat(6).replaceAll(",$", "")}) {
      assertThatThrownBy(() -> HookSignature.parse(bad)).as("%s", bad).isInstanceOf(IllegalArgumentException.class)
          .satisfies(e -> assertThat(e.getMessage()).doesNotContain("0".repeat(64)));
    }
  }

  @Test
  @DisplayName("A header over the length cap is refused before it is scanned")
  void tooLong() {
    String header = "t=1,v1=" + "0".repeat(64) + ",x=" + "y".repeat(HookSignature.MAX_LENGTH);
    assertThatThrownBy(() -> HookSignature.parse(header)).hasMessageContaining("longer than");
    // at the cap it parses (unknown elements are skipped)
    String fits = "t=1,v1=" + "0".repeat(64) + ",x=";
    fits = fits + "y".repeat(HookSignature.MAX_LENGTH - fits.length());
    assertThat(HookSignature.parse(fits).signatures()).hasSize(1);
  }

  @Test
  @DisplayName("The MAC is HMAC-SHA256 (RFC 4231 test case 2)")
  void knownVector() {
    assertThat(HexFormat.of().formatHex(HookSignature.mac("Jefe", "what do ya want for nothing?")))
        .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  }
}
