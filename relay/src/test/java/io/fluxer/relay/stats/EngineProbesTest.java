package io.fluxer.relay.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Each engine's last probe answer, one probe at a time per engine. */
class EngineProbesTest {

  @Test
  @DisplayName("an answering engine is reachable with the probe's time; a failing one is not, without the cause's text")
  void answersAndFailures() {
    long[] now = {0};
    EngineProbes probes = new EngineProbes(() -> now[0]);
    Promise<Void> redis = Promise.promise();
    probes.add("redis", redis::future);
    probes.add("postgres", () -> Future.failedFuture(new IllegalStateException("FATAL: password for user secret-user")));
    assertThat(probes.last().get(0).problem()).isEqualTo("not probed yet");

    probes.refresh();
    now[0] = 1_500_000; // 1.5 ms later
    redis.complete();
    assertThat(probes.last()).containsExactly(new EngineHealth("redis", true, 1.5, null),
        new EngineHealth("postgres", false, 0, "no answer: error"));
    assertThat(probes.last().toString()).doesNotContain("secret-user");
  }

  @Test
  @DisplayName("an engine that does not answer is asked once, not once per sample, and keeps its last answer")
  void hangingEngineAskedOnce() {
    AtomicInteger asked = new AtomicInteger();
    Promise<Void> hanging = Promise.promise();
    EngineProbes probes = new EngineProbes();
    probes.add("redis", () -> {
      asked.incrementAndGet();
      return hanging.future();
    });
    for (int i = 0; i < 5; i++) {
      probes.refresh();
    }
    assertThat(asked).hasValue(1);
    hanging.fail(new java.net.ConnectException("refused by 10.0.0.5:6379"));
    assertThat(probes.last().get(0)).extracting(EngineHealth::reachable, EngineHealth::problem)
        .containsExactly(false, "no answer: connection refused or lost");
    probes.refresh();
    assertThat(asked).hasValue(2);
  }
}
