package io.fluxer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class TimelineTest {
  private static final long MS = 1_000_000;

  @Test
  @DisplayName("Each 50 ms bucket counts what arrived in it, the ones over 2 ms and the slowest; empty buckets are left out")
  void bucketsCountSlowAndMax() {
    long start = 1_000 * MS;
    Timeline t = new Timeline(start, Instant.parse("2026-12-07T00:00:00Z"));
    t.record(start + 10 * MS, MS / 2);
    t.record(start + 20 * MS, 3 * MS);
    t.record(start + 160 * MS, 12_500_000);

    List<String> lines = t.csv().lines().toList();

    assertThat(lines.get(0)).isEqualTo("time_utc,received,over_2ms,max_ms");
    assertThat(lines).hasSize(3);
    assertThat(lines.get(1)).isEqualTo("2026-12-07T00:00:00Z,2,1,3.00");
    assertThat(lines.get(2)).isEqualTo("2026-12-07T00:00:00.150Z,1,1,12.50");
  }
}
