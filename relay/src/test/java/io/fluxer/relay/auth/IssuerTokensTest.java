package io.fluxer.relay.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.OidcTestProvider;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.TestJwks;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Tokens from a real OpenID provider ({@code oidc-provider}, keys made by the test): the relay finds
 * the JWKS through discovery, verifies every algorithm the provider signs with, and refuses tokens
 * that are for someone else, too old, too young, or under a key it cannot find.
 */
class IssuerTokensTest extends RelayTestBase {
  private List<TestJwks.Key> keys;
  private OidcTestProvider provider;

  @BeforeEach
  void startProvider() throws Exception {
    keys = TestJwks.oneOfEach("k1");
    provider = OidcTestProvider.start(OidcTestProvider.Settings.of(keys)
        .withClientRoles("svc-rs256", "fluxer-admin")
        .withClientRoles("svc-es256", "fluxer-viewer"));
  }

  @AfterEach
  void stopProvider() throws Exception {
    provider.close();
  }

  private void startTrusting(JsonObject extra) {
    startRelay(config -> {
      JsonObject issuer = new JsonObject()
          .put("issuer", provider.issuer())
          .put("audiences", new JsonArray().add(OidcTestProvider.AUDIENCE))
          .put("roles_claims", new JsonArray().add("realm_access.roles"))
          .put("role_map", new JsonObject().put("fluxer-admin", "admin").put("fluxer-viewer", "viewer"))
          .mergeIn(extra);
      config.getJsonObject("token").put("issuers", new JsonArray().add(issuer));
      clientSection(config).put("expired_close_delay", "0s");
    });
  }

  private void startTrusting() {
    startTrusting(new JsonObject());
  }

  private TestJwks.Key key(String alg) {
    return keys.stream().filter(k -> k.alg().equals(alg)).findFirst().orElseThrow();
  }

  /** A token signed with one of the provider's own keys, with these claims over sensible defaults. */
  private String minted(TestJwks.Key key, JsonObject claims) {
    long now = nowSeconds();
    JsonObject payload = new JsonObject().put("iss", provider.issuer()).put("aud", OidcTestProvider.AUDIENCE)
        .put("sub", "alice").put("iat", now).put("exp", now + 300).mergeIn(claims);
    return TestJwks.sign(key, payload);
  }

  private WsTestClient.Close refused(String token) {
    WsTestClient c = open();
    c.send("connect", new JsonObject().put("token", token));
    return c.awaitClose(SHORT);
  }

  /** Whether a connect with this token is answered with a connect result (rather than a close or an error). */
  private boolean connects(String token) {
    WsTestClient c = open();
    long id = c.send("connect", new JsonObject().put("token", token));
    waitFor(() -> c.isClosed() || c.messages().stream().anyMatch(m -> m.getLong("id", 0L) == id), SHORT,
        "an answer to connect");
    return c.messages().stream().anyMatch(m -> m.getLong("id", 0L) == id && m.containsKey("connect"));
  }

  @Test
  @DisplayName("Access tokens the provider signs with RS256, ES256, ES384, ES512 and EdDSA connect; the user is sub")
  void everyAlgorithm() throws Exception {
    startTrusting();
    for (String alg : TestJwks.ALGORITHMS) {
      String token = provider.clientCredentialsToken(OidcTestProvider.clientId(alg), OidcTestProvider.AUDIENCE);
      assertThat(header(token).getString("alg")).isEqualTo(alg);
      assertThat(header(token).getString("typ")).isEqualTo("at+jwt");
      WsTestClient c = open();
      JsonObject connected = c.connectWith(token);
      assertThat(connected.getString("client")).as(alg).isNotEmpty();
      String channel = chat("oidc-" + alg.toLowerCase());
      c.subscribe(channel);
      waitFor(() -> c.result("presence", new JsonObject().put("channel", channel)).getJsonObject("presence")
          .encode().contains("\"user\":\"" + OidcTestProvider.clientId(alg) + "\""), SHORT, alg + ": user is sub");
    }
  }

  @Test
  @DisplayName("Wrong audience, another issuer, expired, not yet valid, unknown kid, HS256 and typ: refused")
  void refusals() throws Exception {
    startTrusting(new JsonObject().put("leeway", "5s"));
    TestJwks.Key rs = key("RS256");
    assertThat(refused(minted(rs, new JsonObject().put("aud", "someone-else"))).code())
        .as("wrong audience").isEqualTo((short) 3500);
    assertThat(refused(minted(rs, new JsonObject().put("iss", provider.issuer() + "/other"))).code())
        .as("an issuer not trusted is verified with the static keys, and fails").isEqualTo((short) 3500);
    assertThat(refused(minted(rs, new JsonObject().put("nbf", nowSeconds() + 60))).code())
        .as("not yet valid beyond the leeway").isEqualTo((short) 3500);
    assertThat(refused(minted(TestJwks.generate("RS256", "not-published"), new JsonObject())).code())
        .as("a key the provider never published").isEqualTo((short) 3500);
    String hs = io.fluxer.relay.auth.JwtSigner.hmac("HS256", rs.publicJwk().getString("n").getBytes())
        .sign(new JsonObject().put("iss", provider.issuer()).put("aud", "fluxer").put("sub", "mallory"));
    assertThat(refused(hs).code()).as("an HMAC token claiming the provider").isEqualTo((short) 3500);
    JsonObject idHeader = new JsonObject().put("alg", "RS256").put("kid", rs.kid()).put("typ", "id_token+jwt");
    assertThat(refused(TestJwks.sign(rs, idHeader, new JsonObject().put("iss", provider.issuer())
        .put("aud", "fluxer").put("sub", "alice").put("exp", nowSeconds() + 60))).code())
        .as("a typ not accepted").isEqualTo((short) 3500);

    WsTestClient c = open();
    JsonObject reply = c.call("connect", new JsonObject().put("token",
        minted(rs, new JsonObject().put("exp", nowSeconds() - 60))));
    assertThat(reply.getJsonObject("error").getInteger("code")).as("expired: the SDK fetches a new token")
        .isEqualTo(109);
    WsTestClient fine = open();
    assertThat(fine.connectWith(minted(rs, new JsonObject().put("nbf", nowSeconds() + 3))).getString("client"))
        .as("not yet valid within the leeway").isNotEmpty();
  }

  @Test
  @DisplayName("A flood of unknown kids reaches the provider at most once per min_refresh_interval")
  void unknownKidFlood() throws Exception {
    startTrusting(new JsonObject().put("min_refresh_interval", "2s"));
    int before = provider.jwksFetches();
    long start = System.nanoTime();
    List<WsTestClient> flood = new java.util.ArrayList<>();
    for (int i = 0; i < 100; i++) {
      TestJwks.Key made = TestJwks.generate(i % 2 == 0 ? "ES256" : "RS256", "made-up-" + UUID.randomUUID());
      WsTestClient c = open();
      c.send("connect", new JsonObject().put("token", minted(made, new JsonObject())));
      flood.add(c);
    }
    for (WsTestClient c : flood) {
      assertThat(c.awaitClose(SHORT).code()).isEqualTo((short) 3500);
    }
    long seconds = (System.nanoTime() - start) / 1_000_000_000L;
    assertThat(provider.jwksFetches() - before).as("JWKS fetches for 100 unknown kids in %d s", seconds)
        .isLessThanOrEqualTo(1 + (int) (seconds / 2));
    assertThat(open().connectWith(minted(key("ES384"), new JsonObject())).getString("client"))
        .as("known keys still verify").isNotEmpty();
  }

  @Test
  @DisplayName("A key the provider publishes later is fetched on first use, once the refresh interval allows")
  void newKeyFetchedOnDemand() throws Exception {
    startTrusting(new JsonObject().put("min_refresh_interval", "1s"));
    TestJwks.Key added = TestJwks.generate("ES256", "k2-es256");
    provider.restart(List.of(added, key("RS256")));
    // the first try may fall within a second of the start's fetch: refused at once, no waiting
    String token = minted(added, new JsonObject());
    waitFor(() -> connects(token), Duration.ofSeconds(10), "a token under the newly published kid connects");
  }

  @Test
  @DisplayName("Provider down at start: the relay starts and shows it; tokens work once the provider answers")
  void providerDownAtStart() throws Exception {
    provider.stop();
    startTrusting(new JsonObject().put("min_refresh_interval", "200ms"));
    HttpTestClient.Response ready = http().get("/ready", HttpTestClient.NONE);
    assertThat(ready.status()).isEqualTo(200);
    JsonObject status = ready.json().getJsonArray("issuers").getJsonObject(0);
    assertThat(status.getBoolean("ok")).isFalse();
    assertThat(status.getInteger("keys")).isZero();
    assertThat(status.getString("error")).contains("cannot reach");
    assertThat(refused(minted(key("RS256"), new JsonObject())).code()).isEqualTo((short) 3500);

    provider.restart(keys);
    String token = minted(key("RS256"), new JsonObject());
    waitFor(() -> connects(token), Duration.ofSeconds(10), "connects once the provider is back");
    waitFor(() -> http().get("/ready", HttpTestClient.NONE).json().getJsonArray("issuers").getJsonObject(0)
        .getBoolean("ok"), SHORT, "/ready shows the issuer ok again");
  }

  @Test
  @DisplayName("Provider down during a session: connected clients stay, cached keys keep verifying, /metrics counts failures")
  void providerDownDuringSession() throws Exception {
    startTrusting(new JsonObject().put("min_refresh_interval", "200ms"));
    WsTestClient c = open();
    c.connectWith(provider.clientCredentialsToken("svc-es512", OidcTestProvider.AUDIENCE));
    provider.stop();
    // an unknown kid makes the relay try the provider (once min_refresh_interval has passed), which fails
    TestJwks.Key unknown = TestJwks.generate("ES256", "unknown-" + UUID.randomUUID());
    waitFor(() -> {
      refused(minted(unknown, new JsonObject()));
      return !http().get("/ready", HttpTestClient.NONE).json().getJsonArray("issuers").getJsonObject(0)
          .getBoolean("ok");
    }, SHORT, "/ready shows the failed fetch");
    String metrics = http().get("/metrics", HttpTestClient.NONE).body();
    assertThat(metrics).containsPattern("fluxer_jwks_fetches_total\\{[^}]*result=\"failed\"[^}]*\\} [1-9]");
    assertThat(metrics).containsPattern("fluxer_jwks_up\\{[^}]*\\} 0\\.0");
    assertThat(metrics).containsPattern("fluxer_jwks_keys\\{[^}]*\\} 5\\.0");

    assertThat(c.result("refresh", new JsonObject().put("token", minted(key("ES512"),
        new JsonObject().put("sub", "svc-es512")))).getString("client")).isNotEmpty();
    assertThat(open().connectWith(minted(key("EdDSA"), new JsonObject())).getString("client"))
        .as("new connections with cached keys").isNotEmpty();
    assertThat(c.isClosed()).isFalse();
  }

  @Test
  @DisplayName("Ops tokens from the provider: the ops audience and a mapped role open /api/v1; a client token does not")
  void opsTokens() throws Exception {
    startTrusting();
    String admin = provider.clientCredentialsToken("svc-rs256", OidcTestProvider.OPS_AUDIENCE);
    String viewer = provider.clientCredentialsToken("svc-es256", OidcTestProvider.OPS_AUDIENCE);
    String client = provider.clientCredentialsToken("svc-rs256", OidcTestProvider.AUDIENCE);
    assertThat(http().get("/api/v1/stats", HttpTestClient.bearer(admin)).status()).isEqualTo(200);
    assertThat(http().get("/api/v1/stats", HttpTestClient.bearer(viewer)).status()).isEqualTo(200);
    assertThat(http().put("/api/v1/namespaces/news", HttpTestClient.bearer(viewer), "{}").status())
        .as("viewer cannot change").isEqualTo(403);
    assertThat(http().get("/api/v1/stats", HttpTestClient.bearer(client)).status())
        .as("a client token is no ops credential").isEqualTo(401);
    String noExp = TestJwks.sign(key("RS256"), new JsonObject().put("iss", provider.issuer())
        .put("aud", OidcTestProvider.OPS_AUDIENCE).put("sub", "svc-rs256")
        .put("realm_access", new JsonObject().put("roles", new JsonArray().add("fluxer-admin"))));
    assertThat(http().get("/api/v1/stats", HttpTestClient.bearer(noExp)).status())
        .as("an ops token must expire").isEqualTo(401);
    String longLived = TestJwks.sign(key("RS256"), new JsonObject().put("iss", provider.issuer())
        .put("aud", OidcTestProvider.OPS_AUDIENCE).put("sub", "svc-rs256").put("exp", nowSeconds() + 86_400)
        .put("realm_access", new JsonObject().put("roles", new JsonArray().add("fluxer-admin"))));
    assertThat(http().get("/api/v1/stats", HttpTestClient.bearer(longLived)).status())
        .as("an ops token living longer than max_lifetime").isEqualTo(401);
  }

  @Test
  @DisplayName("Subscription tokens and sub_refresh with provider keys")
  void subscriptionTokens() throws Exception {
    startRelay(config -> {
      config.getJsonObject("token").put("issuers", new JsonArray().add(new JsonObject()
          .put("issuer", provider.issuer()).put("audiences", new JsonArray().add(OidcTestProvider.AUDIENCE))));
      addNamespace(config, new JsonObject().put("name", "private"));
    });
    WsTestClient c = open();
    c.connectWith(minted(key("ES256"), new JsonObject()));
    String channel = "private:" + unique("room");
    JsonObject sub = c.result("subscribe", new JsonObject().put("channel", channel)
        .put("token", minted(key("EdDSA"), new JsonObject().put("channel", channel).put("exp", nowSeconds() + 60))));
    assertThat(sub.getBoolean("expires")).isTrue();
    JsonObject refreshed = c.result("sub_refresh", new JsonObject().put("channel", channel)
        .put("token", minted(key("RS256"), new JsonObject().put("channel", channel).put("exp", nowSeconds() + 120))));
    assertThat(refreshed.getLong("ttl")).isGreaterThan(60L);
    assertThat(c.errorCode("subscribe", new JsonObject().put("channel", "private:" + unique("other"))))
        .as("without a token").isNotZero();
  }

  private static JsonObject header(String jwt) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.substring(0, jwt.indexOf('.')))));
  }

  /** Waits, with a deadline, until {@code condition} holds ({@code what} names it in the failure). */
  private static void waitFor(BooleanSupplier condition, Duration timeout, String what) {
    try {
      HttpTestClient.eventually(condition::getAsBoolean, ok -> ok, timeout);
    } catch (AssertionError e) {
      throw new AssertionError("not within " + timeout.toMillis() + " ms: " + what, e);
    }
  }
}
