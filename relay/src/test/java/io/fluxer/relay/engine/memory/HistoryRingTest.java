package io.fluxer.relay.engine.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.Publication;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class HistoryRingTest {
  private static final ClientInfo ALICE = new ClientInfo("alice", "c1", "{\"a\":1}", null);

  private static List<Publication> contents(HistoryRing ring) {
    List<Publication> all = new ArrayList<>();
    for (int i = 0; i < ring.size(); i++) {
      all.add(ring.get(i));
    }
    return all;
  }

  @Test
  @DisplayName("keeps publications oldest first with their offset, expiry, data, info and tags")
  void keepsWhatWasAdded() {
    HistoryRing ring = new HistoryRing();
    Publication first = new Publication(1, "{\"n\":1}", ALICE, Map.of("k", "v"));
    Publication second = new Publication(2, "\"zweite Grüße ✓ 😀\"", null, Map.of());
    ring.addLast(first, 100);
    ring.addLast(second, 200);

    assertThat(contents(ring)).containsExactly(first, second);
    assertThat(ring.offset(1)).isEqualTo(2);
    assertThat(ring.expiresAt(0)).isEqualTo(100);
    ring.removeFirst();
    assertThat(contents(ring)).containsExactly(second);
    assertThat(ring.expiresAt(0)).isEqualTo(200);
  }

  @Test
  @DisplayName("stays equal to a plain queue through random adds, removals, wrap-arounds and growth, "
      + "with few or many distinct publishers and tag maps")
  void matchesAQueue() {
    Random random = new Random(42);
    List<ClientInfo> infos = new ArrayList<>();
    List<Map<String, String>> tagMaps = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      infos.add(new ClientInfo("user" + i, "client" + i, null, null));
      tagMaps.add(Map.of("k", "v" + i));
    }
    HistoryRing ring = new HistoryRing();
    ArrayDeque<Publication> expected = new ArrayDeque<>();
    long offset = 0;
    for (int step = 0; step < 20_000; step++) {
      int action = random.nextInt(10);
      if (action < 6) {
        // sizes from empty to several times the ring's first byte capacity, some multi-byte
        String data = "x".repeat(random.nextInt(random.nextInt(10) == 0 ? 2_000 : 40))
            + (random.nextBoolean() ? "é€" : "");
        // mostly one publisher, the way a channel is published to, at times up to 40 of them
        int spread = step % 5_000 < 2_500 ? 1 : 40;
        ClientInfo info = random.nextInt(4) == 0 ? null : spread == 1 ? ALICE : infos.get(random.nextInt(spread));
        Map<String, String> tags = switch (random.nextInt(3)) {
          case 0 -> null;
          case 1 -> Map.of();
          default -> tagMaps.get(random.nextInt(spread == 1 ? 2 : 40));
        };
        Publication p = new Publication(++offset, data, info, tags);
        ring.addLast(p, offset * 10);
        expected.addLast(p);
      } else if (action < 9 && !expected.isEmpty()) {
        ring.removeFirst();
        expected.removeFirst();
      } else if (random.nextInt(50) == 0) {
        ring.clear();
        expected.clear();
      }
      assertThat(ring.size()).isEqualTo(expected.size());
      if (step % 97 == 0) {
        assertThat(contents(ring)).containsExactlyElementsOf(expected);
        for (int i = 0; i < ring.size(); i++) {
          assertThat(ring.expiresAt(i)).isEqualTo(ring.offset(i) * 10);
        }
      }
    }
    assertThat(contents(ring)).containsExactlyElementsOf(expected);
  }

  @Test
  @DisplayName("keeps its publications outside the heap and gives that memory back on clear")
  void memoryOutsideTheHeapIsFreedOnClear() {
    BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
        .filter(pool -> pool.getName().equals("direct")).findFirst().orElseThrow();
    long before = direct.getMemoryUsed();
    HistoryRing ring = new HistoryRing();
    String data = "y".repeat(1_000);
    for (int i = 1; i <= 1_000; i++) {
      ring.addLast(new Publication(i, data, ALICE, Map.of()), i);
    }
    // 1,000 publications of 1,000 bytes: a 1 MiB data ring and 1,024 slots of 24 bytes
    long full = direct.getMemoryUsed();
    assertThat(full - before).isGreaterThanOrEqualTo(1_000_000L);
    ring.clear();
    assertThat(full - direct.getMemoryUsed()).as("freed by clear").isGreaterThanOrEqualTo(1_000_000L);
    ring.addLast(new Publication(1_001, "after", null, Map.of()), 1);
    assertThat(contents(ring)).containsExactly(new Publication(1_001, "after", null, Map.of()));
  }

  @Test
  @DisplayName("refuses to read past its end or remove from an empty ring")
  void boundsAreChecked() {
    HistoryRing ring = new HistoryRing();
    assertThatThrownBy(ring::removeFirst).isInstanceOf(IllegalStateException.class);
    ring.addLast(new Publication(1, "1", null, Map.of()), 1);
    assertThatThrownBy(() -> ring.get(1)).isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> ring.offset(-1)).isInstanceOf(IndexOutOfBoundsException.class);
  }
}
