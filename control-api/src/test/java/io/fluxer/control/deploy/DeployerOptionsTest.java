package io.fluxer.control.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeployerOptionsTest {

  @Test
  void theMonitorHoldComesFromTheSpecWithinBounds() {
    DeployerOptions options = DeployerOptions.defaults();
    assertThat(options.monitor(null)).isEqualTo(DeployerOptions.DEFAULT_MONITOR);
    assertThat(options.monitor(Duration.ofSeconds(1).toNanos())).isEqualTo(Duration.ofSeconds(1));
    assertThat(options.monitor(0L)).isEqualTo(Duration.ZERO);
    assertThat(options.monitor(Duration.ofMinutes(10).toNanos())).isEqualTo(DeployerOptions.DEFAULT_MAX_MONITOR);
  }

  @Test
  void badDurationsAreRefused() {
    assertThatThrownBy(() -> DeployerOptions.defaults().withDeadline(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("deadline");
    assertThatThrownBy(() -> DeployerOptions.defaults().withPollInterval(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pollInterval");
    assertThat(DeployerOptions.defaults().withDeadline(Duration.ofSeconds(5)).deadline()).isEqualTo(Duration.ofSeconds(5));
  }
}
