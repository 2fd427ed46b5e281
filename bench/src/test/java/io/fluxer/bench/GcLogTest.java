package io.fluxer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GcLogTest {
  @TempDir
  Path dir;

  @Test
  void countsPausesThatEndedInTheWindow() throws Exception {
    Path log = dir.resolve("gc.log");
    Files.writeString(log, String.join("\n",
        "[2026-11-23T06:58:09.045+0000] Using Serial",
        "[2026-11-23T06:58:10.000+0000] GC(0) Pause Young (Allocation Failure) 17M->3M(61M) 4.500ms",
        "[2026-11-23T06:58:11.336+0000] GC(1) Pause Full (Diagnostic Command) 36M->3M(365M) 21.156ms",
        "[2026-11-23T06:58:12.500+0000] GC(2) Pause Young (Allocation Failure) 20M->4M(61M) 1.000ms",
        ""));
    GcLog.Pauses p = GcLog.between(log, Instant.parse("2026-11-23T06:58:09.500Z"),
        Instant.parse("2026-11-23T06:58:12.000Z"));
    assertThat(p.count()).isEqualTo(2);
    assertThat(p.totalMillis()).isEqualTo(25.656, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(p.maxMillis()).isEqualTo(21.156);
  }

  @Test
  void unreadableLogGivesNull() {
    assertThat(GcLog.between(dir.resolve("missing.log"), Instant.EPOCH, Instant.now())).isNull();
  }
}
