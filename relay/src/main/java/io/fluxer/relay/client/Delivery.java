package io.fluxer.relay.client;

/**
 * A push frame for the subscribers of one channel, encoded once and shared by every session that
 * receives it. The frame bytes must never be modified.
 *
 * @param offset the publication's stream offset (0 for join/leave and channels without history)
 * @param frame the encoded push message, without a trailing newline
 */
public record Delivery(String channel, long offset, byte[] frame) {}
