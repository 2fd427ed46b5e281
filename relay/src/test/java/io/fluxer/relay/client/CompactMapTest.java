package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A session's subscriptions by channel behave as a {@link HashMap}, whatever their number. */
class CompactMapTest {
  @Test
  @DisplayName("Through 20,000 random puts and removes it holds what a HashMap holds, its views included")
  void sameAsHashMap() {
    Random random = new Random(18);
    CompactMap<String, Integer> map = new CompactMap<>();
    Map<String, Integer> reference = new HashMap<>();
    Set<String> keys = map.keySet(); // a live view: it follows every later change
    for (int step = 0; step < 20_000; step++) {
      String key = "chat:" + random.nextInt(4);
      int op = random.nextInt(10);
      if (op < 5) {
        assertThat(map.put(key, step)).isEqualTo(reference.put(key, step));
      } else if (op < 9) {
        assertThat(map.remove(key)).isEqualTo(reference.remove(key));
      } else if (!reference.isEmpty()) {
        // remove through the key view's iterator, part-way through an iteration
        Iterator<String> it = keys.iterator();
        int skip = random.nextInt(reference.size());
        String removed = null;
        for (int i = 0; i <= skip; i++) {
          removed = it.next();
        }
        it.remove();
        reference.remove(removed);
      }
      assertThat(map).as("step %d", step).isEqualTo(reference);
      assertThat(keys).isEqualTo(reference.keySet());
      assertThat(new HashSet<>(map.values())).isEqualTo(new HashSet<>(reference.values()));
      assertThat(map.size()).isEqualTo(reference.size());
      assertThat(map.isEmpty()).isEqualTo(reference.isEmpty());
      assertThat(map.containsKey(key)).isEqualTo(reference.containsKey(key));
      assertThat(map.get(key)).isEqualTo(reference.get(key));
    }
  }
}
