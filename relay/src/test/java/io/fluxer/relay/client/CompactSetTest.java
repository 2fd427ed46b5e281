package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The hub's per-channel and per-user sets behave as a {@link LinkedHashSet}, whatever their size. */
class CompactSetTest {
  @Test
  @DisplayName("Through 20,000 random adds and removes it holds what a LinkedHashSet holds, in the same order")
  void sameAsLinkedHashSet() {
    Random random = new Random(18);
    CompactSet<Integer> set = new CompactSet<>();
    LinkedHashSet<Integer> reference = new LinkedHashSet<>();
    for (int step = 0; step < 20_000; step++) {
      int member = random.nextInt(4);
      int op = random.nextInt(10);
      if (op < 5) {
        assertThat(set.add(member)).isEqualTo(reference.add(member));
      } else if (op < 9) {
        assertThat(set.remove(member)).isEqualTo(reference.remove(member));
      } else if (!reference.isEmpty()) {
        // remove through the iterator, part-way through an iteration
        Iterator<Integer> it = set.iterator();
        Iterator<Integer> ref = reference.iterator();
        int skip = random.nextInt(reference.size());
        for (int i = 0; i <= skip; i++) {
          assertThat(it.next()).isEqualTo(ref.next());
        }
        it.remove();
        ref.remove();
      }
      assertThat(new ArrayList<>(set)).as("step %d", step).containsExactlyElementsOf(reference);
      assertThat(set.size()).isEqualTo(reference.size());
      assertThat(set.isEmpty()).isEqualTo(reference.isEmpty());
      assertThat(set.contains(member)).isEqualTo(reference.contains(member));
    }
  }

  @Test
  @DisplayName("single() is the member of a one-member set, and null when empty or with more")
  void single() {
    CompactSet<String> set = new CompactSet<>();
    assertThat(set.single()).isNull();
    set.add("a");
    assertThat(set.single()).isEqualTo("a");
    set.add("b");
    assertThat(set.single()).isNull();
    assertThat(set.toArray(new String[0])).containsExactly("a", "b");
    set.remove("a");
    assertThat(set.single()).as("back to one member").isEqualTo("b");
    assertThat(List.copyOf(set)).containsExactly("b");
  }
}
