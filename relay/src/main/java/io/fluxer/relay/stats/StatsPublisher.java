package io.fluxer.relay.stats;

import io.fluxer.relay.engine.Broker;
import io.fluxer.relay.engine.PublishOptions;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.util.function.Consumer;

/**
 * Publishes each stats sample to {@value #CHANNEL} through the broker, without history, as
 * {@code {"node": {...}}}: every node publishes its own, and a dashboard tells them apart by
 * {@code node.id}.
 */
public final class StatsPublisher implements Consumer<NodeStats> {
  /** Where node stats are published. */
  public static final String CHANNEL = "sys:stats";
  private static final System.Logger LOG = System.getLogger(StatsPublisher.class.getName());

  private final Broker broker;

  public StatsPublisher(Broker broker) {
    this.broker = broker;
  }

  @Override
  public void accept(NodeStats stats) {
    String data = new JsonObject().put("node", stats.toJson()).encode();
    broker.publish(CHANNEL, data, PublishOptions.noHistory())
        .onFailure(e -> LOG.log(Level.DEBUG, "stats not published: " + e));
  }
}
