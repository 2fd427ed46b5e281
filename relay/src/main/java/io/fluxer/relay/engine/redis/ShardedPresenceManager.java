package io.fluxer.relay.engine.redis;

import io.fluxer.relay.engine.PresenceManager;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.PresenceStats;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link PresenceManager} that shards channels over several independent Redis servers, with the
 * same routing as {@link ShardedBroker} ({@link ChannelShards#shardOf}), so a channel's presence lives
 * on the server that holds its history. The shard list's order is part of the data layout: a channel
 * moved to another server by a changed list starts there with no presence, until each node's next
 * refresh adds its clients again (within a third of the presence TTL); the old server's entries expire.
 */
public final class ShardedPresenceManager implements PresenceManager {
  private final List<PresenceManager> shards;

  /** Routes channels over {@code shards}, in this order. */
  public ShardedPresenceManager(List<? extends PresenceManager> shards) {
    if (Objects.requireNonNull(shards, "shards").isEmpty()) {
      throw new IllegalArgumentException("at least one shard");
    }
    this.shards = List.copyOf(shards);
  }

  /** One {@link RedisPresenceManager} per shard; each connects on first use. */
  public static ShardedPresenceManager create(Vertx vertx, List<RedisEngineOptions> shards) {
    List<PresenceManager> managers = new ArrayList<>(shards.size());
    for (RedisEngineOptions options : shards) {
      managers.add(RedisPresenceManager.create(vertx, options));
    }
    return new ShardedPresenceManager(managers);
  }

  /** The presence manager holding {@code channel}. */
  public PresenceManager shard(String channel) {
    return shards.get(ChannelShards.shardOf(Objects.requireNonNull(channel, "channel"), shards.size()));
  }

  @Override
  public Future<Map<String, ClientInfo>> presence(String channel) {
    return shard(channel).presence(channel);
  }

  @Override
  public Future<PresenceStats> presenceStats(String channel) {
    return shard(channel).presenceStats(channel);
  }

  @Override
  public Future<Void> addPresence(String channel, String clientId, ClientInfo info) {
    return shard(channel).addPresence(channel, clientId, info);
  }

  @Override
  public Future<Void> removePresence(String channel, String clientId, String userId) {
    return shard(channel).removePresence(channel, clientId, userId);
  }

  /** Closes every shard; completes when all are closed, failed if any close failed. */
  @Override
  public Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>(shards.size());
    shards.forEach(s -> closing.add(s.close()));
    return Future.join(closing).mapEmpty();
  }
}
