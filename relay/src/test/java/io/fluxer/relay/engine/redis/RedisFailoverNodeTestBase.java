package io.fluxer.relay.engine.redis;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * What a relay node's clients see when the Redis master that serves a channel is replaced: the
 * subscriber is closed with 3010, recovers with {@code recovered:false} and a new epoch (never a
 * silent gap), then gets live publications stored on the new master. Subclasses start the node on
 * their Redis mode and say how the master is replaced.
 */
abstract class RedisFailoverNodeTestBase extends RelayTestBase {

  /**
   * Subscribes, publishes, replaces the channel's master with {@code failover}, then checks what the
   * subscriber sees.
   */
  protected void assertFailoverGivesRecoveredFalse(String channelName, Consumer<String> failover,
      Duration deadline) {
    String channel = chat(channelName);
    WsTestClient alice = connected("alice");
    String epoch = alice.subscribe(channel).getString("epoch");
    WsTestClient bob = connected("bob"); // publishes, not subscribed
    for (int i = 1; i <= 3; i++) {
      bob.publish(channel, new JsonObject().put("n", i));
    }
    alice.awaitPublications(channel, 3, SHORT);

    failover.accept(channel);

    // publish until alice notices: the first publication stored on the new master has a new epoch
    long end = System.nanoTime() + deadline.toNanos();
    int n = 3;
    while (!alice.isClosed()) {
      assertThat(System.nanoTime() - end).as("alice closed within " + deadline).isNegative();
      int code = bob.errorCode("publish", new JsonObject().put("channel", channel)
          .put("data", new JsonObject().put("n", ++n)));
      // 111: the client's publish rate limit, reached when failures come back at once; both temporary
      assertThat(code).as("publish error code (0, or 100 / 111 temporary)").isIn(0, 100, 111);
      if (code != 0) {
        pause(Duration.ofMillis(20));
      }
    }
    assertThat(alice.awaitClose(SHORT).code()).as("alice's close code").isEqualTo((short) 3010);
    afterSubscriberClosed();
    List<JsonObject> got = alice.publications(channel);
    long lastOffset = got.get(got.size() - 1).getLong("offset");

    WsTestClient again = connected("alice");
    JsonObject reply = again.result("subscribe", new JsonObject().put("channel", channel).put("recover", true)
        .put("epoch", epoch).put("offset", lastOffset));
    assertThat(reply.getBoolean("was_recovering")).isTrue();
    assertThat(reply.getBoolean("recovered", false)).as("recovered").isFalse();
    assertThat(reply.getString("epoch")).isNotEqualTo(epoch);
    bob.publish(channel, new JsonObject().put("n", "live again"));
    assertThat(again.awaitPublications(channel, 1, SHORT).get(0).getJsonObject("data").getString("n"))
        .isEqualTo("live again");
  }

  /**
   * Runs once the subscriber has seen the new master, before it subscribes again: where the Redis
   * mode may still have two masters for a while, waits until it has one.
   */
  protected void afterSubscriberClosed() {
  }

  private static void pause(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }
}
