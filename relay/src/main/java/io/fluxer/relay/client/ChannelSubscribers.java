package io.fluxer.relay.client;

/**
 * One channel's subscribers on one event loop's {@link Hub}, plus how many publications the hub has
 * handed to them since the channel got its first subscriber on that loop. The count lives and dies
 * with the set: when the last subscriber leaves, the hub drops both, and a later subscriber starts
 * from 0. Only ever touched on the hub's loop; counting is a field increment, nothing allocated.
 */
final class ChannelSubscribers extends CompactSet<Subscriber> {
  private long publications;

  /** Counts one publication delivered to this channel on this loop. */
  void publicationDelivered() {
    publications++;
  }

  /** Publications delivered to this channel on this loop since its first subscriber here. */
  long publications() {
    return publications;
  }
}
