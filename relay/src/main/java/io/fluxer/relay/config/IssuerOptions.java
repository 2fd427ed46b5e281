package io.fluxer.relay.config;

import io.fluxer.common.config.ConfigException;
import io.fluxer.common.config.ConfigValues;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * An identity provider whose tokens the relay trusts ({@code token.issuers[]}): its keys come from
 * its JWKS, found at {@code jwksUrl} or through OpenID discovery.
 *
 * @param issuer the exact {@code iss} of its tokens
 * @param jwksUrl where its JWKS is, or {@code null}: {@code <issuer>/.well-known/openid-configuration}
 *     names it
 * @param audiences a client token's {@code aud} must contain one of these
 * @param types accepted {@code typ} header values, lower case (a token without {@code typ} passes)
 * @param leeway clock skew allowed on {@code exp} and {@code nbf}
 * @param userClaim claim path of the user id
 * @param rolesClaims claim paths holding the provider's roles or groups
 * @param roleMap provider role or group to {@code admin}, {@code ops} or {@code viewer}
 * @param refreshInterval how often the JWKS is fetched again
 * @param minRefreshInterval an unknown {@code kid} fetches the JWKS at most once per this interval
 * @param keyGrace how long a key that left the JWKS is still accepted
 * @param fetchTimeout limit of one request to the provider
 */
public record IssuerOptions(String issuer, String jwksUrl, List<String> audiences, Set<String> types,
                            Duration leeway, String userClaim, List<String> rolesClaims,
                            Map<String, String> roleMap, Duration refreshInterval,
                            Duration minRefreshInterval, Duration keyGrace, Duration fetchTimeout) {
  public static final List<String> DEFAULT_TYPES = List.of("JWT", "at+jwt");
  public static final Duration DEFAULT_LEEWAY = Duration.ofSeconds(30);
  public static final Duration DEFAULT_REFRESH_INTERVAL = Duration.ofMinutes(10);
  public static final Duration DEFAULT_MIN_REFRESH_INTERVAL = Duration.ofSeconds(5);
  public static final Duration DEFAULT_KEY_GRACE = Duration.ofMinutes(10);
  public static final Duration DEFAULT_FETCH_TIMEOUT = Duration.ofSeconds(2);
  private static final Set<String> ROLES = Set.of("admin", "ops", "viewer");

  public IssuerOptions {
    audiences = List.copyOf(audiences);
    types = Set.copyOf(types);
    rolesClaims = List.copyOf(rolesClaims);
    roleMap = Map.copyOf(roleMap);
  }

  /** The discovery document's URL. */
  public String discoveryUrl() {
    String base = issuer.endsWith("/") ? issuer.substring(0, issuer.length() - 1) : issuer;
    return base + "/.well-known/openid-configuration";
  }

  static IssuerOptions fromJson(JsonObject json, String path) {
    ConfigValues v = new ConfigValues(json, path, Set.of("issuer", "jwks_url", "audiences", "typ", "leeway",
        "user_claim", "roles_claims", "role_map", "refresh_interval", "min_refresh_interval", "key_grace",
        "fetch_timeout"));
    String issuer = v.string("issuer", null);
    if (issuer == null || issuer.isBlank()) {
      throw new ConfigException(v.key("issuer"), "required: the exact iss of the provider's tokens");
    }
    checkHttpUrl(v.key("issuer"), issuer);
    String jwksUrl = v.string("jwks_url", null);
    if (jwksUrl != null) {
      checkHttpUrl(v.key("jwks_url"), jwksUrl);
    }
    List<String> audiences = v.strings("audiences", List.of());
    if (audiences.isEmpty()) {
      throw new ConfigException(v.key("audiences"),
          "required: at least one audience (without an aud check any token the provider issues to any client would do)");
    }
    Set<String> types = new java.util.HashSet<>();
    for (String t : v.strings("typ", DEFAULT_TYPES)) {
      types.add(t.toLowerCase(Locale.ROOT));
    }
    Map<String, String> roleMap = new LinkedHashMap<>();
    JsonObject map = v.object("role_map");
    for (String name : map.fieldNames()) {
      Object role = map.getValue(name);
      if (!(role instanceof String r) || !ROLES.contains(r)) {
        throw new ConfigException(v.key("role_map." + name), "must be admin, ops or viewer");
      }
      roleMap.put(name, r);
    }
    Duration refresh = v.duration("refresh_interval", DEFAULT_REFRESH_INTERVAL, Duration.ofSeconds(10));
    Duration minRefresh = v.duration("min_refresh_interval", DEFAULT_MIN_REFRESH_INTERVAL, Duration.ofMillis(100));
    return new IssuerOptions(issuer, jwksUrl, audiences, types,
        v.duration("leeway", DEFAULT_LEEWAY, Duration.ZERO),
        claimPath(v, "user_claim", "sub"),
        v.strings("roles_claims", List.of()),
        roleMap, refresh, minRefresh,
        v.duration("key_grace", DEFAULT_KEY_GRACE, Duration.ZERO),
        v.duration("fetch_timeout", DEFAULT_FETCH_TIMEOUT, Duration.ofMillis(100)));
  }

  private static String claimPath(ConfigValues v, String name, String def) {
    String path = v.string(name, def);
    if (path.isBlank() || path.startsWith(".") || path.endsWith(".") || path.contains("..")) {
      throw new ConfigException(v.key(name), "must be a claim name or a dotted path such as realm_access.roles");
    }
    return path;
  }

  private static void checkHttpUrl(String key, String url) {
    if (!isHttpUrl(url)) {
      throw new ConfigException(key, "must be an http(s) URL, got '" + url + "'");
    }
  }

  /** Whether {@code url} is an absolute http or https URL with a host. */
  public static boolean isHttpUrl(String url) {
    try {
      URI uri = new URI(url);
      return ("https".equals(uri.getScheme()) || "http".equals(uri.getScheme())) && uri.getHost() != null;
    } catch (java.net.URISyntaxException e) {
      return false;
    }
  }
}
