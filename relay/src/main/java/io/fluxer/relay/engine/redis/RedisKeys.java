package io.fluxer.relay.engine.redis;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Key names of the Redis engines. Every key of a channel carries the channel as its hash tag
 * (<code>{channel}</code>), so on Redis Cluster all of a channel's keys share one slot and a script
 * may touch them together. The channel is always the last part before a fixed suffix, so two
 * channels never share a key whatever characters their names hold.
 */
final class RedisKeys {
  private static final Base64.Encoder KEY_ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final String PUBSUB = ".pubsub.{";

  private final String prefix;

  RedisKeys(String prefix) {
    this.prefix = prefix;
  }

  /** The channel's publications: a stream whose entry ids are the offsets ({@code <offset>-0}). */
  String stream(String channel) {
    return prefix + ".history.stream.{" + channel + "}";
  }

  /** The channel's epoch ({@code e}) and top offset ({@code s}). */
  String meta(String channel) {
    return prefix + ".history.meta.{" + channel + "}";
  }

  /** One remembered idempotency key; the key itself is base64url, so it cannot mimic a channel. */
  String idempotency(String channel, String key) {
    return prefix + ".history.idempotency.{" + channel + "}."
        + KEY_ENCODER.encodeToString(key.getBytes(StandardCharsets.UTF_8));
  }

  /** The pub/sub channel a channel's publications, joins and leaves go out on. */
  String pubsub(String channel) {
    return prefix + PUBSUB + channel + "}";
  }

  /** The client name of a node's pub/sub connection ({@code CLIENT SETNAME}: no spaces). */
  String pubsubClientName() {
    StringBuilder name = new StringBuilder(prefix.length() + 7);
    prefix.codePoints().forEach(c -> name.appendCodePoint(c <= ' ' ? '_' : c));
    return name.append(".pubsub").toString();
  }

  /** The channel of a {@link #pubsub} name, or {@code null} for a name not made by {@link #pubsub}. */
  String channelOfPubsub(String name) {
    String start = prefix + PUBSUB;
    if (!name.startsWith(start) || !name.endsWith("}") || name.length() <= start.length()) {
      return null;
    }
    return name.substring(start.length(), name.length() - 1);
  }

  /** Client id → client info JSON. */
  String presence(String channel) {
    return prefix + ".presence.data.{" + channel + "}";
  }

  /** Client id → expiry time in ms (Redis clock). */
  String presenceExpiry(String channel) {
    return prefix + ".presence.expiry.{" + channel + "}";
  }
}
