package io.fluxer.relay.client;

/** What the {@link Hub} delivers to: one client's subscription to one channel. */
interface Subscriber {
  void deliverPublication(Delivery d);

  void deliverJoinLeave(Delivery d);
}
