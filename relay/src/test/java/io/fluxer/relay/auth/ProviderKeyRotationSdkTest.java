package io.fluxer.relay.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.NodeScript;
import io.fluxer.relay.testing.OidcTestProvider;
import io.fluxer.relay.testing.OidcTestProvider.Settings;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.TestJwks;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The official {@code centrifuge} JS SDK stays connected through a key rotation of the OpenID
 * provider whose tokens the relay trusts: its {@code getToken} fetches access tokens from the
 * provider (client credentials, short lifetime, so the SDK refreshes during the test), the provider
 * restarts mid-session with a new signing key first in its JWKS, and the relay must accept the
 * refreshed tokens under the new {@code kid} (fetching the JWKS again for it) without the client
 * noticing: same client id, no disconnect, every publication on its subscription delivered.
 *
 * <p>The scenario is {@code src/test/js/sdk-oidc-rotation.mjs}; it asks this test to rotate
 * ({@code {"request":"rotate"}}) right after a refresh, so the rotation falls between two refreshes.
 */
class ProviderKeyRotationSdkTest extends RelayTestBase {
  private static final String SCRIPT = "sdk-oidc-rotation.mjs";
  private static final Duration ACCESS_TOKEN_TTL = Duration.ofSeconds(5);
  private static final Duration NODE_TIMEOUT = Duration.ofSeconds(120);
  private static final String ALG = "RS256";

  private OidcTestProvider provider;

  @AfterEach
  void stopProvider() throws Exception {
    if (provider != null) {
      provider.close();
    }
  }

  @Test
  void sdkRefreshesThroughARotationThatKeepsTheOldKey() throws Exception {
    Outcome outcome = rotate(true);
    // Both key sets are in the JWKS after the rotation: five keys each.
    assertThat(outcome.readyKeys).as("keys cached by the relay after the rotation (old and new sets)").isEqualTo(10);
  }

  @Test
  void sdkRefreshesThroughARotationThatDropsTheOldKey() throws Exception {
    Outcome outcome = rotate(false);
    // The old keys left the JWKS but are kept for key_grace (default 10 min): still cached, still accepted.
    assertThat(outcome.readyKeys).as("keys cached by the relay: the new set and the old one within key_grace")
        .isEqualTo(10);
    assertThat(outcome.oldKeyTokenAccepted).as("a token signed with the dropped old key, within key_grace")
        .isTrue();
  }

  private record Outcome(JsonObject summary, int readyKeys, boolean oldKeyTokenAccepted) {}

  private Outcome rotate(boolean keepOldKeys) throws Exception {
    List<TestJwks.Key> oldKeys = TestJwks.oneOfEach("old");
    List<TestJwks.Key> newKeys = TestJwks.oneOfEach("new");
    TestJwks.Key oldKey = keyFor(oldKeys, ALG);
    TestJwks.Key newKey = keyFor(newKeys, ALG);
    provider = OidcTestProvider.start(Settings.of(oldKeys).withAccessTokenTtl(ACCESS_TOKEN_TTL));
    String issuer = provider.issuer();
    TestRelay relay = startRelay(config -> {
      // A refresh that fails shows up at once as a disconnect (3005 or 3500).
      clientSection(config).put("expired_close_delay", "2s");
      config.getJsonObject("token").put("issuers", new JsonArray().add(new JsonObject()
          .put("issuer", issuer)
          .put("audiences", new JsonArray().add(OidcTestProvider.AUDIENCE))
          .put("min_refresh_interval", "1s")));
    });
    assertThat(provider.jwksFetches()).as("JWKS fetches by the relay at start").isEqualTo(1);

    List<TestJwks.Key> rotated = new ArrayList<>(newKeys);
    if (keepOldKeys) {
      rotated.addAll(oldKeys);
    }
    AtomicInteger rotations = new AtomicInteger();
    AtomicLong restartMillis = new AtomicLong();
    JsonObject summary = NodeScript.run(SCRIPT, Map.of(
        "FLUXER_WS_URL", relay.wsUrl(),
        "FLUXER_TOKEN_URL", issuer + "/token",
        "FLUXER_CLIENT_ID", OidcTestProvider.clientId(ALG),
        "FLUXER_CLIENT_SECRET", OidcTestProvider.CLIENT_SECRET,
        "FLUXER_RESOURCE", "urn:" + OidcTestProvider.AUDIENCE,
        "FLUXER_TOKEN_B", relay.token("publisher-b"),
        "FLUXER_CHANNEL", chat("rotation"),
        "FLUXER_TTL_MS", String.valueOf(ACCESS_TOKEN_TTL.toMillis())), NODE_TIMEOUT, request -> {
          if (!"rotate".equals(request.getString("request"))) {
            throw new AssertionError("unexpected request " + request);
          }
          rotations.incrementAndGet();
          long started = System.nanoTime();
          try {
            provider.restart(rotated);
          } catch (Exception e) {
            throw new AssertionError("cannot restart the provider with new keys", e);
          }
          restartMillis.set((System.nanoTime() - started) / 1_000_000);
          return new JsonObject().put("kid", newKey.kid());
        }).summary();
    System.out.println("[rotation keepOld=" + keepOldKeys + "] provider restart " + restartMillis.get()
        + " ms; summary " + summary.encode());

    assertThat(rotations.get()).as("rotations the script asked for").isEqualTo(1);
    assertThat(summary.getBoolean("ok")).isTrue();
    assertThat(summary.getString("oldKid")).as("kid of the tokens before the rotation").isEqualTo(oldKey.kid());
    assertThat(summary.getString("newKid")).isEqualTo(newKey.kid());
    assertThat(summary.getInteger("connects")).as("SDK connects (a reconnect would make 2)").isEqualTo(1);
    assertThat(summary.getInteger("refreshesBeforeRotation")).as("refreshes accepted before the rotation")
        .isGreaterThanOrEqualTo(1);
    assertThat(summary.getInteger("refreshesAfterRotation")).as("refreshes accepted after the rotation")
        .isGreaterThanOrEqualTo(2);
    List<Object> kids = summary.getJsonArray("refreshKids").getList();
    assertThat(kids).as("kids of the accepted refreshes, in order").startsWith(oldKey.kid()).endsWith(newKey.kid(), newKey.kid());
    assertThat(summary.getInteger("received")).as("publications received = published")
        .isEqualTo(summary.getInteger("published")).isGreaterThan(10);

    // The relay fetched the rotated JWKS because of the new kid (the periodic refresh is 10 min away).
    assertThat(provider.jwksFetches()).as("JWKS fetches of the restarted provider (the new kid's fetch)")
        .isEqualTo(1);
    JsonObject status = http().get("/ready", HttpTestClient.NONE).json().getJsonArray("issuers").getJsonObject(0);
    assertThat(status.getBoolean("ok")).as("/ready issuers[0] " + status).isTrue();

    boolean oldAccepted = connects(relay, TestJwks.sign(oldKey,
        new JsonObject().put("alg", ALG).put("kid", oldKey.kid()).put("typ", "at+jwt"),
        new JsonObject().put("iss", issuer).put("aud", OidcTestProvider.AUDIENCE).put("sub", "late-old-key")
            .put("exp", Instant.now().getEpochSecond() + 60)));
    // Sanity: the new key works for a client of our own too.
    assertThat(connects(relay, TestJwks.sign(newKey,
        new JsonObject().put("alg", ALG).put("kid", newKey.kid()).put("typ", "at+jwt"),
        new JsonObject().put("iss", issuer).put("aud", OidcTestProvider.AUDIENCE).put("sub", "new-key")
            .put("exp", Instant.now().getEpochSecond() + 60))))
        .as("a token signed with the new key").isTrue();
    return new Outcome(summary, status.getInteger("keys"), oldAccepted);
  }

  /** Whether a raw client connects with {@code token} (false: an error reply or a close). */
  private boolean connects(TestRelay relay, String token) {
    WsTestClient c = track(WsTestClient.open(vertx, relay.wsUrl()));
    long id = c.send("connect", new JsonObject().put("token", token));
    JsonObject reply = HttpTestClient.eventually(
        () -> c.messages().stream().filter(m -> m.getLong("id", 0L) == id).findFirst()
            .orElse(c.isClosed() ? new JsonObject().put("closed", String.valueOf(c.closeInfo())) : null),
        r -> r != null, SHORT);
    return reply.containsKey("connect");
  }

  private static TestJwks.Key keyFor(List<TestJwks.Key> keys, String alg) {
    return keys.stream().filter(k -> k.alg().equals(alg)).findFirst().orElseThrow();
  }
}
