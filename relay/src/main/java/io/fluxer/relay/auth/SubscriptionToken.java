package io.fluxer.relay.auth;

/**
 * Verified claims of a subscription JWT. The caller must check that {@code user} equals the
 * connection's user and {@code channel} the channel being subscribed to.
 *
 * @param user the {@code sub} claim; empty for an anonymous user
 * @param channel the {@code channel} claim; never empty
 * @param expiresAt the {@code exp} claim in epoch seconds, or {@code null}
 * @param info raw JSON text of the {@code info} claim, or {@code null}
 */
public record SubscriptionToken(String user, String channel, Long expiresAt, String info) {
}
