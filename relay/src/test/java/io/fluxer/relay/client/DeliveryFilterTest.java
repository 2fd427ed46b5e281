package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.channel.TagFilter;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class DeliveryFilterTest {
  private static TagFilter eq(String key, String val) {
    return TagFilter.parse(new JsonObject().put("key", key).put("cmp", "eq").put("val", val));
  }

  private static Delivery tagged(Map<String, String> tags) {
    return new Delivery("market:stocks", 7, "e", new byte[] {'{', '}'}, tags, 0);
  }

  @Test
  @DisplayName("A delivery passes a filter by its tags; no filter passes everything")
  void passesByTags() {
    Delivery d = tagged(Map.of("ticker", "AAPL"));
    assertThat(d.passes(eq("ticker", "AAPL"))).isTrue();
    assertThat(d.passes(eq("ticker", "MSFT"))).isFalse();
    assertThat(d.passes(null)).isTrue();
    assertThat(Delivery.joinLeave("market:stocks", new byte[0]).passes(eq("ticker", "AAPL"))).isFalse();
  }

  @Test
  @DisplayName("1,000 subscribers with two distinct filters (parsed separately) cost two evaluations")
  void oncePerDistinctFilter() {
    Delivery d = tagged(Map.of("ticker", "AAPL"));
    int passed = 0;
    for (int i = 0; i < 1_000; i++) {
      TagFilter f = i % 2 == 0 ? eq("ticker", "AAPL") : eq("ticker", "MSFT"); // a new instance each time
      if (d.passes(f)) {
        passed++;
      }
    }
    assertThat(passed).isEqualTo(500);
    assertThat(d.filterEvaluations()).isEqualTo(2);
  }

  @Test
  @DisplayName("Event loops asking at once still evaluate each distinct filter once")
  void oncePerFilterAcrossThreads() throws InterruptedException {
    for (int round = 0; round < 50; round++) {
      Delivery d = tagged(Map.of("ticker", "AAPL"));
      TagFilter f = eq("ticker", "AAPL");
      CountDownLatch start = new CountDownLatch(1);
      AtomicInteger passed = new AtomicInteger();
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        Thread thread = new Thread(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            return;
          }
          for (int i = 0; i < 100; i++) {
            if (d.passes(f)) {
              passed.incrementAndGet();
            }
          }
        });
        threads.add(thread);
        thread.start();
      }
      start.countDown();
      for (Thread thread : threads) {
        thread.join();
      }
      assertThat(passed.get()).isEqualTo(800);
      assertThat(d.filterEvaluations()).isEqualTo(1);
    }
  }
}
