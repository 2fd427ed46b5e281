package io.fluxer.control.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class UnitsTest {
  @Test
  void durationsAreGoDurationsInNanoseconds() {
    assertThat(Units.durationNanos("10s")).isEqualTo(10_000_000_000L);
    assertThat(Units.durationNanos("1m30s")).isEqualTo(90_000_000_000L);
    assertThat(Units.durationNanos("500ms")).isEqualTo(500_000_000L);
    assertThat(Units.durationNanos("1.5h")).isEqualTo(5_400_000_000_000L);
    assertThat(Units.durationNanos("2us")).isEqualTo(2_000L);
    assertThat(Units.durationNanos("7ns")).isEqualTo(7L);
    assertThat(Units.durationNanos("0")).isZero();
    assertThat(Units.durationNanos("1h2m3s4ms")).isEqualTo(3_723_004_000_000L);
  }

  @Test
  void durationsWithoutUnitsOrNegativeAreRefused() {
    for (String bad : new String[] {"10", "-5s", "ten seconds", "5 s", "1d", ""}) {
      assertThatThrownBy(() -> Units.durationNanos(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
    assertThatThrownBy(() -> Units.durationNanos("1x")).hasMessageContaining("\"1x\" is not a duration");
  }

  @Test
  void memorySizesUseBinaryUnits() {
    assertThat(Units.bytes("512M")).isEqualTo(512L * 1024 * 1024);
    assertThat(Units.bytes("1g")).isEqualTo(1024L * 1024 * 1024);
    assertThat(Units.bytes("1GiB")).isEqualTo(1024L * 1024 * 1024);
    assertThat(Units.bytes("64kb")).isEqualTo(65536);
    assertThat(Units.bytes("1.5g")).isEqualTo(1610612736L);
    assertThat(Units.bytes("100")).isEqualTo(100);
    assertThatThrownBy(() -> Units.bytes("lots")).hasMessageContaining("is not a size");
    assertThatThrownBy(() -> Units.bytes("5x")).hasMessageContaining("is not a size");
  }

  @Test
  void cpusBecomeNanoCpus() {
    assertThat(Units.nanoCpus("0.5")).isEqualTo(500_000_000L);
    assertThat(Units.nanoCpus("2")).isEqualTo(2_000_000_000L);
    assertThat(Units.nanoCpus("0.001")).isEqualTo(1_000_000L);
    assertThatThrownBy(() -> Units.nanoCpus("half")).hasMessageContaining("not a number of CPUs");
    assertThatThrownBy(() -> Units.nanoCpus("0.0000000001")).hasMessageContaining("too precise");
    assertThatThrownBy(() -> Units.nanoCpus("-1")).hasMessageContaining("negative");
  }

  @Test
  void yamlIntegersIncludeOctalFileModes() {
    assertThat(Units.yamlInt("0440")).isEqualTo(288);
    assertThat(Units.yamlInt("0o440")).isEqualTo(288);
    assertThat(Units.yamlInt("0x1F")).isEqualTo(31);
    assertThat(Units.yamlInt("1_000")).isEqualTo(1000);
    assertThat(Units.yamlInt("-3")).isEqualTo(-3);
    assertThat(Units.yamlInt("0")).isZero();
  }

  @Test
  void commandStringsSplitLikeAShell() {
    assertThat(Units.shellWords("redis-server --appendonly yes")).containsExactly("redis-server", "--appendonly", "yes");
    assertThat(Units.shellWords("sh -c 'echo $HOME && sleep 5'")).containsExactly("sh", "-c", "echo $HOME && sleep 5");
    assertThat(Units.shellWords("echo \"a \\\"quoted\\\" word\"  x")).containsExactly("echo", "a \"quoted\" word", "x");
    assertThat(Units.shellWords("a\\ b c")).containsExactly("a b", "c");
    assertThat(Units.shellWords("x '' y")).containsExactly("x", "", "y");
    assertThat(Units.shellWords("  ")).isEmpty();
    assertThatThrownBy(() -> Units.shellWords("sh -c 'unterminated")).hasMessageContaining("unterminated single quote");
    assertThatThrownBy(() -> Units.shellWords("echo \"open")).hasMessageContaining("unterminated double quote");
  }
}
