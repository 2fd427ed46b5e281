package io.fluxer.relay.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Server pings for the connected sessions of one event loop: a wheel of slots, one per
 * {@value #TICK_MILLIS} ms of the ping interval, turned by one timer of the loop.
 *
 * <p>Each tick pings the sessions of the next slot and checks the pongs of the slot pinged a pong
 * timeout ago. Sessions are dealt to the slots in turn, whenever they connect, so every tick pings
 * about 1/slots of the loop's sessions: with a timer per session, sessions that connected together
 * (a reconnect storm, a load balancer moving clients) were pinged together, thousands in one turn
 * of the loop every interval, which held every publication of the loop for milliseconds; and each
 * session cost two timers (the ping's and the pong timeout's). A session's first ping comes
 * within one interval of its connect, and then one every interval; a pong counts when any message
 * arrives before the check.
 *
 * <p>Confined to the loop: no locks.
 */
final class PingWheel {
  /** The wheel's resolution: pings and pong checks happen within this much of their time. */
  static final long TICK_MILLIS = 100;

  /** What the wheel asks of a session. */
  interface Pinged {
    /** Sends a ping; remembers that a pong is due (not on a unidirectional transport). */
    void ping();

    /** Closes the session if a pong was due and nothing arrived since the ping. */
    void checkPong();
  }

  /** A session's place on the wheel; the session keeps one for life. */
  static final class Entry {
    private final Pinged session;
    /** Slot, or -1 when not on the wheel. */
    private int slot = -1;
    private int index;

    Entry(Pinged session) {
      this.session = session;
    }

    boolean onWheel() {
      return slot >= 0;
    }
  }

  private final List<List<Entry>> slots;
  private final int pongTicks;
  /** The slot visited last. */
  private int current;
  /** The slot the next session joins. */
  private int dealt;
  private int size;
  /** Reused by {@link #tick} so a slot can change while its sessions are pinged. */
  private final List<Entry> due = new ArrayList<>();

  PingWheel(Duration pingInterval, Duration pongTimeout) {
    int n = (int) Math.max(1, pingInterval.toMillis() / TICK_MILLIS);
    slots = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      slots.add(new ArrayList<>());
    }
    pongTicks = (int) Math.max(1, Math.min(n - 1, (pongTimeout.toMillis() + TICK_MILLIS - 1) / TICK_MILLIS));
  }

  /** Starts pinging {@code e}'s session; its first ping comes within one interval. Idempotent. */
  void add(Entry e) {
    if (e.onWheel()) {
      return;
    }
    List<Entry> slot = slots.get(dealt);
    e.slot = dealt;
    dealt = (dealt + 1) % slots.size();
    e.index = slot.size();
    slot.add(e);
    size++;
  }

  /** Stops pinging {@code e}'s session (it closed). Idempotent. */
  void remove(Entry e) {
    if (!e.onWheel()) {
      return;
    }
    List<Entry> slot = slots.get(e.slot);
    Entry last = slot.remove(slot.size() - 1);
    if (last != e) { // the last one fills the hole
      slot.set(e.index, last);
      last.index = e.index;
    }
    e.slot = -1;
    size--;
  }

  /** Sessions on the wheel. */
  int size() {
    return size;
  }

  /** Turns the wheel one slot: pings that slot, checks the pongs of the slot pinged a pong timeout ago. */
  void tick() {
    current = (current + 1) % slots.size();
    visit(current, true);
    if (slots.size() > 1) {
      visit(Math.floorMod(current - pongTicks, slots.size()), false);
    }
  }

  private void visit(int index, boolean ping) {
    due.addAll(slots.get(index));
    for (Entry e : due) {
      if (e.onWheel()) { // not closed by an earlier one of this visit
        if (ping) {
          e.session.ping();
        } else {
          e.session.checkPong();
        }
      }
    }
    due.clear();
  }
}
