package io.fluxer.control.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.fluxer.control.api.ControlError;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ServiceLogsParamsTest {

  @Test
  void sinceTakesRfc3339OrUnixSeconds() {
    assertThat(ServiceLogs.since(null)).isNull();
    assertThat(ServiceLogs.since("")).isNull();
    assertThat(ServiceLogs.since("2026-11-23T10:42:00Z")).isEqualTo(Instant.parse("2026-11-23T10:42:00Z"));
    assertThat(ServiceLogs.since("2026-11-23T11:42:00.5+01:00")).isEqualTo(Instant.parse("2026-11-23T10:42:00.5Z"));
    assertThat(ServiceLogs.since("1795433317")).isEqualTo(Instant.ofEpochSecond(1795433317));
    assertThat(ServiceLogs.since("1795433317.25")).isEqualTo(Instant.ofEpochSecond(1795433317, 250_000_000));
    assertThatThrownBy(() -> ServiceLogs.since("yesterday")).isInstanceOfSatisfying(ControlError.class, e -> {
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.getMessage()).contains("since must be an RFC 3339 timestamp").contains("'yesterday'");
    });
    assertThatThrownBy(() -> ServiceLogs.since("-5")).isInstanceOf(ControlError.class);
  }

  @Test
  void grepMustCompile() {
    assertThat(ServiceLogs.grep(null)).isNull();
    assertThat(ServiceLogs.grep("line-\\d+7$").matcher("line-17").find()).isTrue();
    assertThatThrownBy(() -> ServiceLogs.grep("line-(")).isInstanceOfSatisfying(ControlError.class, e -> {
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.getMessage()).isEqualTo("grep is not a valid regular expression: missing closing ) in 'line-('");
    });
  }

  @Test
  void grepRunsInLinearTime() {
    // a backtracking engine took over 10 s on one such line; the grep reads up to 10,000 lines per task
    String line = "a".repeat(67);
    var grep = ServiceLogs.grep("(.*a){12}x");
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
      for (int i = 0; i < 20; i++) {
        assertThat(grep.matcher(line).find()).isFalse();
      }
    });
    assertThat(ServiceLogs.grep("(.*a){3}x").matcher("aaax").find()).isTrue();
  }

  @Test
  void grepIsCappedAt256Characters() {
    assertThat(ServiceLogs.grep("a".repeat(256)).matcher("a".repeat(300)).find()).isTrue();
    assertThatThrownBy(() -> ServiceLogs.grep("a".repeat(257))).isInstanceOfSatisfying(ControlError.class, e -> {
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.getMessage()).isEqualTo("grep is longer than 256 characters (257)");
    });
  }
}
