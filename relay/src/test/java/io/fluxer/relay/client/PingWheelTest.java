package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The ping wheel alone, turned by hand: which sessions each tick pings and checks. */
class PingWheelTest {
  /** 1 s interval: 10 slots; 300 ms pong timeout: checked 3 ticks after the ping. */
  private final PingWheel wheel = new PingWheel(Duration.ofSeconds(1), Duration.ofMillis(300));
  private final List<String> events = new ArrayList<>();

  /** A session that records what the wheel did to it, and can be made to leave when pinged. */
  private final class Session implements PingWheel.Pinged {
    final String name;
    final PingWheel.Entry entry = new PingWheel.Entry(this);
    boolean leaveWhenPinged;
    /** A ping went out since the last check, as a session's pong-due flag. */
    boolean pinged;

    Session(String name) {
      this.name = name;
    }

    @Override
    public void ping() {
      events.add("ping " + name);
      pinged = true;
      if (leaveWhenPinged) {
        wheel.remove(entry);
      }
    }

    @Override
    public void checkPong() {
      if (pinged) {
        events.add("check " + name);
      }
      pinged = false;
    }
  }

  private List<String> pings() {
    return events.stream().filter(e -> e.startsWith("ping")).toList();
  }

  private void ticks(int n) {
    for (int i = 0; i < n; i++) {
      wheel.tick();
    }
  }

  @Test
  @DisplayName("A session is pinged once per interval, first one interval after it joined, and checked a pong timeout after each ping")
  void pingedOncePerIntervalAndChecked() {
    Session a = new Session("a");
    wheel.add(a.entry);

    ticks(9);
    assertThat(events).isEmpty();
    ticks(1);
    assertThat(events).containsExactly("ping a");
    ticks(3);
    assertThat(events).containsExactly("ping a", "check a");
    ticks(7);
    assertThat(events).containsExactly("ping a", "check a", "ping a");
  }

  @Test
  @DisplayName("Sessions that connect together are dealt over the slots: each tick pings an equal share")
  void sessionsAreSpreadOverTheInterval() {
    List<Session> sessions = IntStream.range(0, 40).mapToObj(i -> new Session("s" + i)).toList();
    sessions.forEach(s -> wheel.add(s.entry));

    for (int tick = 1; tick <= 10; tick++) {
      events.clear();
      wheel.tick();
      assertThat(events.stream().filter(e -> e.startsWith("ping"))).as("tick %d", tick).hasSize(4);
    }
  }

  @Test
  @DisplayName("A removed session is neither pinged nor checked; removing it twice or adding it twice changes nothing")
  void removedSessionsAreLeftAlone() {
    List<Session> sessions = IntStream.range(0, 5).mapToObj(i -> new Session("s" + i)).toList();
    sessions.forEach(s -> wheel.add(s.entry));
    wheel.add(sessions.get(0).entry);
    assertThat(wheel.size()).isEqualTo(5);

    wheel.remove(sessions.get(1).entry);
    wheel.remove(sessions.get(1).entry);
    wheel.remove(sessions.get(3).entry);
    assertThat(wheel.size()).isEqualTo(3);

    ticks(10);
    assertThat(pings()).containsExactlyInAnyOrder("ping s0", "ping s2", "ping s4");
    ticks(3);
    assertThat(events).filteredOn(e -> e.startsWith("check")).containsExactlyInAnyOrder("check s0", "check s2",
        "check s4");
  }

  @Test
  @DisplayName("A session that leaves while its slot is pinged does not stop the others of that slot")
  void leavingDuringAVisit() {
    List<Session> sessions = IntStream.range(0, 40).mapToObj(i -> new Session("s" + i)).toList();
    sessions.forEach(s -> wheel.add(s.entry));
    for (int i = 0; i < 40; i += 2) {
      sessions.get(i).leaveWhenPinged = true;
    }

    ticks(10);
    assertThat(pings()).hasSize(40);
    assertThat(wheel.size()).isEqualTo(20);
    events.clear();
    ticks(10);
    assertThat(pings()).containsExactlyInAnyOrderElementsOf(
        IntStream.range(0, 20).mapToObj(i -> "ping s" + (2 * i + 1)).toList());
  }
}
