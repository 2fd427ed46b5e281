package io.fluxer.relay.engine.redis;

import java.time.Duration;
import java.util.Objects;

/**
 * How the Redis engines reach Redis and name their keys.
 *
 * @param url connection string, e.g. {@code redis://127.0.0.1:6379} or
 *     {@code redis://:password@host:6379/0}; used in {@link RedisTopology.Mode#STANDALONE} mode only
 * @param prefix first part of every key name; must not contain <code>{</code> or <code>}</code>, which
 *     would break the per-channel hash tag
 * @param presenceTtl how long a presence entry lives without being refreshed by {@code addPresence}
 * @param commandTimeout how long an operation may wait for Redis before it fails as temporary
 * @param idempotencyWindow how long a publish idempotency key is remembered
 * @param defaultMetaTtl how long the stream meta created by reading an unknown channel lives
 * @param topology standalone (at {@code url}), Redis Cluster or Sentinel
 */
public record RedisEngineOptions(String url, String prefix, Duration presenceTtl, Duration commandTimeout,
                                 Duration idempotencyWindow, Duration defaultMetaTtl, RedisTopology topology) {
  public static final String DEFAULT_URL = "redis://127.0.0.1:6379";
  public static final String DEFAULT_PREFIX = "fluxer";
  public static final Duration DEFAULT_PRESENCE_TTL = Duration.ofSeconds(60);
  public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_IDEMPOTENCY_WINDOW = Duration.ofMinutes(5);
  public static final Duration DEFAULT_META_TTL = Duration.ofDays(30);

  public RedisEngineOptions {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(prefix, "prefix");
    if (prefix.isEmpty() || prefix.indexOf('{') >= 0 || prefix.indexOf('}') >= 0) {
      throw new IllegalArgumentException("prefix must be non-empty and free of '{' and '}'");
    }
    requireAtLeast(presenceTtl, Duration.ofMillis(1), "presenceTtl");
    requireAtLeast(commandTimeout, Duration.ofMillis(1), "commandTimeout");
    requireAtLeast(idempotencyWindow, Duration.ofMillis(1), "idempotencyWindow");
    requireAtLeast(defaultMetaTtl, Duration.ofMillis(1), "defaultMetaTtl");
    Objects.requireNonNull(topology, "topology");
  }

  /** Standalone Redis at {@code url}. */
  public RedisEngineOptions(String url, String prefix, Duration presenceTtl, Duration commandTimeout,
                            Duration idempotencyWindow, Duration defaultMetaTtl) {
    this(url, prefix, presenceTtl, commandTimeout, idempotencyWindow, defaultMetaTtl, RedisTopology.standalone());
  }

  /** The defaults, with Redis at {@code url}. */
  public static RedisEngineOptions of(String url) {
    return new RedisEngineOptions(url, DEFAULT_PREFIX, DEFAULT_PRESENCE_TTL, DEFAULT_COMMAND_TIMEOUT,
        DEFAULT_IDEMPOTENCY_WINDOW, DEFAULT_META_TTL);
  }

  /** The defaults, with Redis reached as {@code topology} says (its URLs, not {@link #DEFAULT_URL}). */
  public static RedisEngineOptions of(RedisTopology topology) {
    return of(DEFAULT_URL).withTopology(topology);
  }

  public RedisEngineOptions withPrefix(String p) {
    return new RedisEngineOptions(url, p, presenceTtl, commandTimeout, idempotencyWindow, defaultMetaTtl, topology);
  }

  public RedisEngineOptions withPresenceTtl(Duration ttl) {
    return new RedisEngineOptions(url, prefix, ttl, commandTimeout, idempotencyWindow, defaultMetaTtl, topology);
  }

  public RedisEngineOptions withCommandTimeout(Duration timeout) {
    return new RedisEngineOptions(url, prefix, presenceTtl, timeout, idempotencyWindow, defaultMetaTtl, topology);
  }

  public RedisEngineOptions withIdempotencyWindow(Duration window) {
    return new RedisEngineOptions(url, prefix, presenceTtl, commandTimeout, window, defaultMetaTtl, topology);
  }

  public RedisEngineOptions withDefaultMetaTtl(Duration ttl) {
    return new RedisEngineOptions(url, prefix, presenceTtl, commandTimeout, idempotencyWindow, ttl, topology);
  }

  public RedisEngineOptions withTopology(RedisTopology t) {
    return new RedisEngineOptions(url, prefix, presenceTtl, commandTimeout, idempotencyWindow, defaultMetaTtl, t);
  }

  private static void requireAtLeast(Duration d, Duration min, String name) {
    Objects.requireNonNull(d, name);
    if (d.compareTo(min) < 0) {
      throw new IllegalArgumentException(name + " must be at least " + min.toMillis() + "ms");
    }
  }
}
