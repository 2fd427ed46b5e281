package io.fluxer.relay.node;

import io.fluxer.common.Addresses;
import io.fluxer.relay.client.EventLoops;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Set;
import java.util.TreeSet;

/**
 * Announces on {@link Addresses#CONTROL_INTEREST} which {@code logs:*} channels have subscribers on
 * this node: checked every second on each event loop, published when the set changes and every
 * {@value #REPEAT_MILLIS} ms anyway (so a control-api that starts later, or missed a notice, learns
 * the state), and published empty when the node stops.
 */
final class ControlInterest {
  static final String PREFIX = "logs:";
  static final long CHECK_MILLIS = 1_000;
  static final long REPEAT_MILLIS = 10_000;

  private final Vertx vertx;
  private final EventLoops loops;
  private final String nodeId;
  private Set<String> announced = Set.of();
  private long announcedAt;
  private long timer = -1;

  ControlInterest(Vertx vertx, EventLoops loops, String nodeId) {
    this.vertx = vertx;
    this.loops = loops;
    this.nodeId = nodeId;
  }

  void start() {
    timer = vertx.setPeriodic(CHECK_MILLIS, id -> check());
  }

  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
      timer = -1;
      publish(Set.of());
    }
  }

  private void check() {
    loops.inspect(hub -> hub.channelsStartingWith(PREFIX)).onSuccess(perLoop -> {
      Set<String> now = new TreeSet<>();
      perLoop.forEach(now::addAll);
      if (!now.equals(announced) || System.currentTimeMillis() - announcedAt >= REPEAT_MILLIS) {
        publish(now);
      }
    });
  }

  private synchronized void publish(Set<String> channels) {
    announced = Set.copyOf(channels);
    announcedAt = System.currentTimeMillis();
    vertx.eventBus().publish(Addresses.CONTROL_INTEREST, new JsonObject().put("node", nodeId)
        .put("channels", new JsonArray(channels.stream().sorted().map(Object.class::cast).toList()))
        .put("repeat_ms", REPEAT_MILLIS));
  }
}
