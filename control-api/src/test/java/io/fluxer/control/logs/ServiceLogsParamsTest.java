package io.fluxer.control.logs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxer.control.api.ControlError;
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
      assertThat(e.getMessage()).startsWith("grep is not a valid regular expression: Unclosed group");
    });
  }
}
