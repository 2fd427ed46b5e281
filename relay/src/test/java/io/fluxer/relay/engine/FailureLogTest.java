package io.fluxer.relay.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.System.Logger;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** During an outage a failure is logged once per interval, with a count of those left out. */
class FailureLogTest {
  private final List<String> lines = new ArrayList<>();
  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final FailureLog log = new FailureLog(new Recording(), "publish failed", 10_000, clock::get);

  @Test
  void temporaryFailuresOncePerInterval() {
    EngineException down = new EngineException("redis unreachable", true);

    for (int i = 0; i < 100; i++) {
      log.log(down);
    }
    clock.addAndGet(9_999_000_000L);
    assertThat(log.log(down)).isFalse();
    clock.addAndGet(1_000_000L);
    assertThat(log.log(down)).isTrue();

    assertThat(lines).containsExactly("publish failed: redis unreachable",
        "publish failed: redis unreachable (100 more such failures not logged)");
  }

  @Test
  void otherFailuresAlways() {
    for (int i = 0; i < 3; i++) {
      assertThat(log.log(new IllegalStateException("bug " + i))).isTrue();
    }
    assertThat(lines).hasSize(3);
  }

  /** Keeps what is logged. */
  private final class Recording implements Logger {
    @Override
    public String getName() {
      return "test";
    }

    @Override
    public boolean isLoggable(Level level) {
      return true;
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
      lines.add(msg);
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
      lines.add(format);
    }
  }
}
