package io.fluxer.relay.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fluxer.common.config.ConfigException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code token.issuers}, {@code token.ops} and their cross-checks: defaults, and an error naming the key for bad input. */
class ConfigIssuersTest {
  private static JsonObject obj(String singleQuoted) {
    return new JsonObject(singleQuoted.replace('\'', '"'));
  }

  private static ConfigException error(String json) {
    ConfigException e = catchThrowableOfType(() -> RelayConfig.fromJson(obj(json)), ConfigException.class);
    assertThat(e).as("expected a config error for %s", json).isNotNull();
    return e;
  }

  @Test
  @DisplayName("An issuer with only issuer and audiences gets every default; ops defaults too")
  void defaults() {
    RelayConfig c = RelayConfig.fromJson(obj("{'token':{'issuers':[{'issuer':'https://idp.example/realms/a',"
        + "'audiences':['fluxer']}]}}"));
    IssuerOptions i = c.token().issuers().get(0);
    assertThat(i.jwksUrl()).isNull();
    assertThat(i.discoveryUrl()).isEqualTo("https://idp.example/realms/a/.well-known/openid-configuration");
    assertThat(i.types()).isEqualTo(Set.of("jwt", "at+jwt"));
    assertThat(i.leeway()).isEqualTo(Duration.ofSeconds(30));
    assertThat(i.userClaim()).isEqualTo("sub");
    assertThat(i.rolesClaims()).isEmpty();
    assertThat(i.refreshInterval()).isEqualTo(Duration.ofMinutes(10));
    assertThat(i.minRefreshInterval()).isEqualTo(Duration.ofSeconds(5));
    assertThat(i.keyGrace()).isEqualTo(Duration.ofMinutes(10));
    assertThat(i.fetchTimeout()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.token().ops()).isEqualTo(new OpsTokenOptions("fluxer-ops", null, Duration.ofHours(1), "roles"));
    assertThat(c.token().hasStaticKey()).isFalse();
    assertThat(c.token().hasAnyKey()).as("an issuer alone lets clients connect").isTrue();
  }

  @Test
  @DisplayName("Every key of an issuer is read; an Auth0 issuer's trailing slash is kept for iss and dropped for discovery")
  void everyKey() {
    RelayConfig c = RelayConfig.fromJson(obj("{'token':{'hmac_secret_key':'s','issuers':[{'issuer':'https://t.auth0.com/',"
        + "'jwks_url':'https://t.auth0.com/.well-known/jwks.json','audiences':['api','api2'],'typ':['JWT'],'leeway':'5s',"
        + "'user_claim':'https://example.com/uid','roles_claims':['realm_access.roles','groups'],"
        + "'role_map':{'adm':'admin','/ops':'ops'},'refresh_interval':'1m','min_refresh_interval':'1s',"
        + "'key_grace':'0s','fetch_timeout':'500ms'}],'ops':{'audience':'ops-api','issuer':'https://t.auth0.com/',"
        + "'max_lifetime':'10m','roles_claim':'perms'}},'dashboard':{'session_ttl':'5m'}}"));
    IssuerOptions i = c.token().issuers().get(0);
    assertThat(i.issuer()).isEqualTo("https://t.auth0.com/");
    assertThat(i.discoveryUrl()).isEqualTo("https://t.auth0.com/.well-known/openid-configuration");
    assertThat(i.audiences()).containsExactly("api", "api2");
    assertThat(i.roleMap()).isEqualTo(Map.of("adm", "admin", "/ops", "ops"));
    assertThat(i.rolesClaims()).isEqualTo(List.of("realm_access.roles", "groups"));
    assertThat(i.keyGrace()).isZero();
    assertThat(c.token().ops()).isEqualTo(new OpsTokenOptions("ops-api", "https://t.auth0.com/",
        Duration.ofMinutes(10), "perms"));
  }

  @Test
  @DisplayName("Bad issuer entries are refused with the key named")
  void badIssuers() {
    assertThat(error("{'token':{'issuers':[{'audiences':['a']}]}}").getMessage()).contains("token.issuers[0].issuer");
    assertThat(error("{'token':{'issuers':[{'issuer':'ftp://x','audiences':['a']}]}}").getMessage())
        .contains("token.issuers[0].issuer");
    assertThat(error("{'token':{'issuers':[{'issuer':'https://x'}]}}").getMessage())
        .contains("token.issuers[0].audiences");
    assertThat(error("{'token':{'issuers':[{'issuer':'https://x','audiences':['a'],'role_map':{'g':'root'}}]}}")
        .getMessage()).contains("token.issuers[0].role_map.g");
    assertThat(error("{'token':{'issuers':[{'issuer':'https://x','audiences':['a'],'user_claim':'a..b'}]}}")
        .getMessage()).contains("token.issuers[0].user_claim");
    assertThat(error("{'token':{'issuers':[{'issuer':'https://x','audiences':['a'],'colour':'red'}]}}")
        .getMessage()).contains("token.issuers[0].colour");
    assertThat(error("{'token':{'issuers':{'issuer':'https://x'}}}").getMessage()).contains("token.issuers");
    assertThat(error("{'token':{'issuers':[{'issuer':'https://x','audiences':['a']},"
        + "{'issuer':'https://x','audiences':['b']}]}}").getMessage()).contains("listed twice");
    assertThat(error("{'token':{'hmac_secret_key':'s','issuer':'https://x','issuers':[{'issuer':'https://x',"
        + "'audiences':['a']}]}}").getMessage()).contains("token.issuer");
  }

  @Test
  @DisplayName("Dashboard sessions are ops tokens: a session_ttl over ops.max_lifetime, or two issuers, are refused")
  void dashboardSessionsFitTheOpsRules() {
    assertThat(error("{'token':{'hmac_secret_key':'s','ops':{'max_lifetime':'10m'}}}").getMessage())
        .contains("dashboard.session_ttl");
    assertThat(error("{'token':{'hmac_secret_key':'s','issuer':'a','ops':{'issuer':'b'}}}").getMessage())
        .contains("token.ops.issuer");
    assertThat(error("{'token':{'hmac_secret_key':'s','ops':{'audience':''}}}").getMessage())
        .contains("token.ops.audience");
    assertThat(error("{'token':{'hmac_secret_key':'s','ops':{'max_lifetime':'1s'}}}").getMessage())
        .contains("token.ops.max_lifetime");
  }
}
