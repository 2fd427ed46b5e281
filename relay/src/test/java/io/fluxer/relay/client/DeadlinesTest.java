package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The loop's deadlines, without a loop: what fires, and in what order. */
class DeadlinesTest {
  private final List<Integer> fired = new ArrayList<>();

  private final class Numbered extends Deadlines.Entry {
    final int n;

    Numbered(int n) {
      this.n = n;
    }

    @Override
    protected void fire() {
      fired.add(n);
    }
  }

  @Test
  @DisplayName("Through 20,000 random schedules, moves, removals and ticks, exactly the due entries fire, earliest first")
  void firesWhatIsDue() {
    Random random = new Random(18);
    Deadlines deadlines = new Deadlines();
    List<Numbered> entries = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      entries.add(new Numbered(i));
    }
    Map<Integer, Long> expected = new HashMap<>();
    long now = 1_000;
    for (int step = 0; step < 20_000; step++) {
      Numbered e = entries.get(random.nextInt(entries.size()));
      int op = random.nextInt(10);
      if (op < 5) {
        long at = now + random.nextInt(500);
        deadlines.schedule(e, at);
        expected.put(e.n, at);
      } else if (op < 7) {
        deadlines.remove(e);
        expected.remove(e.n);
      } else {
        now += random.nextInt(100);
        long tick = now;
        List<Map.Entry<Integer, Long>> due = new ArrayList<>(expected.entrySet().stream()
            .filter(x -> x.getValue() <= tick).toList());
        fired.clear();
        deadlines.fireDue(now);
        assertThat(fired).as("step %d", step).containsExactlyInAnyOrderElementsOf(due.stream().map(Map.Entry::getKey).toList());
        for (int i = 1; i < fired.size(); i++) {
          assertThat(expected.get(fired.get(i - 1))).isLessThanOrEqualTo(expected.get(fired.get(i)));
        }
        due.forEach(x -> expected.remove(x.getKey()));
      }
      assertThat(deadlines.size()).isEqualTo(expected.size());
      assertThat(e.scheduled()).isEqualTo(expected.containsKey(e.n));
    }
  }

  @Test
  @DisplayName("An entry may schedule itself again while it fires")
  void rescheduleWhileFiring() {
    Deadlines deadlines = new Deadlines();
    Deadlines.Entry again = new Deadlines.Entry() {
      int runs;

      @Override
      protected void fire() {
        fired.add(++runs);
        deadlines.schedule(this, 10 + 10 * runs);
      }
    };
    deadlines.schedule(again, 10);
    deadlines.fireDue(15);
    deadlines.fireDue(15);
    assertThat(fired).containsExactly(1);
    deadlines.fireDue(25);
    assertThat(fired).containsExactly(1, 2);
    assertThat(again.scheduled()).isTrue();
  }
}
