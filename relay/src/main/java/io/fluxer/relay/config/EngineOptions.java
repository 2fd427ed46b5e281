package io.fluxer.relay.config;

import io.fluxer.common.config.ConfigException;
import io.fluxer.common.config.ConfigValues;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which engines keep history and presence: in this JVM (single node) or in Redis (required when
 * clustered, so every node sees the same history and presence).
 *
 * @param type {@code memory} or {@code redis}
 * @param redisUrl Redis connection string ({@code redis://[[user]:password@]host[:port][/db]},
 *     {@code rediss://} for TLS, or {@code unix://path}); used by the Redis engines in standalone mode
 * @param redisPrefix first part of every Redis key, so several relays can share one Redis
 * @param presenceTtl how long a presence entry lives in Redis without being refreshed; a dead node's
 *     clients leave presence after this long
 * @param redisMode one Redis at {@code redisUrl}, a Redis Cluster, a master found through Sentinel, or
 *     channels sharded over several independent Redis servers
 * @param redisClusterUrls seed nodes of the Redis Cluster ({@code cluster} mode only)
 * @param redisSentinelUrls the sentinels ({@code sentinel} mode only)
 * @param redisSentinelMaster the master's name in the sentinels' config ({@code sentinel} mode only)
 * @param redisPassword password for the Redis nodes (and sentinels) whose URL carries none, or {@code null}
 * @param redisShardUrls the Redis servers channels are sharded over ({@code sharded} mode only, at least
 *     two); their order decides which server holds which channel
 */
public record EngineOptions(Type type, String redisUrl, String redisPrefix, Duration presenceTtl,
                            RedisMode redisMode, List<String> redisClusterUrls, List<String> redisSentinelUrls,
                            String redisSentinelMaster, String redisPassword, List<String> redisShardUrls) {
  public static final String DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
  public static final String DEFAULT_REDIS_PREFIX = "fluxer";
  public static final Duration DEFAULT_PRESENCE_TTL = Duration.ofSeconds(60);
  static final Set<String> KEYS = Set.of("type", "redis_url", "redis_url_file", "redis_prefix", "presence_ttl",
      "redis_mode", "redis_cluster_urls", "redis_sentinel_urls", "redis_sentinel_master", "redis_password",
      "redis_password_file", "redis_shard_urls");

  /** How the Redis engines reach Redis. */
  public enum RedisMode {
    STANDALONE, CLUSTER, SENTINEL, SHARDED;

    static RedisMode parse(String text) {
      for (RedisMode m : values()) {
        if (m.name().toLowerCase(Locale.ROOT).equals(text)) {
          return m;
        }
      }
      throw new ConfigException("engine.redis_mode", "must be standalone, cluster, sentinel or sharded, got '" + text + "'");
    }
  }

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
    if (redisMode == null) {
      throw new ConfigException("engine.redis_mode", "must be standalone, cluster, sentinel or sharded");
    }
    redisClusterUrls = redisClusterUrls == null ? List.of() : List.copyOf(redisClusterUrls);
    redisSentinelUrls = redisSentinelUrls == null ? List.of() : List.copyOf(redisSentinelUrls);
    redisShardUrls = redisShardUrls == null ? List.of() : List.copyOf(redisShardUrls);
    checkUrls("redis_cluster_urls", redisClusterUrls, redisMode == RedisMode.CLUSTER, "cluster");
    checkUrls("redis_sentinel_urls", redisSentinelUrls, redisMode == RedisMode.SENTINEL, "sentinel");
    checkShardUrls(redisShardUrls, redisMode == RedisMode.SHARDED);
    if (redisMode == RedisMode.SENTINEL && (redisSentinelMaster == null || redisSentinelMaster.isBlank())) {
      throw new ConfigException("engine.redis_sentinel_master", "must name the master (as in the sentinels' "
          + "'sentinel monitor <name> ...') when redis_mode is sentinel");
    }
    if (redisMode != RedisMode.SENTINEL && redisSentinelMaster != null) {
      throw new ConfigException("engine.redis_sentinel_master", "is only used with redis_mode: sentinel");
    }
    if (redisPassword != null && redisPassword.isEmpty()) {
      throw new ConfigException("engine.redis_password", "must not be empty when set");
    }
  }

  /** A standalone Redis at {@code redisUrl}. */
  public EngineOptions(Type type, String redisUrl, String redisPrefix, Duration presenceTtl) {
    this(type, redisUrl, redisPrefix, presenceTtl, RedisMode.STANDALONE, List.of(), List.of(), null, null);
  }

  /** Any mode but {@code sharded}. */
  public EngineOptions(Type type, String redisUrl, String redisPrefix, Duration presenceTtl, RedisMode redisMode,
                       List<String> redisClusterUrls, List<String> redisSentinelUrls, String redisSentinelMaster,
                       String redisPassword) {
    this(type, redisUrl, redisPrefix, presenceTtl, redisMode, redisClusterUrls, redisSentinelUrls,
        redisSentinelMaster, redisPassword, List.of());
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
    String url = v.secret("redis_url");
    return new EngineOptions(
        Type.parse(v.string("type", "memory").trim().toLowerCase(Locale.ROOT)),
        url == null ? DEFAULT_REDIS_URL : url,
        v.string("redis_prefix", DEFAULT_REDIS_PREFIX),
        v.duration("presence_ttl", DEFAULT_PRESENCE_TTL, Duration.ofSeconds(1)),
        RedisMode.parse(v.string("redis_mode", "standalone").trim().toLowerCase(Locale.ROOT)),
        v.strings("redis_cluster_urls", List.of()),
        v.strings("redis_sentinel_urls", List.of()),
        v.string("redis_sentinel_master", null),
        v.secret("redis_password"),
        v.strings("redis_shard_urls", List.of()));
  }

  /** Without the password, and without the URLs' credentials: this may end up in a log. */
  @Override
  public String toString() {
    return "EngineOptions[type=" + type + ", redisUrl=" + redact(redisUrl) + ", redisPrefix=" + redisPrefix
        + ", presenceTtl=" + presenceTtl + ", redisMode=" + redisMode
        + ", redisClusterUrls=" + redisClusterUrls.stream().map(EngineOptions::redact).toList()
        + ", redisSentinelUrls=" + redisSentinelUrls.stream().map(EngineOptions::redact).toList()
        + ", redisSentinelMaster=" + redisSentinelMaster + ", redisPassword=" + (redisPassword == null ? "none" : "***")
        + ", redisShardUrls=" + redisShardUrls.stream().map(EngineOptions::redact).toList() + "]";
  }

  private static String redact(String url) {
    int start = url.indexOf("//");
    int at = url.lastIndexOf('@');
    return start >= 0 && at > start ? url.substring(0, start + 2) + "***" + url.substring(at) : url;
  }

  /** The URL's syntax and scheme only; whether Redis answers is found out on first use. */
  private static void checkUrl(String url) {
    if (url == null || url.isBlank()) {
      throw new ConfigException("engine.redis_url", "must not be empty");
    }
    checkScheme("engine.redis_url", url, Set.of("redis", "rediss", "unix"),
        "must start with redis://, rediss:// or unix://");
  }

  /** Node URLs of one mode: required (at least one, each redis:// or rediss://) in that mode, absent in others. */
  private static void checkUrls(String key, List<String> urls, boolean used, String mode) {
    if (!used) {
      if (!urls.isEmpty()) {
        throw new ConfigException("engine." + key, "is only used with redis_mode: " + mode);
      }
      return;
    }
    if (urls.isEmpty()) {
      throw new ConfigException("engine." + key, "must list at least one URL when redis_mode is " + mode);
    }
    for (String url : urls) {
      checkScheme("engine." + key, url, Set.of("redis", "rediss"), "must hold redis:// or rediss:// URLs");
    }
  }

  /**
   * Shard URLs: in {@code sharded} mode at least two (one is standalone mode), each like
   * {@code redis_url}, none twice (two shards on one server would share its keys and pub/sub under
   * one prefix, unnoticed); absent in other modes.
   */
  private static void checkShardUrls(List<String> urls, boolean used) {
    String key = "engine.redis_shard_urls";
    if (!used) {
      if (!urls.isEmpty()) {
        throw new ConfigException(key, "is only used with redis_mode: sharded");
      }
      return;
    }
    if (urls.size() < 2) {
      throw new ConfigException(key, "must list at least two URLs when redis_mode is sharded (for one Redis, use "
          + "redis_mode: standalone and redis_url)");
    }
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < urls.size(); i++) {
      String url = urls.get(i);
      if (url == null || url.isBlank()) {
        throw new ConfigException(key, "entry " + (i + 1) + " must not be empty");
      }
      checkScheme(key, url, Set.of("redis", "rediss", "unix"), "must hold redis://, rediss:// or unix:// URLs");
      if (!seen.add(url.trim().toLowerCase(Locale.ROOT))) {
        // the URL may hold a password: name its position, not the value
        throw new ConfigException(key, "entry " + (i + 1) + " repeats an earlier URL; each shard is its own Redis");
      }
    }
  }

  private static void checkScheme(String key, String url, Set<String> schemes, String problem) {
    String scheme;
    try {
      scheme = new URI(url).getScheme();
    } catch (URISyntaxException e) {
      // the URL itself may hold a password: name the problem, not the value
      throw new ConfigException(key, "is not a valid URL (" + e.getReason() + ")");
    }
    if (scheme == null || !schemes.contains(scheme.toLowerCase(Locale.ROOT))) {
      throw new ConfigException(key, problem);
    }
  }
}
