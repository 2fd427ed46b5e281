package io.fluxer.relay.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.TestJwks;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.RSAPublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Faults of an identity provider that a real one cannot be made to show, served by a small real
 * HTTP server ({@link FakeIdp}: OpenID discovery and a JWKS, on its own Vert.x): odd and unusable
 * JWKS entries, failing, garbage, oversized and hanging answers, a discovery document naming
 * another issuer, keys leaving the JWKS (key_grace) and floods of unknown {@code kid}s
 * (min_refresh_interval). Tokens are minted by the test with {@link TestJwks} keys.
 */
class JwksSourceFaultTest extends RelayTestBase {
  private static final String AUDIENCE = "fluxer";
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

  private Vertx idpVertx;
  private FakeIdp idp;

  @BeforeEach
  void startIdp() {
    idpVertx = Vertx.vertx();
    idp = FakeIdp.start(idpVertx);
  }

  @AfterEach
  void stopIdp() {
    if (idpVertx != null) {
      TestRelay.await(idpVertx.close());
    }
  }

  // ---- (a) what a JWKS may hold

  @Test
  void keysWithoutUseAreTakenAndUnusableEntriesAreSkippedWithoutHarmingThem() throws Exception {
    TestJwks.Key rsa = TestJwks.generate("RS256", "rsa-no-use");
    TestJwks.Key ec = TestJwks.generate("ES256", "ec-no-use");
    TestJwks.Key enc = TestJwks.generate("RS256", "rsa-enc");
    TestJwks.Key weak = rsa1024("rsa-1024");
    JsonArray keys = new JsonArray()
        // an encryption key, as Keycloak lists one beside its signing keys
        .add(enc.publicJwk().put("use", "enc").put("alg", "RSA-OAEP"))
        // no use, no alg: a signing key for every RSA algorithm
        .add(without(rsa.publicJwk(), "use", "alg"))
        .add(new JsonObject().put("kty", "oct").put("kid", "hmac").put("k", B64.encodeToString(new byte[32])))
        .add(weak.publicJwk())
        .add(new JsonObject().put("kty", "EC").put("crv", "secp256k1").put("kid", "k1-curve")
            .put("x", B64.encodeToString(random(32))).put("y", B64.encodeToString(random(32))))
        .add(new JsonObject().put("kty", "RSA").put("kid", "broken").put("n", "!!not base64!!").put("e", "AQAB"))
        .add("not an object")
        // no use, alg given
        .add(without(ec.publicJwk(), "use"));
    idp.jwks = new JsonObject().put("keys", keys);
    TestRelay relay = startRelay(withIssuer(issuer -> { }));

    JsonObject status = issuerStatus();
    assertThat(status.getBoolean("ok")).as("the JWKS with odd entries was read: " + status).isTrue();
    assertThat(status.getInteger("keys")).as("usable keys in the cache (the two without use): " + status).isEqualTo(2);
    assertThat(connect(relay, token(rsa, "alice")).connected()).as("RS256 key without use or alg").isTrue();
    assertThat(connect(relay, token(ec, "bob")).connected()).as("ES256 key without use").isTrue();

    Outcome encrypted = connect(relay, token(enc, "eve"));
    assertThat(encrypted.connected()).as("token signed with the encryption key: " + encrypted).isFalse();
    Outcome weakRsa = connect(relay, token(weak, "eve"));
    assertThat(weakRsa.connected()).as("token signed with the 1024-bit RSA key: " + weakRsa).isFalse();
  }

  // ---- (b) failing answers after a good fetch

  enum Fault { STATUS_500, GARBAGE, HUGE }

  @ParameterizedTest
  @EnumSource(Fault.class)
  void aFailingFetchKeepsTheLastGoodKeysAndIsReported(Fault fault) throws Exception {
    TestJwks.Key good = TestJwks.generate("ES256", "good");
    idp.jwks = TestJwks.jwks(List.of(good), false);
    TestRelay relay = startRelay(withIssuer(issuer -> issuer.put("min_refresh_interval", "200ms")));
    assertThat(issuerStatus().getBoolean("ok")).isTrue();
    assertThat(connect(relay, token(good, "alice")).connected()).as("before the fault").isTrue();
    assertThat(failedFetchesMetric()).as("failed fetches before the fault").isZero();

    idp.mode = switch (fault) {
      case STATUS_500 -> FakeIdp.Mode.STATUS_500;
      case GARBAGE -> FakeIdp.Mode.GARBAGE;
      case HUGE -> FakeIdp.Mode.HUGE;
    };
    int before = idp.jwksRequests.get();
    // An unknown kid asks for a fetch (allowed once min_refresh_interval has passed since the last).
    JsonObject status = HttpTestClient.eventually(() -> {
      connect(relay, token(TestJwks.generate("ES256", "unknown-" + UUID.randomUUID()), "mallory"));
      return issuerStatus();
    }, s -> !s.getBoolean("ok") && idp.jwksRequests.get() > before, SHORT);

    String expectedError = switch (fault) {
      case STATUS_500 -> "answered HTTP 500";
      case GARBAGE -> "did not answer a JSON object";
      case HUGE -> "answered more than " + JwksSource.MAX_DOCUMENT_BYTES + " bytes";
    };
    assertThat(status.getString("error")).as("/ready issuers[0].error: " + status).contains(expectedError);
    assertThat(status.getInteger("failed_fetches")).as("/ready failed_fetches").isPositive();
    assertThat(status.getInteger("keys")).as("the last good keys stay cached").isEqualTo(1);
    assertThat(connect(relay, token(good, "alice")).connected()).as("the last good key after the fault").isTrue();
    assertThat(failedFetchesMetric()).as("fluxer_jwks_fetches_total{result=\"failed\"}").isPositive();
  }

  // ---- (c) a provider that never answers

  @Test
  void aHangingProviderFailsTheUnknownKidWithinFetchTimeoutAndBlocksNoEventLoop() throws Exception {
    TestJwks.Key good = TestJwks.generate("RS256", "good");
    idp.jwks = TestJwks.jwks(List.of(good), false);
    long fetchTimeoutMs = 1500;
    TestRelay relay = startRelay(config -> {
      // One event loop: a blocked loop would stall every client.
      config.getJsonObject("server").put("instances", 1);
      // The bystander publishes as fast as it is answered.
      clientSection(config).put("limits", new JsonObject().put("command_rate", 0));
      withIssuer(issuer -> issuer.put("min_refresh_interval", "100ms").put("fetch_timeout", fetchTimeoutMs + "ms"))
          .accept(config);
    });
    WsTestClient bystander = track(WsTestClient.open(vertx, relay.wsUrl()));
    bystander.connectWith(token(good, "bob"));
    String channel = chat("hang");
    bystander.subscribe(channel);

    idp.mode = FakeIdp.Mode.HANG;
    int hungBefore = idp.hung.get();
    long elapsedMs = -1;
    Outcome outcome = null;
    List<Long> latencies = new ArrayList<>();
    // The attempt that starts the (hanging) fetch; earlier ones may be refused at once by min_refresh_interval.
    for (int attempt = 0; attempt < 5 && idp.hung.get() == hungBefore; attempt++) {
      WsTestClient victim = track(WsTestClient.open(vertx, relay.wsUrl()));
      long started = System.nanoTime();
      long id = victim.send("connect", new JsonObject().put("token",
          token(TestJwks.generate("RS256", "unknown-" + attempt), "mallory")));
      long deadline = started + Duration.ofMillis(fetchTimeoutMs + 5000).toNanos();
      int n = 0;
      while ((outcome = outcomeOf(victim, id)) == null) {
        if (System.nanoTime() - deadline > 0) {
          throw new AssertionError("the connect with an unknown kid got no answer within " + (fetchTimeoutMs + 5000)
              + " ms while the provider hangs");
        }
        // The bystander's commands must be answered promptly meanwhile.
        long t = System.nanoTime();
        bystander.publish(channel, new JsonObject().put("n", ++n));
        latencies.add((System.nanoTime() - t) / 1_000_000);
      }
      elapsedMs = (System.nanoTime() - started) / 1_000_000;
    }
    assertThat(idp.hung.get()).as("JWKS requests left hanging by the provider").isEqualTo(hungBefore + 1);
    assertThat(outcome.connected()).as("connect with an unknown kid while the provider hangs: " + outcome).isFalse();
    System.out.println("[hang] unknown kid refused after " + elapsedMs + " ms; bystander publishes "
        + latencies.size() + ", max latency " + latencies.stream().mapToLong(Long::longValue).max().orElse(-1) + " ms");
    assertThat(elapsedMs).as("time until the unknown kid was refused (fetch_timeout %d ms)", fetchTimeoutMs)
        .isBetween(fetchTimeoutMs - 100, fetchTimeoutMs + 1500);
    assertThat(latencies).as("the bystander's publishes answered during the hanging fetch").hasSizeGreaterThan(5);
    assertThat(latencies).as("publish round trips (ms) on the relay's only event loop").allMatch(ms -> ms < 500);
    JsonObject status = issuerStatus();
    assertThat(status.getBoolean("ok")).as("/ready after the timeout: " + status).isFalse();
    assertThat(status.getString("error")).contains("no answer").contains("within " + fetchTimeoutMs + " ms");
    assertThat(connect(relay, token(good, "alice")).connected()).as("the known key while the provider hangs").isTrue();
  }

  // ---- (d) discovery naming another issuer

  @Test
  void discoveryNamingAnotherIssuerIsRefused() throws Exception {
    TestJwks.Key good = TestJwks.generate("ES256", "good");
    idp.jwks = TestJwks.jwks(List.of(good), false);
    idp.discoveryIssuer = "https://impostor.example/realms/other";
    TestRelay relay = startRelay(withIssuer(issuer -> issuer.put("min_refresh_interval", "100ms")));

    JsonObject status = issuerStatus();
    assertThat(status.getBoolean("ok")).as("/ready issuers[0]: " + status).isFalse();
    assertThat(status.getString("error")).as("/ready issuers[0].error")
        .contains("https://impostor.example/realms/other").contains("not the configured one");
    assertThat(status.getInteger("keys")).isZero();
    Outcome outcome = connect(relay, token(good, "alice"));
    assertThat(outcome.connected()).as("token signed with a key of the JWKS the discovery points at: " + outcome).isFalse();
    assertThat(idp.discoveryRequests.get()).as("discovery requests").isPositive();
    assertThat(idp.jwksRequests.get()).as("JWKS requests (the discovery was refused before)").isZero();
  }

  // ---- (e) key_grace

  @Test
  void aKeyThatLeftTheJwksIsAcceptedForKeyGraceThenRefused() throws Exception {
    TestJwks.Key leaving = TestJwks.generate("ES256", "leaving");
    TestJwks.Key staying = TestJwks.generate("ES256", "staying");
    TestJwks.Key arriving = TestJwks.generate("ES256", "arriving");
    long graceMs = 2000;
    idp.jwks = TestJwks.jwks(List.of(leaving, staying), false);
    TestRelay relay = startRelay(withIssuer(issuer -> issuer.put("jwks_url", idp.jwksUrl())
        .put("key_grace", graceMs + "ms").put("min_refresh_interval", "100ms")));
    assertThat(connect(relay, token(leaving, "alice")).connected()).as("the leaving key before the rotation").isTrue();

    idp.jwks = TestJwks.jwks(List.of(staying, arriving), false);
    int before = idp.jwksRequests.get();
    long[] fetchWindow = new long[2];
    // The arriving key's kid makes the relay fetch the new JWKS, in which "leaving" is gone.
    HttpTestClient.eventually(() -> {
      fetchWindow[0] = System.nanoTime();
      Outcome o = connect(relay, token(arriving, "carol"));
      fetchWindow[1] = System.nanoTime();
      return o;
    }, Outcome::connected, SHORT);
    assertThat(idp.jwksRequests.get()).as("JWKS fetches for the arriving kid").isEqualTo(before + 1);

    Outcome within = connect(relay, token(leaving, "alice"));
    long sinceFetch = (System.nanoTime() - fetchWindow[1]) / 1_000_000;
    assertThat(sinceFetch).as("the check within key_grace came too late to mean anything").isLessThan(graceMs);
    assertThat(within.connected()).as("the removed key %d ms after it left the JWKS (key_grace %d ms): %s",
        sinceFetch, graceMs, within).isTrue();
    assertThat(issuerStatus().getInteger("keys")).as("cached keys within the grace").isEqualTo(3);

    Outcome refused = HttpTestClient.eventually(() -> connect(relay, token(leaving, "alice")), o -> !o.connected(),
        Duration.ofMillis(graceMs + 3000));
    long refusedAfter = (System.nanoTime() - fetchWindow[0]) / 1_000_000;
    System.out.println("[key_grace] removed key refused " + refusedAfter + " ms after the fetch began (grace "
        + graceMs + " ms): " + refused);
    assertThat(refusedAfter).as("the removed key was refused before key_grace had passed").isGreaterThanOrEqualTo(graceMs);
    assertThat(issuerStatus().getInteger("keys")).as("cached keys after the grace").isEqualTo(2);
    assertThat(connect(relay, token(staying, "bob")).connected()).as("the staying key after the grace").isTrue();
  }

  // ---- (f) min_refresh_interval against a flood of unknown kids

  @Test
  void aFloodOfUnknownKidsCostsTheProviderAtMostOneFetchPerMinRefreshInterval() throws Exception {
    TestJwks.Key good = TestJwks.generate("ES256", "good");
    TestJwks.Key signer = TestJwks.generate("ES256", "signer");
    long intervalMs = 3000;
    idp.jwks = TestJwks.jwks(List.of(good), false);
    TestRelay relay = startRelay(config -> {
      config.getJsonObject("server").put("connection_rate", 0);
      withIssuer(issuer -> issuer.put("jwks_url", idp.jwksUrl()).put("min_refresh_interval", intervalMs + "ms"))
          .accept(config);
    });
    assertThat(idp.jwksRequests.get()).as("JWKS fetches at start").isEqualTo(1);

    // 200 connections opened beforehand; then one connect with a new random kid every 5 ms.
    List<WsTestClient> clients = new ArrayList<>();
    List<String> tokens = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      clients.add(track(WsTestClient.open(vertx, relay.wsUrl())));
      tokens.add(token(signer, "flood-" + i, "kid-" + UUID.randomUUID()));
    }
    awaitIntervalSinceLastFetch(intervalMs);
    int before = idp.jwksRequests.get();
    long floodStart = System.nanoTime();
    long[] ids = new long[clients.size()];
    for (int i = 0; i < clients.size(); i++) {
      ids[i] = clients.get(i).send("connect", new JsonObject().put("token", tokens.get(i)));
      Thread.sleep(5);
    }
    long floodMs = (System.nanoTime() - floodStart) / 1_000_000;
    List<Outcome> outcomes = HttpTestClient.eventually(() -> {
      List<Outcome> all = new ArrayList<>();
      for (int i = 0; i < clients.size(); i++) {
        all.add(outcomeOf(clients.get(i), ids[i]));
      }
      return all;
    }, all -> all.stream().allMatch(o -> o != null), SHORT);
    long doneMs = (System.nanoTime() - floodStart) / 1_000_000;
    int floodFetches = idp.jwksRequests.get() - before;
    System.out.println("[flood] 200 unknown kids sent over " + floodMs + " ms caused " + floodFetches
        + " JWKS fetches; all refused after " + doneMs + " ms");
    assertThat(outcomes).as("connects with unknown kids").noneMatch(Outcome::connected);
    assertThat(floodMs).as("the flood must be shorter than min_refresh_interval for this test to hold").isLessThan(intervalMs);
    // the first kid fetches at once; the others wait for the one fetch the interval allows next
    assertThat(floodFetches).as("JWKS fetches caused by 200 unknown kids in %d ms (min_refresh_interval %d ms)",
        floodMs, intervalMs).isEqualTo(2);
    assertThat(doneMs).as("the waiting kids were answered by the fetch one interval later").isGreaterThanOrEqualTo(intervalMs - 200);

    // Once the interval has passed since the last fetch, one more unknown kid causes exactly one fetch;
    // one right after waits for the next allowed fetch instead of causing another at once.
    awaitIntervalSinceLastFetch(intervalMs);
    int beforeOne = idp.jwksRequests.get();
    assertThat(connect(relay, token(signer, "flood", "kid-" + UUID.randomUUID())).connected()).as("one more unknown kid").isFalse();
    assertThat(idp.jwksRequests.get()).as("JWKS fetches caused by one unknown kid after the interval")
        .isEqualTo(beforeOne + 1);
    long next = System.nanoTime();
    assertThat(connect(relay, token(signer, "flood", "kid-" + UUID.randomUUID())).connected()).isFalse();
    long waitedMs = (System.nanoTime() - next) / 1_000_000;
    assertThat(idp.jwksRequests.get()).as("JWKS fetches by another unknown kid right after").isEqualTo(beforeOne + 2);
    assertThat(waitedMs).as("it waited for the interval to pass").isGreaterThanOrEqualTo(intervalMs / 2);
    assertThat(connect(relay, token(good, "alice")).connected()).as("the known key after the flood").isTrue();
  }

  // ---- helpers

  /** Waits until {@code intervalMs} (and a margin) have passed since the provider's last JWKS request. */
  private void awaitIntervalSinceLastFetch(long intervalMs) throws InterruptedException {
    long waitUntil = idp.lastJwksRequestNanos + Duration.ofMillis(intervalMs + 200).toNanos();
    while (System.nanoTime() - waitUntil < 0) {
      Thread.sleep(Math.max(1, (waitUntil - System.nanoTime()) / 1_000_000));
    }
  }

  /** The relay's config with one trusted issuer: the fake provider, audience fluxer, changed by {@code issuer}. */
  private Consumer<JsonObject> withIssuer(Consumer<JsonObject> issuer) {
    return config -> {
      JsonObject entry = new JsonObject().put("issuer", idp.issuer()).put("audiences", new JsonArray().add(AUDIENCE));
      issuer.accept(entry);
      config.getJsonObject("token").put("issuers", new JsonArray().add(entry));
    };
  }

  private String token(TestJwks.Key key, String user) {
    return token(key, user, key.kid());
  }

  private String token(TestJwks.Key key, String user, String kid) {
    long now = Instant.now().getEpochSecond();
    return TestJwks.sign(key, new JsonObject().put("alg", key.alg()).put("kid", kid).put("typ", "JWT"),
        new JsonObject().put("iss", idp.issuer()).put("aud", AUDIENCE).put("sub", user).put("iat", now)
            .put("exp", now + 300));
  }

  /** How a connect ended: connected, or refused (error reply or close). */
  record Outcome(boolean connected, String detail) {}

  private Outcome connect(TestRelay relay, String token) {
    WsTestClient c = WsTestClient.open(vertx, relay.wsUrl());
    try {
      long id = c.send("connect", new JsonObject().put("token", token));
      return HttpTestClient.eventually(() -> outcomeOf(c, id), o -> o != null, SHORT);
    } finally {
      c.close();
    }
  }

  /** The outcome of connect command {@code id}, or {@code null} while it is pending. */
  private static Outcome outcomeOf(WsTestClient c, long id) {
    for (JsonObject m : c.messages()) {
      if (m.getLong("id", 0L) == id) {
        return new Outcome(m.containsKey("connect"), m.encode());
      }
    }
    return c.isClosed() ? new Outcome(false, "closed " + c.closeInfo()) : null;
  }

  private JsonObject issuerStatus() {
    HttpTestClient.Response r = http().get("/ready", HttpTestClient.NONE);
    JsonArray issuers = r.json().getJsonArray("issuers");
    assertThat(issuers).as("/ready issuers: " + r.body()).isNotNull().hasSize(1);
    return issuers.getJsonObject(0);
  }

  /** The sum of {@code fluxer_jwks_fetches_total{result="failed"}} on /metrics. */
  private double failedFetchesMetric() {
    HttpTestClient.Response r = http().get("/metrics", HttpTestClient.NONE);
    assertThat(r.status()).as("GET /metrics").isEqualTo(200);
    double sum = 0;
    boolean found = false;
    for (String line : r.body().split("\n")) {
      if (line.startsWith("fluxer_jwks_fetches_total{") && line.contains("result=\"failed\"")) {
        found = true;
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    assertThat(found).as("fluxer_jwks_fetches_total{result=\"failed\"} on /metrics").isTrue();
    return sum;
  }

  private static JsonObject without(JsonObject jwk, String... names) {
    JsonObject copy = jwk.copy();
    Arrays.stream(names).forEach(copy::remove);
    return copy;
  }

  private static TestJwks.Key rsa1024(String kid) throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
    generator.initialize(1024);
    TestJwks.Key key = new TestJwks.Key(kid, "RS256", generator.generateKeyPair());
    assertThat(((RSAPublicKey) key.publicKey()).getModulus().bitLength()).isEqualTo(1024);
    return key;
  }

  private static byte[] random(int n) {
    byte[] b = new byte[n];
    new SecureRandom().nextBytes(b);
    return b;
  }

  /**
   * OpenID discovery and a JWKS over real HTTP on 127.0.0.1, with switchable faults, counting
   * requests. Issuer {@code http://127.0.0.1:<port>}, JWKS at {@code /jwks}.
   */
  static final class FakeIdp {
    enum Mode { OK, STATUS_500, GARBAGE, HUGE, HANG }

    volatile JsonObject jwks = new JsonObject().put("keys", new JsonArray());
    volatile Mode mode = Mode.OK;
    /** The issuer named by discovery; {@code null}: the right one. */
    volatile String discoveryIssuer;
    final AtomicInteger discoveryRequests = new AtomicInteger();
    final AtomicInteger jwksRequests = new AtomicInteger();
    /** JWKS requests left unanswered (mode HANG). */
    final AtomicInteger hung = new AtomicInteger();
    volatile long lastJwksRequestNanos;
    private int port;

    static FakeIdp start(Vertx vertx) {
      FakeIdp idp = new FakeIdp();
      HttpServer server = TestRelay.await(vertx.createHttpServer().requestHandler(idp::handle).listen(0, "127.0.0.1"));
      idp.port = server.actualPort();
      return idp;
    }

    String issuer() {
      return "http://127.0.0.1:" + port;
    }

    String jwksUrl() {
      return issuer() + "/jwks";
    }

    private void handle(HttpServerRequest request) {
      switch (request.path()) {
        case "/.well-known/openid-configuration" -> {
          discoveryRequests.incrementAndGet();
          String iss = discoveryIssuer != null ? discoveryIssuer : issuer();
          json(request, new JsonObject().put("issuer", iss).put("jwks_uri", jwksUrl()).encode());
        }
        case "/jwks" -> {
          jwksRequests.incrementAndGet();
          lastJwksRequestNanos = System.nanoTime();
          switch (mode) {
            case OK -> json(request, jwks.encode());
            case STATUS_500 -> request.response().setStatusCode(500).end("internal error");
            case GARBAGE -> request.response().putHeader("Content-Type", "application/json").end("<html>oops</html>");
            case HUGE -> {
              // A JWKS holding the keys, padded past 256 KiB.
              JsonObject doc = jwks.copy().put("padding", "x".repeat(JwksSource.MAX_DOCUMENT_BYTES + 1024));
              json(request, doc.encode());
            }
            case HANG -> hung.incrementAndGet(); // never answered
          }
        }
        default -> request.response().setStatusCode(404).end();
      }
    }

    private static void json(HttpServerRequest request, String body) {
      request.response().putHeader("Content-Type", "application/json").end(body);
    }
  }
}
