package io.fluxer.relay.engine.redis;

import io.fluxer.relay.engine.Broker;
import io.fluxer.relay.engine.BrokerEventHandler;
import io.fluxer.relay.engine.HistoryFilter;
import io.fluxer.relay.engine.PublishOptions;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.HistoryResult;
import io.fluxer.relay.protocol.StreamPosition;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@link Broker} that shards channels over several independent Redis servers: each channel lives
 * on one of them, chosen by {@link ChannelShards#shardOf} from its name, and every operation on the
 * channel (publish, join, leave, history, its removal, and this node's subscription to its events) is
 * that shard's {@link RedisBroker}'s. Each shard keeps its own publish pipeline, read pool and pub/sub
 * connection, so the Redis work of publishing and fan-out, and the memory, spread over the shards by
 * channel (one busy channel is still one server's); a channel's ordering, offsets and epochs are what
 * one Redis gives, as nothing about a channel spans servers.
 *
 * <p>The shard list's order is part of the data layout. Reordering it, removing a shard or adding
 * one moves channels to another server, where nothing of theirs is: their next read or publish
 * starts a new epoch at offset 0, so a client recovering from an older position gets
 * {@code recovered: false} (never a silent gap), and the old server's keys stay until they expire.
 * Nothing is copied between shards. Every node must list the same shards in the same order: two
 * nodes that route a channel to different servers publish and subscribe on different servers, so
 * neither gets the other's publications, and nothing tells their subscribers (change the list with
 * every node stopped).
 *
 * <p>One shard down fails only its channels' operations, with the temporary engine errors of
 * {@link RedisBroker}; the other shards' channels are unaffected.
 *
 * <p>The event handler is every shard's: it may be called from each shard's context, but for one
 * channel only from its shard's, in offset order.
 */
public final class ShardedBroker implements Broker {
  private final List<Broker> shards;

  /** Routes channels over {@code shards}, in this order (see the class comment). */
  public ShardedBroker(List<? extends Broker> shards) {
    if (Objects.requireNonNull(shards, "shards").isEmpty()) {
      throw new IllegalArgumentException("at least one shard");
    }
    this.shards = List.copyOf(shards);
  }

  /** One {@link RedisBroker} per shard; each connects on first use. */
  public static ShardedBroker create(Vertx vertx, List<RedisEngineOptions> shards) {
    List<Broker> brokers = new ArrayList<>(shards.size());
    for (RedisEngineOptions options : shards) {
      brokers.add(RedisBroker.create(vertx, options));
    }
    return new ShardedBroker(brokers);
  }

  /** The shard brokers, in the order channels are routed by. */
  public List<Broker> shards() {
    return shards;
  }

  /** The shard broker holding {@code channel}. */
  public Broker shard(String channel) {
    return shards.get(ChannelShards.shardOf(Objects.requireNonNull(channel, "channel"), shards.size()));
  }

  @Override
  public void setEventHandler(BrokerEventHandler handler) {
    Objects.requireNonNull(handler, "handler");
    shards.forEach(s -> s.setEventHandler(handler));
  }

  @Override
  public Future<StreamPosition> publish(String channel, String data, PublishOptions options) {
    return shard(channel).publish(channel, data, options);
  }

  @Override
  public Future<Void> publishJoin(String channel, ClientInfo info) {
    return shard(channel).publishJoin(channel, info);
  }

  @Override
  public Future<Void> publishLeave(String channel, ClientInfo info) {
    return shard(channel).publishLeave(channel, info);
  }

  @Override
  public Future<Void> subscribe(String channel) {
    return shard(channel).subscribe(channel);
  }

  @Override
  public void unsubscribe(String channel) {
    shard(channel).unsubscribe(channel);
  }

  @Override
  public Future<HistoryResult> history(String channel, HistoryFilter filter) {
    return shard(channel).history(channel, filter);
  }

  @Override
  public Future<Void> removeHistory(String channel) {
    return shard(channel).removeHistory(channel);
  }

  /** How many channels this node receives the events of, over all Redis shards. */
  public int subscribedChannels() {
    int n = 0;
    for (Broker s : shards) {
      if (s instanceof RedisBroker redis) {
        n += redis.subscribedChannels();
      }
    }
    return n;
  }

  /** Pings every shard: fails when any does not answer. */
  @Override
  public Future<Void> ping() {
    List<Future<Void>> pings = new ArrayList<>(shards.size());
    shards.forEach(s -> pings.add(s.ping()));
    return Future.all(pings).mapEmpty();
  }

  /** Closes every shard; completes when all are closed, failed if any close failed. */
  @Override
  public Future<Void> close() {
    List<Future<Void>> closing = new ArrayList<>(shards.size());
    shards.forEach(s -> closing.add(s.close()));
    return Future.join(closing).mapEmpty();
  }
}
