package io.fluxer.relay.config;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The web dashboard served under {@code /dashboard/} and its login.
 *
 * @param enabled whether the relay serves the dashboard and its login endpoints
 * @param adminUser name of the built-in admin account
 * @param adminPasswordHash bcrypt hash ({@code $2a$}, {@code $2b$} or {@code $2y$}) of its password,
 *     or {@code null}: no built-in account, only users with a valid JWT can log in
 * @param sessionTtl how long a token issued by the login endpoint lives (refreshed in the background)
 * @param maxFailedLogins failed logins allowed per client IP within {@code failedLoginWindow}; the
 *     next attempt answers 429 until the oldest failure leaves the window
 * @param failedLoginWindow the window failed logins are counted in
 * @param maxFailedLoginsPerAccount failed password logins allowed per user name (from any address)
 *     within {@code failedLoginWindow}; the next password attempt for that name answers 429 until the
 *     oldest failure leaves the window (refused attempts are not counted, so the lock ends at most one
 *     window after it began; a JWT login is never refused by it)
 */
public record DashboardOptions(boolean enabled, String adminUser, String adminPasswordHash, Duration sessionTtl,
                               int maxFailedLogins, Duration failedLoginWindow, int maxFailedLoginsPerAccount) {
  public static final String DEFAULT_ADMIN_USER = "admin";
  public static final Duration DEFAULT_SESSION_TTL = Duration.ofMinutes(15);
  public static final int DEFAULT_MAX_FAILED_LOGINS = 5;
  public static final Duration DEFAULT_FAILED_LOGIN_WINDOW = Duration.ofMinutes(1);
  public static final int DEFAULT_MAX_FAILED_LOGINS_PER_ACCOUNT = 10;
  private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}");

  public DashboardOptions {
    if (adminUser == null || adminUser.isBlank()) {
      throw new ConfigException("dashboard.admin_user", "must not be empty");
    }
    if (adminPasswordHash != null && !BCRYPT.matcher(adminPasswordHash).matches()) {
      throw new ConfigException("dashboard.admin_password_hash",
          "must be a bcrypt hash ($2a$/$2b$/$2y$, cost, 53 characters), e.g. from `htpasswd -nbBC 12 admin PASSWORD`");
    }
  }

  public static DashboardOptions defaults() {
    return fromJson(new JsonObject());
  }

  static DashboardOptions fromJson(JsonObject json) {
    ConfigValues v = new ConfigValues(json, "dashboard", Set.of("enabled", "admin_user", "admin_password_hash",
        "admin_password_hash_file", "session_ttl", "max_failed_logins", "failed_login_window",
        "max_failed_logins_per_account"));
    String hash = RelayConfig.secret(v, "admin_password_hash");
    return new DashboardOptions(
        v.bool("enabled", true),
        v.string("admin_user", DEFAULT_ADMIN_USER),
        hash == null ? null : hash.strip(),
        v.duration("session_ttl", DEFAULT_SESSION_TTL, Duration.ofSeconds(30)),
        v.integer("max_failed_logins", DEFAULT_MAX_FAILED_LOGINS, 1, 1_000),
        v.duration("failed_login_window", DEFAULT_FAILED_LOGIN_WINDOW, Duration.ofSeconds(1)),
        v.integer("max_failed_logins_per_account", DEFAULT_MAX_FAILED_LOGINS_PER_ACCOUNT, 1, 10_000));
  }
}
