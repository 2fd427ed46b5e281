package io.fluxer.relay.config;

import io.fluxer.common.config.ConfigException;
import io.fluxer.common.config.ConfigValues;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
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
 * @param builtinAdmin whether the built-in admin account (user and password) may log in; {@code false}
 *     leaves single sign-on and token logins
 * @param sso single sign-on through an OpenID provider ("Sign in with ..."), or {@code null}
 */
public record DashboardOptions(boolean enabled, String adminUser, String adminPasswordHash, Duration sessionTtl,
                               int maxFailedLogins, Duration failedLoginWindow, int maxFailedLoginsPerAccount,
                               boolean builtinAdmin, Sso sso) {
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

  /**
   * Single sign-on ({@code dashboard.sso}): the authorization code flow with PKCE against one of the
   * trusted issuers ({@code token.issuers[]}), whose {@code role_map} gives the dashboard role.
   *
   * @param issuer the provider; must equal one of {@code token.issuers[].issuer}
   * @param clientId the dashboard's client at the provider
   * @param clientSecret its secret, or {@code null}: a public client (PKCE alone)
   * @param scopes requested scopes; {@code openid} is always among them
   * @param publicUrl the base URL browsers reach the relay at, without a trailing slash; the
   *     redirect URI is {@code <publicUrl>/dashboard/sso/callback}
   * @param label the button's text after "Sign in with"
   */
  public record Sso(String issuer, String clientId, String clientSecret, List<String> scopes, String publicUrl,
                    String label) {
    public static final List<String> DEFAULT_SCOPES = List.of("openid", "profile", "email");
    public static final String DEFAULT_LABEL = "single sign-on";

    public Sso {
      scopes = List.copyOf(scopes);
    }

    /** Where the provider sends the browser back to. */
    public String redirectUri() {
      return publicUrl + "/dashboard/sso/callback";
    }

    /** Whether browsers reach the relay over HTTPS (the login cookie is then {@code Secure}). */
    public boolean secure() {
      return publicUrl.startsWith("https:");
    }

    /** {@code toString} without the client secret. */
    @Override
    public String toString() {
      return "Sso[issuer=" + issuer + ", clientId=" + clientId + ", clientSecret=" + (clientSecret == null ? "none" : "***")
          + ", scopes=" + scopes + ", publicUrl=" + publicUrl + ", label=" + label + "]";
    }

    static Sso fromJson(JsonObject json) {
      ConfigValues v = new ConfigValues(json, "dashboard.sso", Set.of("issuer", "client_id", "client_secret",
          "client_secret_file", "scopes", "public_url", "label"));
      String issuer = v.string("issuer", null);
      if (issuer == null || issuer.isBlank()) {
        throw new ConfigException(v.key("issuer"), "required: one of token.issuers[].issuer");
      }
      String clientId = v.string("client_id", null);
      if (clientId == null || clientId.isBlank()) {
        throw new ConfigException(v.key("client_id"), "required: the dashboard's client id at the provider");
      }
      String secret = v.secret("client_secret");
      List<String> scopes = new java.util.ArrayList<>(v.strings("scopes", DEFAULT_SCOPES));
      for (String scope : scopes) {
        if (scope.isBlank() || !scope.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '"' && c != '\\')) {
          throw new ConfigException(v.key("scopes"), "scope '" + scope + "' is not a valid OAuth2 scope token");
        }
      }
      if (!scopes.contains("openid")) {
        scopes.add(0, "openid"); // an ID token is what the sign-in checks
      }
      String publicUrl = v.string("public_url", null);
      if (publicUrl == null || publicUrl.isBlank()) {
        throw new ConfigException(v.key("public_url"), "required: the http(s) URL browsers reach the relay at, "
            + "e.g. https://relay.example.com (the redirect URI is <public_url>/dashboard/sso/callback)");
      }
      publicUrl = publicUrl.strip();
      while (publicUrl.endsWith("/")) {
        publicUrl = publicUrl.substring(0, publicUrl.length() - 1);
      }
      checkPublicUrl(v.key("public_url"), publicUrl);
      String label = v.string("label", DEFAULT_LABEL);
      return new Sso(issuer.strip(), clientId.strip(), secret == null || secret.isBlank() ? null : secret.strip(),
          scopes, publicUrl, label.isBlank() ? DEFAULT_LABEL : label.strip());
    }

    private static void checkPublicUrl(String key, String url) {
      String problem = null;
      try {
        URI uri = new URI(url);
        if (!("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) || uri.getHost() == null) {
          problem = "must be an http(s) URL";
        } else if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
          problem = "must be a base URL without user, query or fragment";
        }
      } catch (URISyntaxException e) {
        problem = "must be an http(s) URL";
      }
      if (problem != null) {
        throw new ConfigException(key, problem + ", got '" + url + "'");
      }
    }
  }

  /**
   * The checks of {@code dashboard.sso} that need the token section: its issuer must be a trusted
   * one (its JWKS verifies the ID token, its role_map gives the role) and the session tokens are
   * signed with {@code token.hmac_secret_key}. Throws {@link ConfigException}.
   */
  public void checkAgainst(TokenOptions token) {
    if (!enabled || sso == null) {
      return;
    }
    if (token.issuer(sso.issuer()) == null) {
      throw new ConfigException("dashboard.sso.issuer", "'" + sso.issuer() + "' is not one of token.issuers[].issuer "
          + "(the sign-in verifies the ID token with that issuer's keys and maps roles with its role_map)");
    }
    if (token.hmacSecret() == null) {
      throw new ConfigException("dashboard.sso", "single sign-on needs token.hmac_secret_key: the dashboard signs its "
          + "session tokens, and encrypts the sign-in cookie, with a key from it");
    }
  }

  public static DashboardOptions defaults() {
    return fromJson(new JsonObject());
  }

  static DashboardOptions fromJson(JsonObject json) {
    ConfigValues v = new ConfigValues(json, "dashboard", Set.of("enabled", "admin_user", "admin_password_hash",
        "admin_password_hash_file", "session_ttl", "max_failed_logins", "failed_login_window",
        "max_failed_logins_per_account", "builtin_admin", "sso"));
    String hash = v.secret("admin_password_hash");
    return new DashboardOptions(
        v.bool("enabled", true),
        v.string("admin_user", DEFAULT_ADMIN_USER),
        hash == null ? null : hash.strip(),
        v.duration("session_ttl", DEFAULT_SESSION_TTL, Duration.ofSeconds(30)),
        v.integer("max_failed_logins", DEFAULT_MAX_FAILED_LOGINS, 1, 1_000),
        v.duration("failed_login_window", DEFAULT_FAILED_LOGIN_WINDOW, Duration.ofSeconds(1)),
        v.integer("max_failed_logins_per_account", DEFAULT_MAX_FAILED_LOGINS_PER_ACCOUNT, 1, 10_000),
        v.bool("builtin_admin", true),
        json.getValue("sso") == null ? null : Sso.fromJson(v.object("sso")));
  }
}
