package io.fluxer.relay.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
  @Test
  @DisplayName("Blocks an address after max failures until the oldest failure leaves the window")
  void slidingWindow() {
    LoginThrottle t = new LoginThrottle(3, 60_000);
    t.failed("a", 0);
    t.failed("a", 10_000);
    assertThat(t.retryAfterMillis("a", 10_000)).isZero();
    t.failed("a", 20_000);
    assertThat(t.retryAfterMillis("a", 20_000)).isEqualTo(40_000);
    assertThat(t.retryAfterMillis("b", 20_000)).as("other addresses are not affected").isZero();
    assertThat(t.retryAfterMillis("a", 59_999)).isEqualTo(1);
    assertThat(t.retryAfterMillis("a", 60_000)).as("the first failure left the window").isZero();
    t.failed("a", 60_000);
    assertThat(t.retryAfterMillis("a", 60_000)).isEqualTo(10_000);
  }

  @Test
  @DisplayName("A successful login forgets the address's failures")
  void successForgets() {
    LoginThrottle t = new LoginThrottle(1, 60_000);
    t.failed("a", 0);
    assertThat(t.retryAfterMillis("a", 1)).isPositive();
    t.succeeded("a");
    assertThat(t.retryAfterMillis("a", 1)).isZero();
  }

  @Test
  @DisplayName("The table stays bounded: addresses whose failures expired are dropped when it is full")
  void bounded() {
    LoginThrottle t = new LoginThrottle(5, 1_000);
    for (int i = 0; i < LoginThrottle.MAX_ADDRESSES; i++) {
      t.failed("old-" + i, 0);
    }
    t.failed("new", 5_000);
    assertThat(t.addresses()).isEqualTo(1);
    for (int i = 0; i < LoginThrottle.MAX_ADDRESSES + 10; i++) {
      t.failed("flood-" + i, 6_000);
    }
    assertThat(t.addresses()).isLessThanOrEqualTo(LoginThrottle.MAX_ADDRESSES);
  }
}
