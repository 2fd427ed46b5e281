package io.fluxer.control.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Refused webhook calls per stack, counted in windows on a clock the test moves. */
class HookLimiterTest {
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final HookLimiter limiter = new HookLimiter(3, Duration.ofMinutes(1), now::get);

  @Test
  @DisplayName("After max refusals in a window a stack waits until the window ends; other stacks do not")
  void perStackWindow() {
    for (int i = 0; i < 3; i++) {
      assertThat(limiter.retryAfter("shop")).isZero();
      limiter.refused("shop");
    }
    assertThat(limiter.retryAfter("shop")).isEqualTo(60);
    assertThat(limiter.retryAfter("blog")).isZero();
    now.addAndGet(59_500);
    assertThat(limiter.retryAfter("shop")).isEqualTo(1);
    now.addAndGet(500);
    assertThat(limiter.retryAfter("shop")).as("a new window").isZero();
    limiter.refused("shop");
    assertThat(limiter.retryAfter("shop")).isZero();
  }

  @Test
  @DisplayName("Memory stays bounded: past the cap, new names share one window")
  void bounded() {
    for (int i = 0; i < HookLimiter.MAX_STACKS + 50; i++) {
      limiter.refused("stack-" + i);
    }
    limiter.refused("another");
    limiter.refused("yet-another");
    assertThat(limiter.retryAfter("stack-1")).isZero();
    // the overflow window had 50 + 2 refusals: every name past the cap is limited together
    assertThat(limiter.retryAfter("one-more")).isPositive();
    now.addAndGet(60_000);
    limiter.refused("fresh");
    assertThat(limiter.retryAfter("fresh")).as("ended windows were dropped to make room").isZero();
  }
}
