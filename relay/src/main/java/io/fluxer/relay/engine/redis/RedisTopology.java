package io.fluxer.relay.engine.redis;

import java.util.List;
import java.util.Objects;

/**
 * Which Redis deployment the engines talk to.
 *
 * <ul>
 *   <li>{@link Mode#STANDALONE}: one Redis at {@link RedisEngineOptions#url()} ({@code urls} is empty).
 *   <li>{@link Mode#CLUSTER}: a Redis Cluster; {@code urls} are seed nodes, the client learns the rest
 *       and follows slot moves. A channel's keys share its hash tag, so each script touches one slot.
 *   <li>{@link Mode#SENTINEL}: a master watched by Sentinel; {@code urls} are the sentinels, which
 *       name the current master of {@code masterName}. The engines write to the master only.
 * </ul>
 *
 * @param password password for the Redis nodes whose URL carries none; {@code null}: the URLs' own
 */
public record RedisTopology(Mode mode, List<String> urls, String masterName, String password) {
  private static final RedisTopology STANDALONE = new RedisTopology(Mode.STANDALONE, List.of(), null, null);

  /** How the engines reach Redis. */
  public enum Mode { STANDALONE, CLUSTER, SENTINEL }

  public RedisTopology {
    Objects.requireNonNull(mode, "mode");
    urls = List.copyOf(Objects.requireNonNull(urls, "urls"));
    switch (mode) {
      case STANDALONE -> {
        if (!urls.isEmpty() || masterName != null) {
          throw new IllegalArgumentException("standalone takes its URL from RedisEngineOptions.url");
        }
      }
      case CLUSTER -> {
        if (urls.isEmpty() || masterName != null) {
          throw new IllegalArgumentException("cluster needs at least one seed node URL and no master name");
        }
      }
      case SENTINEL -> {
        if (urls.isEmpty() || masterName == null || masterName.isBlank()) {
          throw new IllegalArgumentException("sentinel needs at least one sentinel URL and the master name");
        }
      }
      default -> throw new IllegalStateException();
    }
  }

  /** One Redis, at the engine options' URL. */
  public static RedisTopology standalone() {
    return STANDALONE;
  }

  /** A Redis Cluster reached through these seed nodes. */
  public static RedisTopology cluster(List<String> seedUrls) {
    return new RedisTopology(Mode.CLUSTER, seedUrls, null, null);
  }

  /** The master Sentinel names {@code masterName}, found through these sentinels. */
  public static RedisTopology sentinel(List<String> sentinelUrls, String masterName) {
    return new RedisTopology(Mode.SENTINEL, sentinelUrls, masterName, null);
  }

  public RedisTopology withPassword(String p) {
    return new RedisTopology(mode, urls, masterName, p);
  }

  /** Without the password, and without any URL's credentials: this may end up in a log. */
  @Override
  public String toString() {
    return "RedisTopology[mode=" + mode + ", urls=" + urls.stream().map(RedisTopology::redact).toList()
        + ", masterName=" + masterName + ", password=" + (password == null ? "none" : "***") + "]";
  }

  /** {@code url} with whatever sits between {@code //} and {@code @} replaced by {@code ***}. */
  static String redact(String url) {
    int start = url.indexOf("//");
    int at = url.lastIndexOf('@');
    return start >= 0 && at > start ? url.substring(0, start + 2) + "***" + url.substring(at) : url;
  }
}
