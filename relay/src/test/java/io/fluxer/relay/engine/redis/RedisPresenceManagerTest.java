package io.fluxer.relay.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.engine.PresenceContractTest;
import io.fluxer.relay.engine.PresenceManager;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.PresenceStats;
import io.fluxer.relay.testing.RedisTestServer;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The presence contract against a real Redis, plus per-entry expiry. */
class RedisPresenceManagerTest extends PresenceContractTest {
  private static final Duration SHORT_TTL = Duration.ofSeconds(1);

  static Vertx vertx;
  private static Redis raw;
  private String keyPrefix;
  private final List<PresenceManager> extra = new ArrayList<>();

  @BeforeAll
  static void connect() {
    String url = RedisTestServer.sharedUrl();
    vertx = Vertx.vertx();
    raw = Redis.createClient(vertx, url);
  }

  @AfterAll
  static void disconnect() throws Exception {
    if (vertx != null) {
      raw.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  @Override
  protected PresenceManager createPresenceManager() {
    keyPrefix = "fluxer-test-" + UUID.randomUUID().toString().substring(0, 8);
    return RedisPresenceManager.create(vertx, options());
  }

  @AfterEach
  void closeExtra() {
    extra.forEach(p -> await(p.close()));
  }

  private RedisEngineOptions options() {
    return baseOptions().withPrefix(keyPrefix);
  }

  /** How the engines under test reach Redis; subclasses run this suite against other set-ups. */
  RedisEngineOptions baseOptions() {
    return RedisEngineOptions.of(RedisTestServer.sharedUrl());
  }

  /** A plain client of the same Redis, to look at keys directly. */
  Redis rawClient() {
    return raw;
  }

  /** Another node's presence manager on the same Redis, with a short TTL. */
  private PresenceManager node() {
    PresenceManager p = RedisPresenceManager.create(vertx, options().withPresenceTtl(SHORT_TTL));
    extra.add(p);
    return p;
  }

  private boolean exists(String key) {
    return await(rawClient().send(Request.cmd(Command.EXISTS, key))).toInteger() == 1;
  }

  @Test
  @DisplayName("a dead node's clients vanish after the TTL while a live node's refreshed clients stay")
  void unrefreshedEntriesExpire() {
    String ch = channel("room");
    PresenceManager live = node();
    PresenceManager dead = node();
    ClientInfo alive = new ClientInfo("ann", "c-live", null, null);
    ClientInfo gone = new ClientInfo("bob", "c-dead", null, null);
    await(live.addPresence(ch, alive.client(), alive));
    await(dead.addPresence(ch, gone.client(), gone));
    assertThat(await(live.presence(ch))).containsOnlyKeys(alive.client(), gone.client());

    // the live node refreshes its client on every poll; the dead node never does again
    eventually("the dead node's client to vanish", () -> {
      await(live.addPresence(ch, alive.client(), alive));
      return !await(live.presence(ch)).containsKey(gone.client());
    });

    assertThat(await(live.presence(ch))).containsOnlyKeys(alive.client());
    assertThat(await(live.presenceStats(ch))).isEqualTo(new PresenceStats(1, 1));
    assertThat(await(presence.presence(ch))).containsOnlyKeys(alive.client());
  }

  @Test
  @DisplayName("once nobody refreshes, the channel empties and its keys expire")
  void channelKeysExpire() {
    String ch = channel("room");
    PresenceManager node = node();
    await(node.addPresence(ch, "c1", new ClientInfo("u1", "c1", null, null)));
    await(node.addPresence(ch, "c2", new ClientInfo("u1", "c2", null, null)));
    assertThat(await(node.presenceStats(ch))).isEqualTo(new PresenceStats(2, 1));
    RedisKeys keys = new RedisKeys(keyPrefix);

    eventually("the presence keys to expire", () -> !exists(keys.presence(ch)) && !exists(keys.presenceExpiry(ch)));

    assertThat(await(node.presence(ch))).isEmpty();
    assertThat(await(node.presenceStats(ch))).isEqualTo(new PresenceStats(0, 0));
  }

  @Test
  @DisplayName("stats drop expired entries too")
  void statsDropExpired() {
    String ch = channel("room");
    PresenceManager shortLived = node();
    await(shortLived.addPresence(ch, "c-short", new ClientInfo("u-short", "c-short", null, null)));
    add(ch, new ClientInfo("u-long", "c-long", null, null)); // default TTL: 60 s

    eventually("the short-lived entry to leave the stats",
        () -> await(presence.presenceStats(ch)).equals(new PresenceStats(1, 1)));
    assertThat(await(presence.presence(ch))).containsOnlyKeys("c-long");
  }

  /** Polls {@code condition} until it holds, failing after {@link #deadline()}. */
  private void eventually(String what, BooleanSupplier condition) {
    long end = System.nanoTime() + deadline().toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - end > 0) {
        throw new AssertionError("timed out after " + deadline() + " waiting for " + what);
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted", e);
      }
    }
  }
}
