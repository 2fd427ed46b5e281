package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SlicedRoundsTest {
  @Test
  void eachRoundHandlesEveryMemberOnceAndEachTickATenth() {
    Set<Integer> members = new LinkedHashSet<>();
    for (int i = 0; i < 5000; i++) {
      members.add(i);
    }
    Map<Integer, Integer> handled = new HashMap<>();
    SlicedRounds<Integer> rounds = new SlicedRounds<>(10, () -> members, i -> i, m -> handled.merge(m, 1, Integer::sum));

    List<Integer> perTick = new ArrayList<>();
    for (int t = 0; t < 10; t++) {
      perTick.add(rounds.tick());
    }

    assertThat(perTick).containsOnly(500);
    assertThat(handled).hasSize(5000);
    assertThat(handled.values()).containsOnly(1);
  }

  @Test
  void membersThatCameAndWentAreHandledFromTheirNextSlot() {
    Set<Integer> members = new LinkedHashSet<>(List.of(0, 1, 2, 3));
    List<Integer> handled = new ArrayList<>();
    SlicedRounds<Integer> rounds = new SlicedRounds<>(4, () -> members, i -> i, handled::add);

    rounds.tick(); // slot 0
    members.remove(1);
    members.add(5); // slot 1
    rounds.tick(); // slot 1
    rounds.tick(); // slot 2
    rounds.tick(); // slot 3

    assertThat(handled).containsExactly(0, 5, 2, 3);
  }

  @Test
  void theActionMayRemoveTheMemberItHandles() {
    Set<Integer> members = new LinkedHashSet<>(List.of(0, 2, 4));
    SlicedRounds<Integer> rounds = new SlicedRounds<>(2, () -> members, i -> i, members::remove);

    assertThat(rounds.tick()).isEqualTo(3);
    assertThat(members).isEmpty();
  }

  @Test
  void refusesNoSlices() {
    assertThatThrownBy(() -> new SlicedRounds<Integer>(0, List::of, i -> { }))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
