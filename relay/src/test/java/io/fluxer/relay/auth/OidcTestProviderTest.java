package io.fluxer.relay.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxer.relay.testing.OidcTestProvider;
import io.fluxer.relay.testing.OidcTestProvider.DashboardClient;
import io.fluxer.relay.testing.OidcTestProvider.Settings;
import io.fluxer.relay.testing.OidcTestProvider.User;
import io.fluxer.relay.testing.TestJwks;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The OpenID provider fixture works: its keys, tokens and login are what the relay's tests rely on. */
class OidcTestProviderTest {
  private static final String REDIRECT_URI = "http://127.0.0.1:9/dashboard/sso/callback";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static List<TestJwks.Key> keys;
  private static OidcTestProvider provider;

  @BeforeAll
  static void start() throws Exception {
    keys = TestJwks.oneOfEach("k1");
    provider = OidcTestProvider.start(Settings.of(keys,
            new User("alice", List.of("fluxer-admin"), List.of("ops-team"), "pw"))
        .withClientRoles("svc-rs256", "fluxer-ops")
        .withDashboardClient(new DashboardClient("fluxer-dashboard", List.of(REDIRECT_URI), null)));
  }

  @AfterAll
  static void stop() throws Exception {
    if (provider != null) {
      provider.close();
    }
  }

  @Test
  void discoveryNamesTheIssuerAndTheJwks() throws Exception {
    JsonObject discovery = getJson(provider.discoveryUrl());
    assertThat(discovery.getString("issuer")).isEqualTo(provider.issuer()).startsWith("http://127.0.0.1:");
    assertThat(discovery.getString("jwks_uri")).isEqualTo(provider.jwksUrl().toString());
    assertThat(discovery.getJsonArray("code_challenge_methods_supported")).containsExactly("S256");
  }

  @Test
  void jwksListsThePublicKeysOnly() throws Exception {
    JsonArray served = getJson(provider.jwksUrl()).getJsonArray("keys");
    assertThat(served).hasSize(5);
    Map<String, JsonObject> byKid = byKid(served);
    for (TestJwks.Key key : keys) {
      JsonObject jwk = byKid.get(key.kid());
      assertThat(jwk).as(key.kid()).isEqualTo(key.publicJwk());
      assertThat(jwk.fieldNames()).doesNotContain("d", "p", "q", "dp", "dq", "qi");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"RS256", "ES256", "ES384", "ES512", "EdDSA"})
  void eachClientSignsWithItsAlgorithm(String alg) throws Exception {
    TestJwks.Key key = keyFor(keys, alg);
    String clientId = OidcTestProvider.clientId(alg);
    String token = provider.clientCredentialsToken(clientId, OidcTestProvider.AUDIENCE);

    JsonObject header = part(token, 0);
    assertThat(header.getString("alg")).isEqualTo(alg);
    assertThat(header.getString("kid")).isEqualTo(key.kid());
    assertThat(header.getString("typ")).isEqualTo("at+jwt");
    JsonObject payload = part(token, 1);
    assertThat(payload.getString("iss")).isEqualTo(provider.issuer());
    assertThat(payload.getValue("aud")).isEqualTo(OidcTestProvider.AUDIENCE);
    assertThat(payload.getString("sub")).isEqualTo(clientId);
    assertThat(payload.getLong("exp")).isGreaterThan(Instant.now().getEpochSecond());
    List<String> expectedRoles = alg.equals("RS256") ? List.of("fluxer-ops") : List.of();
    assertThat(payload.getJsonArray("roles").getList()).isEqualTo(expectedRoles);
    assertThat(payload.getJsonObject("realm_access").getJsonArray("roles").getList()).isEqualTo(expectedRoles);

    assertThat(TestJwks.verify(token, alg, key.publicKey())).as("signature by the configured key").isTrue();
    JsonObject served = byKid(getJson(provider.jwksUrl()).getJsonArray("keys")).get(key.kid());
    assertThat(TestJwks.verify(token, alg, TestJwks.publicKey(served))).as("signature by the served key").isTrue();
  }

  @Test
  void opsTokensHaveTheOpsAudience() throws Exception {
    String token = provider.clientCredentialsToken("svc-es256", OidcTestProvider.OPS_AUDIENCE);
    assertThat(part(token, 1).getValue("aud")).isEqualTo(OidcTestProvider.OPS_AUDIENCE);
    assertThat(TestJwks.verify(token, "ES256", keyFor(keys, "ES256").publicKey())).isTrue();
  }

  @Test
  void dashboardLoginGivesRolesInBothTokens() throws Exception {
    JsonObject tokens = provider.login("alice", "pw", "nonce-42");

    String idToken = tokens.getString("id_token");
    assertThat(part(idToken, 0).getString("alg")).isEqualTo("RS256");
    JsonObject id = part(idToken, 1);
    assertThat(id.getString("iss")).isEqualTo(provider.issuer());
    assertThat(id.getValue("aud")).isEqualTo("fluxer-dashboard");
    assertThat(id.getString("sub")).isEqualTo("alice");
    assertThat(id.getString("nonce")).isEqualTo("nonce-42");
    assertThat(id.getJsonArray("roles")).containsExactly("fluxer-admin");
    assertThat(id.getJsonArray("groups")).containsExactly("ops-team");
    assertThat(TestJwks.verify(idToken, "RS256", keyFor(keys, "RS256").publicKey())).isTrue();

    String accessToken = tokens.getString("access_token");
    assertThat(part(accessToken, 0).getString("typ")).isEqualTo("at+jwt");
    JsonObject access = part(accessToken, 1);
    assertThat(access.getJsonArray("aud")).containsExactly("fluxer", "fluxer-ops");
    assertThat(access.getString("sub")).isEqualTo("alice");
    assertThat(access.getJsonArray("roles")).containsExactly("fluxer-admin");
    assertThat(access.getJsonArray("groups")).containsExactly("ops-team");
    assertThat(access.getJsonObject("realm_access").getJsonArray("roles")).containsExactly("fluxer-admin");
    assertThat(TestJwks.verify(accessToken, "RS256", keyFor(keys, "RS256").publicKey())).isTrue();
  }

  @Test
  void loginRefusesAWrongPasswordAndUnknownUsers() {
    assertThatThrownBy(() -> provider.login("alice", "wrong", "n")).isInstanceOf(AssertionError.class)
        .hasMessageContaining("login as alice was refused");
    assertThatThrownBy(() -> provider.login("mallory", "pw", "n")).isInstanceOf(AssertionError.class)
        .hasMessageContaining("login as mallory was refused");
  }

  @Test
  void restartRotatesKeysOnTheSameIssuerAndCountsJwksFetches() throws Exception {
    List<TestJwks.Key> first = TestJwks.oneOfEach("a");
    try (OidcTestProvider own = OidcTestProvider.start(first)) {
      String issuer = own.issuer();
      assertThat(own.jwksFetches()).isZero();
      getJson(own.jwksUrl());
      getJson(own.jwksUrl());
      assertThat(own.jwksFetches()).isEqualTo(2);

      // the new RSA key comes first, so it signs; the old one stays published
      TestJwks.Key next = TestJwks.generate("RS256", "b-rs256");
      List<TestJwks.Key> rotated = new ArrayList<>(List.of(next));
      rotated.addAll(first);
      own.restart(rotated);

      assertThat(own.issuer()).isEqualTo(issuer);
      assertThat(own.jwksFetches()).as("counted since the restart").isZero();
      assertThat(byKid(getJson(own.jwksUrl()).getJsonArray("keys")).keySet())
          .containsExactlyInAnyOrder("b-rs256", "a-rs256", "a-es256", "a-es384", "a-es512", "a-eddsa");
      String token = own.clientCredentialsToken("svc-rs256", OidcTestProvider.AUDIENCE);
      assertThat(part(token, 0).getString("kid")).isEqualTo("b-rs256");
      assertThat(TestJwks.verify(token, "RS256", next.publicKey())).isTrue();
      assertThat(own.jwksFetches()).isEqualTo(1);

      own.restart(List.of(next));
      assertThat(byKid(getJson(own.jwksUrl()).getJsonArray("keys")).keySet()).containsExactly("b-rs256");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"RS256", "ES256", "ES384", "ES512", "EdDSA"})
  void locallyMintedTokensVerifyThroughTheirPublicJwk(String alg) {
    TestJwks.Key key = TestJwks.generate(alg, "local");
    JsonObject header = new JsonObject().put("alg", alg).put("kid", "unknown-kid").put("typ", "JWT");
    String token = TestJwks.sign(key, header, new JsonObject().put("sub", "42"));

    assertThat(part(token, 0)).isEqualTo(header);
    assertThat(TestJwks.verify(token, alg, TestJwks.publicKey(key.publicJwk()))).isTrue();
    String[] parts = token.split("\\.");
    String otherPayload = Base64.getUrlEncoder().withoutPadding()
        .encodeToString("{\"sub\":\"43\"}".getBytes(StandardCharsets.UTF_8));
    assertThat(TestJwks.verify(parts[0] + "." + otherPayload + "." + parts[2], alg, key.publicKey())).isFalse();
    assertThat(TestJwks.verify(token, alg, TestJwks.generate(alg, "other").publicKey())).isFalse();
    int signatureBytes = Base64.getUrlDecoder().decode(token.substring(token.lastIndexOf('.') + 1)).length;
    int expected = switch (alg) {
      case "RS256" -> 256;
      case "ES256" -> 64;
      case "ES384" -> 96;
      case "ES512" -> 132;
      default -> 64;
    };
    assertThat(signatureBytes).as("JOSE signature length").isEqualTo(expected);
  }

  private static TestJwks.Key keyFor(List<TestJwks.Key> keys, String alg) {
    return keys.stream().filter(k -> k.alg().equals(alg)).findFirst().orElseThrow();
  }

  private static Map<String, JsonObject> byKid(JsonArray jwks) {
    return jwks.stream().map(JsonObject.class::cast)
        .collect(Collectors.toMap(k -> k.getString("kid"), Function.identity()));
  }

  private static JsonObject part(String jwt, int index) {
    return new JsonObject(new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[index]), StandardCharsets.UTF_8));
  }

  private static JsonObject getJson(URI uri) throws Exception {
    HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as("GET " + uri).isEqualTo(200);
    return new JsonObject(response.body());
  }
}
