package io.fluxer.relay.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.PresenceStats;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Behaviour every {@link PresenceManager} must show. Subclasses provide a fresh manager per test;
 * channel names carry a random per-test prefix, so a shared Redis can back the suite.
 */
public abstract class PresenceContractTest {
  private static final ClientInfo ANN_PHONE = new ClientInfo("ann", "c-ann-phone", "{\"dev\":\"phone\"}", null);
  private static final ClientInfo ANN_LAPTOP = new ClientInfo("ann", "c-ann-laptop", null, "{\"x\":1}");
  private static final ClientInfo BOB = new ClientInfo("bob", "c-bob", null, null);

  protected PresenceManager presence;
  private String prefix;

  /** A fresh presence manager, isolated from those of other tests. */
  protected abstract PresenceManager createPresenceManager();

  /** How long to wait for a result before failing. */
  protected Duration deadline() {
    return Duration.ofSeconds(5);
  }

  @BeforeEach
  void createManager() {
    presence = createPresenceManager();
    prefix = "test-" + UUID.randomUUID().toString().substring(0, 8) + ":";
  }

  @AfterEach
  void closeManager() {
    await(presence.close());
  }

  @Test
  @DisplayName("added clients are present, keyed by client id")
  void addedClientsArePresent() {
    String ch = channel("room");
    add(ch, ANN_PHONE);
    add(ch, BOB);

    assertThat(await(presence.presence(ch)))
        .containsExactlyInAnyOrderEntriesOf(Map.of(ANN_PHONE.client(), ANN_PHONE, BOB.client(), BOB));
  }

  @Test
  @DisplayName("removing clients leaves the others; removing the last empties the channel")
  void removeClients() {
    String ch = channel("room");
    add(ch, ANN_PHONE);
    add(ch, BOB);

    await(presence.removePresence(ch, BOB.client(), BOB.user()));
    assertThat(await(presence.presence(ch))).containsOnlyKeys(ANN_PHONE.client());

    await(presence.removePresence(ch, ANN_PHONE.client(), ANN_PHONE.user()));
    assertThat(await(presence.presence(ch))).isEmpty();
    assertThat(await(presence.presenceStats(ch))).isEqualTo(new PresenceStats(0, 0));
  }

  @Test
  @DisplayName("removing an absent client or from an unknown channel is harmless")
  void removeAbsentClient() {
    String ch = channel("room");
    add(ch, BOB);

    await(presence.removePresence(ch, "nobody", "nobody"));
    await(presence.removePresence(channel("unknown"), BOB.client(), BOB.user()));

    assertThat(await(presence.presence(ch))).containsOnlyKeys(BOB.client());
  }

  @Test
  @DisplayName("stats count clients and distinct users")
  void statsCountClientsAndUsers() {
    String ch = channel("room");
    add(ch, ANN_PHONE);
    add(ch, ANN_LAPTOP);
    assertThat(await(presence.presenceStats(ch))).isEqualTo(new PresenceStats(2, 1));

    add(ch, BOB);
    assertThat(await(presence.presenceStats(ch))).isEqualTo(new PresenceStats(3, 2));
  }

  @Test
  @DisplayName("adding a present client again refreshes its info")
  void reAddRefreshesInfo() {
    String ch = channel("room");
    add(ch, ANN_PHONE);
    ClientInfo refreshed = new ClientInfo("ann", ANN_PHONE.client(), "{\"dev\":\"phone\",\"v\":2}", "{}");

    add(ch, refreshed);

    assertThat(await(presence.presence(ch))).containsExactlyEntriesOf(Map.of(ANN_PHONE.client(), refreshed));
    assertThat(await(presence.presenceStats(ch))).isEqualTo(new PresenceStats(1, 1));
  }

  @Test
  @DisplayName("an unknown channel has no presence")
  void unknownChannelIsEmpty() {
    String ch = channel("never-used");

    assertThat(await(presence.presence(ch))).isEmpty();
    assertThat(await(presence.presenceStats(ch))).isEqualTo(new PresenceStats(0, 0));
  }

  @Test
  @DisplayName("channels are independent")
  void channelsAreIndependent() {
    String a = channel("a");
    String b = channel("b");
    add(a, ANN_PHONE);
    add(b, BOB);
    add(b, ANN_PHONE);

    await(presence.removePresence(b, ANN_PHONE.client(), ANN_PHONE.user()));

    assertThat(await(presence.presence(a))).containsOnlyKeys(ANN_PHONE.client());
    assertThat(await(presence.presence(b))).containsOnlyKeys(BOB.client());
    assertThat(await(presence.presenceStats(a))).isEqualTo(new PresenceStats(1, 1));
  }

  // ---- helpers, also for subclasses ----

  /** A channel name unique to this test run. */
  protected String channel(String name) {
    return prefix + name;
  }

  protected void add(String channel, ClientInfo info) {
    await(presence.addPresence(channel, info.client(), info));
  }

  /** Blocks the test thread until the future succeeds; fails the test if it fails or times out. */
  protected <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(deadline().toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("future failed: " + e.getCause(), e.getCause());
    } catch (TimeoutException e) {
      throw new AssertionError("future did not complete within " + deadline(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
