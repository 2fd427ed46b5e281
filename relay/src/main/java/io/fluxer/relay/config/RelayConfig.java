package io.fluxer.relay.config;

import io.fluxer.common.config.ClusterOptions;
import io.fluxer.common.config.ConfigException;
import io.fluxer.common.config.ConfigValues;
import io.fluxer.common.config.PostgresOptions;
import io.vertx.core.json.JsonObject;
import java.util.Set;

/** The whole relay configuration, validated. Built from JSON by {@link #fromJson} or by {@link ConfigLoader}. */
public record RelayConfig(ServerOptions server, ClientOptions client, TokenOptions token, ChannelOptions channel,
                          ApiOptions api, EngineOptions engine, ClusterOptions cluster, PostgresOptions postgres,
                          DashboardOptions dashboard) {
  static final Set<String> SECTIONS =
      Set.of("server", "client", "token", "channel", "api", "engine", "cluster", "postgres", "dashboard");

  public RelayConfig {
    if (!token.hasAnyKey() && !client.allowAnonymous()) {
      throw new ConfigException("token", "no key configured (set token.hmac_secret_key, token.rsa_public_key, "
          + "token.ecdsa_public_key or token.issuers) and client.allow_anonymous is false: no client could connect");
    }
    if (dashboard.enabled() && dashboard.adminPasswordHash() != null && token.hmacSecret() == null) {
      throw new ConfigException("dashboard.admin_password_hash", "the dashboard's login signs its session tokens "
          + "with token.hmac_secret_key, which is not set");
    }
    dashboard.checkAgainst(token);
    if (dashboard.enabled() && token.hmacSecret() != null
        && dashboard.sessionTtl().compareTo(token.ops().maxLifetime()) > 0) {
      throw new ConfigException("dashboard.session_ttl", "is longer than token.ops.max_lifetime: the dashboard's "
          + "session tokens are ops tokens and would be refused");
    }
    if (dashboard.enabled() && token.issuer() != null && token.ops().issuer() != null
        && !token.issuer().equals(token.ops().issuer())) {
      throw new ConfigException("token.ops.issuer", "differs from token.issuer: the dashboard's session tokens "
          + "are both ops and connection tokens, and a token has one iss");
    }
    if (cluster.enabled() && !engine.redis()) {
      throw new ConfigException("engine.type", "cluster mode needs the Redis engines (set engine.type to redis and "
          + "engine.redis_url): with memory engines every node would keep its own history and presence");
    }
    if (cluster.enabled() && server.statsInterval().isZero()) {
      throw new ConfigException("server.stats_interval", "must be above 0 in cluster mode: nodes learn of each other "
          + "from the stats they publish every interval");
    }
    if (cluster.enabled() && cluster.nodeTimeout().compareTo(server.statsInterval().multipliedBy(2)) < 0) {
      throw new ConfigException("cluster.node_timeout", "must be at least twice server.stats_interval ("
          + server.statsInterval().toMillis() + "ms), or live nodes would drop out between heartbeats");
    }
    if (cluster.enabled()) {
      cluster.checkSecured();
    }
  }

  /** Validates a whole configuration tree; unknown sections and keys are errors. */
  public static RelayConfig fromJson(JsonObject json) {
    ConfigValues root = new ConfigValues(json, "", SECTIONS);
    return new RelayConfig(
        ServerOptions.fromJson(root.object("server")),
        ClientOptions.fromJson(root.object("client")),
        tokenFromJson(root.object("token")),
        ChannelOptions.fromJson(root.object("channel")),
        ApiOptions.fromJson(root.object("api")),
        EngineOptions.fromJson(root.object("engine")),
        ClusterOptions.fromJson(root.object("cluster")),
        PostgresOptions.fromJson(root.object("postgres")),
        DashboardOptions.fromJson(root.object("dashboard")));
  }

  public RelayConfig withServer(ServerOptions s) {
    return new RelayConfig(s, client, token, channel, api, engine, cluster, postgres, dashboard);
  }

  public RelayConfig withClient(ClientOptions c) {
    return new RelayConfig(server, c, token, channel, api, engine, cluster, postgres, dashboard);
  }

  public RelayConfig withCluster(ClusterOptions c) {
    return new RelayConfig(server, client, token, channel, api, engine, c, postgres, dashboard);
  }

  private static TokenOptions tokenFromJson(JsonObject json) {
    ConfigValues v = new ConfigValues(json, "token", Set.of("hmac_secret_key", "hmac_secret_key_file",
        "rsa_public_key", "rsa_public_key_file", "ecdsa_public_key", "ecdsa_public_key_file", "audience",
        "issuer", "leeway", "roles_claim", "issuers", "ops"));
    java.util.List<IssuerOptions> issuers = new java.util.ArrayList<>();
    java.util.List<JsonObject> listed = v.objects("issuers");
    for (int i = 0; i < listed.size(); i++) {
      issuers.add(IssuerOptions.fromJson(listed.get(i), "token.issuers[" + i + "]"));
    }
    return new TokenOptions(
        v.secret("hmac_secret_key"),
        v.secret("rsa_public_key"),
        v.secret("ecdsa_public_key"),
        v.string("audience", null),
        v.string("issuer", null),
        v.duration("leeway", java.time.Duration.ZERO, java.time.Duration.ZERO).toSeconds(),
        v.string("roles_claim", TokenOptions.DEFAULT_ROLES_CLAIM),
        issuers,
        OpsTokenOptions.fromJson(v.object("ops"), "token.ops"));
  }
}
