package io.fluxer.relay.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
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
  @DisplayName("acquire checks and counts in one step: of 16 threads trying at once, exactly max get through")
  void acquireIsAtomic() throws InterruptedException {
    for (int round = 0; round < 200; round++) {
      LoginThrottle t = new LoginThrottle(3, 60_000);
      AtomicInteger admitted = new AtomicInteger();
      CountDownLatch start = new CountDownLatch(1);
      Thread[] threads = new Thread[16];
      for (int i = 0; i < threads.length; i++) {
        threads[i] = new Thread(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            return;
          }
          if (t.acquire("a", 1_000) == 0) {
            admitted.incrementAndGet();
          }
        });
        threads[i].start();
      }
      start.countDown();
      for (Thread thread : threads) {
        thread.join();
      }
      assertThat(admitted.get()).as("round %d", round).isEqualTo(3);
    }
  }

  @Test
  @DisplayName("A refused acquire counts nothing; release takes one counted attempt back")
  void acquireAndRelease() {
    LoginThrottle t = new LoginThrottle(2, 60_000);
    assertThat(t.acquire("a", 0)).isZero();
    assertThat(t.acquire("a", 10_000)).isZero();
    assertThat(t.acquire("a", 20_000)).as("full: the wait until the first leaves the window").isEqualTo(40_000);
    assertThat(t.retryAfterMillis("a", 59_999)).as("the refused attempt was not counted").isEqualTo(1);
    t.release("a", 10_000);
    assertThat(t.acquire("a", 30_000)).isZero();
    assertThat(t.acquire("a", 30_000)).isPositive();
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
