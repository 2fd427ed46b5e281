package io.fluxer.relay.client;

/** What the {@link Hub} delivers to: one client's subscription to one channel. */
interface Subscriber {
  void deliverPublication(Delivery d);

  void deliverJoinLeave(Delivery d);

  /** The channel's stream reached this position while the node may have missed some of it ({@link Delivery#position}). */
  void deliverPosition(Delivery d);
}
