package io.fluxer.relay.client.command;

/** One of the session's subscriptions, as a handler sees it. */
public interface ChannelSubscription {
  String channel();

  /** Whether publications go out as Fossil deltas (the subscribe reply says so). */
  boolean delta();

  /** Whether this is still the session's subscription to its channel (not ended, not replaced). */
  boolean current();

  /**
   * After the subscribe reply (or the connect reply, or subscribe push) went out: releases the
   * publications that arrived meanwhile, in order and without repeats, and lets the rest through.
   * Does nothing when the subscription is no longer {@link #current}.
   */
  void activate();

  /** When the subscription token expires, epoch seconds; {@code null}: never. */
  Long expiresAt();

  /** A new expiry from a refreshed subscription token; past it the client is unsubscribed (2501). */
  void expireAt(Long epochSeconds);
}
