package io.fluxer.common.config;

import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;

/**
 * Where the relay keeps what must be shared by every node and outlive it: namespace options, when a
 * URL is set. Without a URL there is no PostgreSQL and namespaces come from the config file.
 *
 * @param url connection string ({@code postgresql://user:password@host:port/database}), or
 *     {@code null} for no PostgreSQL
 * @param password the password, when it is kept apart from the URL ({@code password_file}: a Docker
 *     secret, the same file the PostgreSQL server's {@code POSTGRES_PASSWORD_FILE} reads), or
 *     {@code null}; it replaces a password in the URL
 * @param poolSize connections the node keeps open at most
 * @param reloadInterval how often the node reloads the namespaces from PostgreSQL besides the
 *     change notices on the event bus, so a missed notice heals; {@link Duration#ZERO} turns it off
 */
public record PostgresOptions(String url, String password, int poolSize, Duration reloadInterval) {
  public static final int DEFAULT_POOL_SIZE = 4;
  public static final Duration DEFAULT_RELOAD_INTERVAL = Duration.ofSeconds(30);
  static final Set<String> KEYS = Set.of("url", "url_file", "password", "password_file", "pool_size",
      "reload_interval");

  public PostgresOptions {
    if (url != null) {
      checkUrl(url);
    }
    if (poolSize < 1 || poolSize > 100) {
      throw new ConfigException("postgres.pool_size", "must be between 1 and 100, got " + poolSize);
    }
    if (reloadInterval == null || reloadInterval.isNegative()) {
      throw new ConfigException("postgres.reload_interval", "must be 0 (off) or a positive duration");
    }
    if (password != null && url == null) {
      throw new ConfigException("postgres.password", "is set but postgres.url is not");
    }
  }

  /** Options whose URL carries the password, if any. */
  public PostgresOptions(String url, int poolSize, Duration reloadInterval) {
    this(url, null, poolSize, reloadInterval);
  }

  /** No PostgreSQL. */
  public static PostgresOptions none() {
    return new PostgresOptions(null, null, DEFAULT_POOL_SIZE, DEFAULT_RELOAD_INTERVAL);
  }

  /** Whether a PostgreSQL URL is configured. */
  public boolean enabled() {
    return url != null;
  }

  /** The connection options of {@link #url}; only when {@link #enabled()}. */
  public PgConnectOptions connectOptions() {
    PgConnectOptions options = PgConnectOptions.fromUri(url);
    return password == null ? options : options.setPassword(password);
  }

  /** Never shows a password: the URL's user info is cut to the user name. */
  @Override
  public String toString() {
    String shown = url == null ? null : url.replaceFirst("//([^/@:]*):[^/@]*@", "//$1:***@");
    return "PostgresOptions[url=" + shown + ", password=" + (password == null ? "none" : "***") + ", poolSize="
        + poolSize + ", reloadInterval=" + reloadInterval + "]";
  }

  public static PostgresOptions fromJson(JsonObject json) {
    ConfigValues v = new ConfigValues(json, "postgres", KEYS);
    String url = v.secret("url");
    String password = v.secret("password");
    return new PostgresOptions(
        url == null || url.isBlank() ? null : url.strip(),
        password == null || password.isEmpty() ? null : password,
        v.integer("pool_size", DEFAULT_POOL_SIZE, 1, 100),
        v.duration("reload_interval", DEFAULT_RELOAD_INTERVAL, Duration.ZERO));
  }

  /** The URL's syntax and scheme only; whether PostgreSQL answers is found out at start-up. */
  private static void checkUrl(String url) {
    String scheme;
    try {
      scheme = new URI(url).getScheme();
    } catch (URISyntaxException e) {
      // the URL itself may hold a password: name the problem, not the value
      throw new ConfigException("postgres.url", "is not a valid URL (" + e.getReason() + ")");
    }
    if (scheme == null || !Set.of("postgresql", "postgres").contains(scheme.toLowerCase(Locale.ROOT))) {
      throw new ConfigException("postgres.url", "must start with postgresql:// or postgres://");
    }
    try {
      PgConnectOptions.fromUri(url);
    } catch (RuntimeException e) {
      throw new ConfigException("postgres.url", "is not a PostgreSQL connection URL the client understands");
    }
  }
}
