package io.fluxer.relay.client.command;

import io.fluxer.relay.channel.TagFilter;
import io.fluxer.relay.config.NamespaceOptions;

/**
 * What a new subscription is: its channel and namespace and what the client gets of it.
 *
 * @param pushJoinLeave whether the client gets join and leave pushes
 * @param chanInfo the subscription token's {@code info}, which the client's presence and
 *     publications in this channel carry; {@code null}: none
 * @param expiresAt when the subscription token expires, epoch seconds; {@code null}: never
 * @param filter the client's tags filter; {@code null}: every publication
 * @param delta whether publications go out as Fossil deltas
 */
public record SubscriptionSpec(String channel, NamespaceOptions ns, boolean pushJoinLeave, String chanInfo,
                               Long expiresAt, TagFilter filter, boolean delta) {
  /** A subscription the server makes (a token's {@code channels}, the server API): no token, no filter, no delta. */
  public static SubscriptionSpec serverSide(String channel, NamespaceOptions ns) {
    return new SubscriptionSpec(channel, ns, ns.joinLeave(), null, null, null, false);
  }
}
