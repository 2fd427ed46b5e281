package io.fluxer.relay.config;

import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * Which engines keep history and presence: in this JVM (single node) or in Redis (required when
 * clustered, so every node sees the same history and presence).
 *
 * @param type {@code memory} or {@code redis}
 * @param redisUrl Redis connection string ({@code redis://[[user]:password@]host[:port][/db]},
 *     {@code rediss://} for TLS, or {@code unix://path}); used by the Redis engines only
 * @param redisPrefix first part of every Redis key, so several relays can share one Redis
 * @param presenceTtl how long a presence entry lives in Redis without being refreshed; a dead node's
 *     clients leave presence after this long
 */
public record EngineOptions(Type type, String redisUrl, String redisPrefix, Duration presenceTtl) {
  public static final String DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
  public static final String DEFAULT_REDIS_PREFIX = "fluxer";
  public static final Duration DEFAULT_PRESENCE_TTL = Duration.ofSeconds(60);
  static final Set<String> KEYS = Set.of("type", "redis_url", "redis_url_file", "redis_prefix", "presence_ttl");

  /** The engine implementations. */
  public enum Type {
    MEMORY, REDIS;

    static Type parse(String text) {
      for (Type t : values()) {
        if (t.name().toLowerCase(Locale.ROOT).equals(text)) {
          return t;
        }
      }
      throw new ConfigException("engine.type", "must be memory or redis, got '" + text + "'");
    }
  }

  public EngineOptions {
    if (type == null) {
      throw new ConfigException("engine.type", "must be memory or redis");
    }
    checkUrl(redisUrl);
    if (redisPrefix == null || redisPrefix.isEmpty() || !redisPrefix.matches("[^{}\\s]+")) {
      throw new ConfigException("engine.redis_prefix",
          "must be non-empty, without spaces, '{' or '}' (braces would break the per-channel hash tag)");
    }
    if (presenceTtl == null || presenceTtl.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new ConfigException("engine.presence_ttl", "must be at least 1s");
    }
  }

  /** Memory engines. */
  public static EngineOptions defaults() {
    return fromJson(new JsonObject());
  }

  public boolean redis() {
    return type == Type.REDIS;
  }

  static EngineOptions fromJson(JsonObject json) {
    ConfigValues v = new ConfigValues(json, "engine", KEYS);
    String url = RelayConfig.secret(v, "redis_url");
    return new EngineOptions(
        Type.parse(v.string("type", "memory").trim().toLowerCase(Locale.ROOT)),
        url == null ? DEFAULT_REDIS_URL : url,
        v.string("redis_prefix", DEFAULT_REDIS_PREFIX),
        v.duration("presence_ttl", DEFAULT_PRESENCE_TTL, Duration.ofSeconds(1)));
  }

  /** The URL's syntax and scheme only; whether Redis answers is found out on first use. */
  private static void checkUrl(String url) {
    if (url == null || url.isBlank()) {
      throw new ConfigException("engine.redis_url", "must not be empty");
    }
    String scheme;
    try {
      scheme = new URI(url).getScheme();
    } catch (URISyntaxException e) {
      // the URL itself may hold a password: name the problem, not the value
      throw new ConfigException("engine.redis_url", "is not a valid URL (" + e.getReason() + ")");
    }
    if (scheme == null || !Set.of("redis", "rediss", "unix").contains(scheme.toLowerCase(Locale.ROOT))) {
      throw new ConfigException("engine.redis_url", "must start with redis://, rediss:// or unix://");
    }
  }
}
