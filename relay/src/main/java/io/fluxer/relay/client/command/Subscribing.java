package io.fluxer.relay.client.command;

import io.fluxer.relay.protocol.SubscribeResult;
import io.vertx.core.Future;

/**
 * A subscription that has started: it is in the hub, buffering what arrives, and {@code result}
 * completes (on the session's loop) with what to tell the client, or fails and the subscription is
 * gone. After telling the client, call {@link ChannelSubscription#activate}.
 */
public record Subscribing(ChannelSubscription subscription, Future<SubscribeResult> result) {}
