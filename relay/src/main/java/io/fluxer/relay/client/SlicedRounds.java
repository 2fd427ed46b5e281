package io.fluxer.relay.client;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * Periodic work on every member of a changing collection, spread over the period: each
 * {@link #tick()} handles only the members whose slot is that tick's, so one tick does about
 * {@code 1/slices} of the work instead of all of it in one turn of the event loop. A member keeps
 * its slot for life, so each round of {@code slices} ticks handles every member exactly once.
 * Confined to one thread (an event loop).
 */
final class SlicedRounds<T> {
  private final int slices;
  private final Supplier<? extends Iterable<T>> members;
  private final ToIntFunction<T> slotOf;
  private final Consumer<T> action;
  private int next;

  /** Slots from each member's identity hash. */
  SlicedRounds(int slices, Supplier<? extends Iterable<T>> members, Consumer<T> action) {
    this(slices, members, System::identityHashCode, action);
  }

  SlicedRounds(int slices, Supplier<? extends Iterable<T>> members, ToIntFunction<T> slotOf, Consumer<T> action) {
    if (slices < 1) {
      throw new IllegalArgumentException("slices must be at least 1, got " + slices);
    }
    this.slices = slices;
    this.members = members;
    this.slotOf = slotOf;
    this.action = action;
  }

  /** Handles the members of the next slot; answers how many. */
  int tick() {
    int slot = next;
    next = (next + 1) % slices;
    // collected first: the action may change the collection
    List<T> due = new ArrayList<>();
    for (T member : members.get()) {
      if (Math.floorMod(slotOf.applyAsInt(member), slices) == slot) {
        due.add(member);
      }
    }
    due.forEach(action);
    return due.size();
  }
}
