package io.fluxer.relay.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fluxer.common.config.ConfigException;
import io.fluxer.relay.config.Role;
import io.fluxer.relay.config.TokenOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenVerifierTest {
  private static final long NOW = 1_700_000_000L;
  private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW), ZoneOffset.UTC);
  private static final String SECRET = "test-secret-of-reasonable-length-0123456789";

  private static KeyPair rsa;
  private static KeyPair p256;
  private static KeyPair p384;
  private static KeyPair p521;
  private static String rsaPem;
  private static String p256Pem;
  private static String p384Pem;
  private static String p521Pem;

  @BeforeAll
  static void generateKeys() throws Exception {
    KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
    rsaGen.initialize(2048);
    rsa = rsaGen.generateKeyPair();
    p256 = ecKeyPair("secp256r1");
    p384 = ecKeyPair("secp384r1");
    p521 = ecKeyPair("secp521r1");
    rsaPem = Pem.toPem(rsa.getPublic());
    p256Pem = Pem.toPem(p256.getPublic());
    p384Pem = Pem.toPem(p384.getPublic());
    p521Pem = Pem.toPem(p521.getPublic());
  }

  private static KeyPair ecKeyPair(String curve) throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
    gen.initialize(new ECGenParameterSpec(curve));
    return gen.generateKeyPair();
  }

  // --- helpers ---

  private static TokenVerifier verifier(String hmac, String rsaKey, String ecKey) {
    return TokenVerifier.create(new TokenOptions(hmac, rsaKey, ecKey, null, null, 0), CLOCK);
  }

  private static TokenVerifier hmacVerifier() {
    return verifier(SECRET, null, null);
  }

  private static TokenVerifier withChecks(String audience, String issuer, long leeway) {
    return TokenVerifier.create(new TokenOptions(SECRET, null, null, audience, issuer, leeway), CLOCK);
  }

  private static JwtSigner hs256() {
    return JwtSigner.hmac("HS256", SECRET.getBytes(StandardCharsets.UTF_8));
  }

  private static String hs256(JsonObject claims) {
    return hs256().sign(claims);
  }

  private static JsonObject claims() {
    return new JsonObject().put("sub", "42").put("exp", NOW + 60);
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static TokenException connectFails(TokenVerifier v, String jwt) {
    TokenException e = catchThrowableOfType(() -> v.verifyConnectToken(jwt), TokenException.class);
    assertThat(e).as("expected TokenException for %s", jwt).isNotNull();
    return e;
  }

  private static void assertInvalid(TokenVerifier v, String jwt, String messagePart) {
    TokenException e = connectFails(v, jwt);
    assertThat(e.reason()).isEqualTo(TokenException.Reason.INVALID);
    assertThat(e.getMessage()).contains(messagePart);
  }

  // --- round trips ---

  @ParameterizedTest
  @ValueSource(strings = {"HS256", "HS384", "HS512"})
  void hmacRoundTrip(String alg) throws Exception {
    String jwt = JwtSigner.hmac(alg, SECRET.getBytes(StandardCharsets.UTF_8)).sign(claims());
    ConnectToken t = hmacVerifier().verifyConnectToken(jwt);
    assertThat(t.user()).isEqualTo("42");
    assertThat(t.expiresAt()).isEqualTo(NOW + 60);
  }

  @ParameterizedTest
  @ValueSource(strings = {"RS256", "RS384", "RS512"})
  void rsaRoundTrip(String alg) throws Exception {
    String jwt = JwtSigner.rsa(alg, rsa.getPrivate()).sign(claims());
    assertThat(verifier(null, rsaPem, null).verifyConnectToken(jwt).user()).isEqualTo("42");
  }

  @Test
  void es256RoundTrip() throws Exception {
    String jwt = JwtSigner.ecdsa("ES256", p256.getPrivate()).sign(claims());
    assertThat(verifier(null, null, p256Pem).verifyConnectToken(jwt).user()).isEqualTo("42");
  }

  @Test
  void es384RoundTrip() throws Exception {
    String jwt = JwtSigner.ecdsa("ES384", p384.getPrivate()).sign(claims());
    assertThat(verifier(null, null, p384Pem).verifyConnectToken(jwt).user()).isEqualTo("42");
  }

  @Test
  void es512RoundTrip() throws Exception {
    String jwt = JwtSigner.ecdsa("ES512", p521.getPrivate()).sign(claims());
    assertThat(verifier(null, null, p521Pem).verifyConnectToken(jwt).user()).isEqualTo("42");
  }

  @Test
  void allKeyFamiliesCanBeConfiguredTogether() throws Exception {
    TokenVerifier v = verifier(SECRET, rsaPem, p256Pem);
    assertThat(v.verifyConnectToken(hs256(claims())).user()).isEqualTo("42");
    assertThat(v.verifyConnectToken(JwtSigner.rsa("RS256", rsa.getPrivate()).sign(claims())).user())
        .isEqualTo("42");
    assertThat(v.verifyConnectToken(JwtSigner.ecdsa("ES256", p256.getPrivate()).sign(claims())).user())
        .isEqualTo("42");
  }

  @Test
  void rfc7515HmacExampleVerifies() throws Exception {
    String key = "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
    // RFC 7515 appendix A.1: the signer must reproduce the published token byte for byte.
    String jwt = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
        + ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
        + ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    String header = "{\"typ\":\"JWT\",\r\n \"alg\":\"HS256\"}";
    String payload = "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}";
    JwtSigner signer = JwtSigner.hmac("HS256", Base64.getUrlDecoder().decode(key));
    assertThat(signer.signJson(header, payload)).isEqualTo(jwt);
  }

  // --- claims ---

  @Test
  void connectClaimsAreExposed() throws Exception {
    JsonObject c = claims()
        .put("info", new JsonObject().put("name", "Ann").put("tags", new JsonArray().add(1)))
        .put("channels", new JsonArray().add("news").add("user#42"))
        .put("meta", new JsonObject().put("plan", "pro"))
        .put("roles", new JsonArray().add("admin").add("editor"))
        .put("iat", NOW - 10).put("jti", "abc");
    ConnectToken t = hmacVerifier().verifyConnectToken(hs256(c));
    assertThat(new JsonObject(t.info())).isEqualTo(c.getJsonObject("info"));
    assertThat(t.channels()).containsExactly("news", "user#42");
    assertThat(new JsonObject(t.meta())).isEqualTo(c.getJsonObject("meta"));
    assertThat(t.roles()).containsExactly("admin", "editor");
  }

  @Test
  void infoKeepsNonObjectJson() throws Exception {
    ConnectToken t = hmacVerifier().verifyConnectToken(hs256(claims().put("info", "hi").put("meta", 5)));
    assertThat(t.info()).isEqualTo("\"hi\"");
    assertThat(t.meta()).isEqualTo("5");
  }

  @Test
  void minimalTokenHasDefaults() throws Exception {
    ConnectToken t = hmacVerifier().verifyConnectToken(hs256(new JsonObject()));
    assertThat(t.user()).isEmpty();
    assertThat(t.expiresAt()).isNull();
    assertThat(t.info()).isNull();
    assertThat(t.meta()).isNull();
    assertThat(t.channels()).isEmpty();
    assertThat(t.roles()).isEmpty();
  }

  @Test
  void emptySubIsAnonymous() throws Exception {
    assertThat(hmacVerifier().verifyConnectToken(hs256(claims().put("sub", ""))).user()).isEmpty();
  }

  @Test
  void roleStringAndRolesArray() throws Exception {
    assertThat(hmacVerifier().verifyConnectToken(hs256(claims().put("role", "admin"))).roles())
        .containsExactly("admin");
    assertThat(hmacVerifier().verifyConnectToken(
        hs256(claims().put("roles", new JsonArray().add("a").add("b")))).roles())
        .containsExactlyInAnyOrder("a", "b");
    assertThat(hmacVerifier().verifyConnectToken(
        hs256(claims().put("roles", new JsonArray().add("a")).put("role", "b"))).roles())
        .isEqualTo(Set.of("a", "b"));
  }

  @Test
  // the roles claim may be one string, and its name is configurable
  void rolesClaimStringAndCustomName() throws Exception {
    assertThat(hmacVerifier().verifyConnectToken(hs256(claims().put("roles", "ops"))).roles()).containsExactly("ops");
    TokenVerifier custom = TokenVerifier.create(new TokenOptions(SECRET, null, null, null, null, 0, "https://fluxer/roles"), CLOCK);
    assertThat(custom.verifyConnectToken(hs256(claims().put("https://fluxer/roles", new JsonArray().add("viewer")))).roles())
        .containsExactly("viewer");
    assertThat(custom.verifyConnectToken(hs256(claims().put("roles", new JsonArray().add("admin")))).roles()).isEmpty();
  }

  @Test
  void wrongClaimTypesAreInvalid() {
    TokenVerifier v = hmacVerifier();
    assertInvalid(v, hs256(claims().put("exp", "soon")), "exp");
    assertInvalid(v, hs256(claims().put("nbf", true)), "nbf");
    assertInvalid(v, hs256(claims().put("iat", "x")), "iat");
    assertInvalid(v, hs256(claims().put("sub", 42)), "sub");
    assertInvalid(v, hs256(claims().put("iss", 1)), "iss");
    assertInvalid(v, hs256(claims().put("jti", 1)), "jti");
    assertInvalid(v, hs256(claims().put("aud", 1)), "aud");
    assertInvalid(v, hs256(claims().put("aud", new JsonArray().add("a").add(1))), "aud");
    assertInvalid(v, hs256(claims().put("channels", "news")), "channels");
    assertInvalid(v, hs256(claims().put("channels", new JsonArray().add(1))), "channels");
    assertInvalid(v, hs256(claims().put("channels", new JsonArray().add(""))), "channels");
    assertInvalid(v, hs256(claims().put("roles", 5)), "roles");
    assertInvalid(v, hs256(claims().put("roles", new JsonArray().add(true))), "roles");
    assertInvalid(v, hs256(claims().put("role", new JsonArray().add("admin"))), "role");
  }

  // --- time ---

  @Test
  void nowComesFromClock() {
    assertThat(hmacVerifier().now()).isEqualTo(NOW);
  }

  @Test
  void expiredTokenIsExpired() {
    TokenException e = connectFails(hmacVerifier(), hs256(claims().put("exp", NOW - 1)));
    assertThat(e.reason()).isEqualTo(TokenException.Reason.EXPIRED);
    assertThat(e.getMessage()).isEqualTo("token expired");
  }

  @Test
  void tokenIsValidUntilExpInclusive() throws Exception {
    assertThat(hmacVerifier().verifyConnectToken(hs256(claims().put("exp", NOW))).expiresAt())
        .isEqualTo(NOW);
  }

  @Test
  void leewayAppliesToExp() throws Exception {
    TokenVerifier v = withChecks(null, null, 10);
    assertThat(v.verifyConnectToken(hs256(claims().put("exp", NOW - 10))).expiresAt()).isEqualTo(NOW - 10);
    assertThat(connectFails(v, hs256(claims().put("exp", NOW - 11))).reason())
        .isEqualTo(TokenException.Reason.EXPIRED);
  }

  @Test
  void fractionalAndHugeExpAreHandled() throws Exception {
    assertThat(hmacVerifier().verifyConnectToken(hs256(claims().put("exp", NOW + 0.5))).expiresAt())
        .isEqualTo(NOW);
    TokenVerifier v = withChecks(null, null, 10);
    assertThat(v.verifyConnectToken(hs256(claims().put("exp", Long.MAX_VALUE))).expiresAt())
        .isEqualTo(Long.MAX_VALUE);
    assertThat(v.verifyConnectToken(hs256(claims().put("exp", 1e300))).expiresAt())
        .isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void expiredWithBadSignatureIsInvalid() {
    String jwt = JwtSigner.hmac("HS256", "other".getBytes(StandardCharsets.UTF_8))
        .sign(claims().put("exp", NOW - 100));
    assertInvalid(hmacVerifier(), jwt, "bad signature");
  }

  @Test
  void expiredWithWrongAudienceIsInvalid() {
    String jwt = hs256(claims().put("exp", NOW - 100).put("aud", "other"));
    assertInvalid(withChecks("relay", null, 0), jwt, "audience mismatch");
  }

  @Test
  void nbfInFutureIsInvalid() {
    assertInvalid(hmacVerifier(), hs256(claims().put("nbf", NOW + 1)), "token not valid yet");
  }

  @Test
  void nbfWithinLeewayIsAccepted() throws Exception {
    TokenVerifier v = withChecks(null, null, 5);
    assertThat(v.verifyConnectToken(hs256(claims().put("nbf", NOW + 5))).user()).isEqualTo("42");
    assertInvalid(v, hs256(claims().put("nbf", NOW + 6)), "token not valid yet");
    assertThat(hmacVerifier().verifyConnectToken(hs256(claims().put("nbf", NOW))).user()).isEqualTo("42");
  }

  // --- aud / iss ---

  @Test
  void audienceAsString() throws Exception {
    TokenVerifier v = withChecks("relay", null, 0);
    assertThat(v.verifyConnectToken(hs256(claims().put("aud", "relay"))).user()).isEqualTo("42");
    assertInvalid(v, hs256(claims().put("aud", "other")), "audience mismatch");
    assertInvalid(v, hs256(claims()), "audience mismatch");
  }

  @Test
  void audienceAsArray() throws Exception {
    TokenVerifier v = withChecks("relay", null, 0);
    assertThat(v.verifyConnectToken(hs256(claims().put("aud", new JsonArray().add("x").add("relay")))).user())
        .isEqualTo("42");
    assertInvalid(v, hs256(claims().put("aud", new JsonArray().add("x"))), "audience mismatch");
    assertInvalid(v, hs256(claims().put("aud", new JsonArray())), "audience mismatch");
  }

  @Test
  void audienceIgnoredWhenNotConfigured() throws Exception {
    assertThat(hmacVerifier().verifyConnectToken(hs256(claims().put("aud", "anything"))).user())
        .isEqualTo("42");
  }

  @Test
  void issuerChecked() throws Exception {
    TokenVerifier v = withChecks(null, "backend", 0);
    assertThat(v.verifyConnectToken(hs256(claims().put("iss", "backend"))).user()).isEqualTo("42");
    assertInvalid(v, hs256(claims().put("iss", "evil")), "issuer mismatch");
    assertInvalid(v, hs256(claims()), "issuer mismatch");
  }

  // --- algorithms and signatures ---

  @ParameterizedTest
  @ValueSource(strings = {"none", "None", "NONE", "nOnE"})
  void algNoneIsRejected(String alg) {
    String unsigned = b64("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}") + "." + b64(claims().encode());
    assertInvalid(hmacVerifier(), unsigned + ".", "malformed token");
    String withSig = hs256().signJson("{\"alg\":\"" + alg + "\"}", claims().encode());
    assertInvalid(hmacVerifier(), withSig, "algorithm none not allowed");
  }

  @ParameterizedTest
  @ValueSource(strings = {"hs256", "HS1", "PS256", "ES256K", "EdDSA", ""})
  void unknownAlgorithmsAreRejected(String alg) {
    String jwt = hs256().signJson("{\"alg\":\"" + alg + "\"}", claims().encode());
    assertInvalid(verifier(SECRET, rsaPem, p256Pem), jwt, "unsupported algorithm");
  }

  @Test
  void critHeaderIsRejected() {
    String jwt = hs256().signJson("{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", claims().encode());
    assertInvalid(hmacVerifier(), jwt, "critical");
  }

  @Test
  void tamperedPayloadIsRejected() {
    String jwt = hs256(claims());
    String[] parts = jwt.split("\\.");
    String forged = parts[0] + "." + b64(claims().put("sub", "1").encode()) + "." + parts[2];
    assertInvalid(hmacVerifier(), forged, "bad signature");
  }

  @Test
  void tamperedSignatureIsRejected() {
    String jwt = hs256(claims());
    String[] parts = jwt.split("\\.");
    byte[] sig = Base64.getUrlDecoder().decode(parts[2]);
    sig[0] ^= 1;
    String forged = parts[0] + "." + parts[1] + "." + JwtSigner.encode(sig);
    assertInvalid(hmacVerifier(), forged, "bad signature");
    String truncated = parts[0] + "." + parts[1] + "." + JwtSigner.encode(new byte[] {sig[1], sig[2], sig[3]});
    assertInvalid(hmacVerifier(), truncated, "bad signature");
  }

  @Test
  void wrongSecretIsRejected() {
    String jwt = JwtSigner.hmac("HS256", "not-the-secret".getBytes(StandardCharsets.UTF_8)).sign(claims());
    assertInvalid(hmacVerifier(), jwt, "bad signature");
  }

  @Test
  void hmacSignedWithRsaPemIsRejected() {
    String jwt = JwtSigner.hmac("HS256", rsaPem.getBytes(StandardCharsets.UTF_8)).sign(claims());
    assertInvalid(verifier(SECRET, rsaPem, null), jwt, "bad signature");
    assertInvalid(verifier(null, rsaPem, null), jwt, "algorithm HS256 not configured");
    String ecConfusion = JwtSigner.hmac("HS256", p256Pem.getBytes(StandardCharsets.UTF_8)).sign(claims());
    assertInvalid(verifier(null, null, p256Pem), ecConfusion, "algorithm HS256 not configured");
  }

  @Test
  void unconfiguredFamiliesAreRejected() {
    String rs = JwtSigner.rsa("RS256", rsa.getPrivate()).sign(claims());
    assertInvalid(hmacVerifier(), rs, "algorithm RS256 not configured");
    assertInvalid(verifier(null, null, p256Pem), rs, "algorithm RS256 not configured");
    String es = JwtSigner.ecdsa("ES256", p256.getPrivate()).sign(claims());
    assertInvalid(hmacVerifier(), es, "algorithm ES256 not configured");
    assertInvalid(verifier(null, rsaPem, null), es, "algorithm ES256 not configured");
  }

  @Test
  void rsaTokenWithOtherKeyIsRejected() throws Exception {
    KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
    gen.initialize(2048);
    String jwt = JwtSigner.rsa("RS256", gen.generateKeyPair().getPrivate()).sign(claims());
    assertInvalid(verifier(null, rsaPem, null), jwt, "bad signature");
  }

  @Test
  void esTokenAgainstKeyOnOtherCurveIsRejected() {
    String es256 = JwtSigner.ecdsa("ES256", p256.getPrivate()).sign(claims());
    assertInvalid(verifier(null, null, p384Pem), es256, "does not match");
    String es384 = JwtSigner.ecdsa("ES384", p384.getPrivate()).sign(claims());
    assertInvalid(verifier(null, null, p256Pem), es384, "does not match");
  }

  @Test
  void esTokenWithOtherKeyOrBadLengthIsRejected() throws Exception {
    String other = JwtSigner.ecdsa("ES256", ecKeyPair("secp256r1").getPrivate()).sign(claims());
    assertInvalid(verifier(null, null, p256Pem), other, "bad signature");
    String jwt = JwtSigner.ecdsa("ES256", p256.getPrivate()).sign(claims());
    String input = jwt.substring(0, jwt.lastIndexOf('.'));
    byte[] sig = Base64.getUrlDecoder().decode(jwt.substring(jwt.lastIndexOf('.') + 1));
    byte[] longer = Arrays.copyOf(sig, 65);
    assertInvalid(verifier(null, null, p256Pem), input + "." + JwtSigner.encode(longer), "bad signature");
    assertInvalid(verifier(null, null, p256Pem), input + "." + JwtSigner.encode(new byte[64]), "bad signature");
  }

  @Test
  void esTokenWithDerSignatureIsRejected() throws Exception {
    String input = b64("{\"alg\":\"ES256\"}") + "." + b64(claims().encode());
    Signature der = Signature.getInstance("SHA256withECDSA");
    der.initSign(p256.getPrivate());
    der.update(input.getBytes(StandardCharsets.US_ASCII));
    String jwt = input + "." + JwtSigner.encode(der.sign());
    assertInvalid(verifier(null, null, p256Pem), jwt, "bad signature");
  }

  // --- malformed input ---

  @Test
  void malformedTokens() {
    TokenVerifier v = hmacVerifier();
    String good = hs256(claims());
    String[] p = good.split("\\.");
    assertInvalid(v, null, "malformed token");
    assertInvalid(v, "", "malformed token");
    assertInvalid(v, "..", "malformed token");
    assertInvalid(v, p[0] + "." + p[1], "malformed token");
    assertInvalid(v, good + "." + p[2], "malformed token");
    assertInvalid(v, good + ".", "malformed token");
    assertInvalid(v, p[0] + ".." + p[2], "malformed token");
    assertInvalid(v, "@@@." + p[1] + "." + p[2], "malformed token");
    assertInvalid(v, p[0] + "." + p[1] + "=." + p[2], "malformed token");
    assertInvalid(v, p[0] + "." + p[1] + "." + p[2] + "=", "malformed token");
    assertInvalid(v, p[0] + " ." + p[1] + "." + p[2], "malformed token");
    assertInvalid(v, b64("not json") + "." + p[1] + "." + p[2], "malformed token");
    assertInvalid(v, b64("[\"HS256\"]") + "." + p[1] + "." + p[2], "malformed token");
    assertInvalid(v, hs256().signJson("{\"typ\":\"JWT\"}", claims().encode()), "malformed token");
    assertInvalid(v, hs256().signJson("{\"alg\":256}", claims().encode()), "malformed token");
    assertInvalid(v, hs256().signJson("{\"alg\":\"HS256\"} x", claims().encode()), "malformed token");
  }

  @Test
  void nonCanonicalBase64IsRejected() {
    String good = hs256(claims());
    String[] p = good.split("\\.");
    // 32-byte signature: 43 chars whose last char carries 2 unused bits; set one of them.
    char last = p[2].charAt(p[2].length() - 1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char changed = alphabet.charAt(alphabet.indexOf(last) ^ 1);
    String forged = p[0] + "." + p[1] + "." + p[2].substring(0, p[2].length() - 1) + changed;
    assertInvalid(hmacVerifier(), forged, "malformed token");
  }

  @Test
  void payloadMustBeJsonObject() {
    TokenVerifier v = hmacVerifier();
    assertInvalid(v, hs256().signJson("{\"alg\":\"HS256\"}", "[1,2]"), "malformed token");
    assertInvalid(v, hs256().signJson("{\"alg\":\"HS256\"}", "\"sub\""), "malformed token");
    assertInvalid(v, hs256().signJson("{\"alg\":\"HS256\"}", "{\"sub\":"), "malformed token");
  }

  @Test
  void invalidUtf8IsRejected() {
    String header = b64("{\"alg\":\"HS256\"}");
    byte[] payload = {'{', '"', 's', 'u', 'b', '"', ':', '"', (byte) 0xC3, '"', '}'};
    String input = header + "." + JwtSigner.encode(payload);
    assertInvalid(hmacVerifier(), input + "." + macOf(input), "malformed token");
  }

  private static String macOf(String input) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return JwtSigner.encode(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  // --- subscription tokens ---

  @Test
  void subscriptionTokenRoundTrip() throws Exception {
    String jwt = hs256(claims().put("channel", "secret:room").put("info", new JsonObject().put("a", 1)));
    SubscriptionToken t = hmacVerifier().verifySubscriptionToken(jwt);
    assertThat(t.user()).isEqualTo("42");
    assertThat(t.channel()).isEqualTo("secret:room");
    assertThat(t.expiresAt()).isEqualTo(NOW + 60);
    assertThat(new JsonObject(t.info())).isEqualTo(new JsonObject().put("a", 1));
  }

  @Test
  void subscriptionTokenRequiresChannel() {
    TokenVerifier v = hmacVerifier();
    assertThatThrownBy(() -> v.verifySubscriptionToken(hs256(claims())))
        .isInstanceOf(TokenException.class).hasMessageContaining("channel");
    assertThatThrownBy(() -> v.verifySubscriptionToken(hs256(claims().put("channel", ""))))
        .isInstanceOf(TokenException.class).hasMessageContaining("channel");
    assertThatThrownBy(() -> v.verifySubscriptionToken(hs256(claims().put("channel", 5))))
        .isInstanceOf(TokenException.class).hasMessageContaining("channel");
  }

  @Test
  void expiredSubscriptionToken() {
    TokenException e = catchThrowableOfType(
        () -> hmacVerifier().verifySubscriptionToken(hs256(claims().put("channel", "c").put("exp", NOW - 1))),
        TokenException.class);
    assertThat(e.reason()).isEqualTo(TokenException.Reason.EXPIRED);
  }

  @Test
  void subscriptionTokenIsNotAConnectionToken() {
    assertInvalid(hmacVerifier(), hs256(claims().put("channel", "c")), "subscription token");
  }

  // --- configuration ---

  @Test
  void noKeyIsAConfigError() {
    assertThatThrownBy(() -> TokenVerifier.create(new TokenOptions(null, " ", null, null, null, 0)))
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.key()).isEqualTo("token"))
        .hasMessageContaining("no key configured");
  }

  @Test
  void garbagePemIsAConfigError() {
    assertThatThrownBy(() -> verifier(null, "garbage", null))
        .isInstanceOfSatisfying(ConfigException.class,
            e -> assertThat(e.key()).isEqualTo("token.rsa_public_key"));
    assertThatThrownBy(() -> verifier(null, null, "-----BEGIN PUBLIC KEY-----\n!!!\n-----END PUBLIC KEY-----"))
        .isInstanceOfSatisfying(ConfigException.class,
            e -> assertThat(e.key()).isEqualTo("token.ecdsa_public_key"));
    assertThatThrownBy(() -> verifier(null, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", null))
        .isInstanceOfSatisfying(ConfigException.class,
            e -> assertThat(e.key()).isEqualTo("token.rsa_public_key"));
  }

  @Test
  void keyOfWrongTypeIsAConfigError() {
    assertThatThrownBy(() -> verifier(null, p256Pem, null))
        .isInstanceOfSatisfying(ConfigException.class,
            e -> assertThat(e.key()).isEqualTo("token.rsa_public_key"));
    assertThatThrownBy(() -> verifier(null, null, rsaPem))
        .isInstanceOfSatisfying(ConfigException.class,
            e -> assertThat(e.key()).isEqualTo("token.ecdsa_public_key"));
  }

  @Test
  void pemWithEscapedNewlinesAndSurroundingTextIsAccepted() throws Exception {
    String escaped = "  " + rsaPem.replace("\n", "\\n") + "  ";
    String jwt = JwtSigner.rsa("RS256", rsa.getPrivate()).sign(claims());
    assertThat(verifier(null, escaped, null).verifyConnectToken(jwt).channels()).isEqualTo(List.of());
  }

  // --- keys named or embedded in the header ---

  @ParameterizedTest
  @ValueSource(strings = {"jwk", "jku", "x5u", "x5c"})
  void headerKeysAreRefused(String name) {
    String value = name.equals("jwk") ? "{\"kty\":\"oct\",\"k\":\"AAAA\"}"
        : name.equals("x5c") ? "[\"MIIB\"]" : "\"https://evil.example/keys\"";
    String jwt = hs256().signJson("{\"alg\":\"HS256\",\"" + name + "\":" + value + "}", claims().encode());
    assertInvalid(hmacVerifier(), jwt, "(" + name + ")");
  }

  // --- ops tokens ---

  private static OpsToken ops(TokenVerifier v, JsonObject claims) throws TokenException {
    var f = v.opsToken(hs256(claims));
    if (f.failed()) {
      throw (TokenException) f.cause();
    }
    return f.result();
  }

  private static String opsFails(TokenVerifier v, JsonObject claims) {
    var f = v.opsToken(hs256(claims));
    assertThat(f.failed()).as("expected the ops token to be refused: %s", claims).isTrue();
    return f.cause().getMessage();
  }

  private static JsonObject opsClaims() {
    return new JsonObject().put("sub", "op").put("aud", "fluxer-ops").put("iat", NOW).put("exp", NOW + 600)
        .put("roles", new JsonArray().add("ops"));
  }

  @Test
  void opsTokensNeedTheOpsAudienceAnExpAndAShortLife() throws Exception {
    TokenVerifier v = hmacVerifier();
    OpsToken t = ops(v, opsClaims());
    assertThat(t.user()).isEqualTo("op");
    assertThat(t.role()).isEqualTo(Role.OPS);
    assertThat(t.expiresAt()).isEqualTo(NOW + 600);
    assertThat(opsFails(v, opsClaims().put("aud", "fluxer"))).contains("not an ops token");
    assertThat(opsFails(v, opsClaims().put("aud", new JsonArray().add("fluxer")))).contains("not an ops token");
    assertThat(ops(v, opsClaims().put("aud", new JsonArray().add("fluxer").add("fluxer-ops"))).role())
        .isEqualTo(Role.OPS);
    JsonObject noExp = opsClaims();
    noExp.remove("exp");
    assertThat(opsFails(v, noExp)).contains("must carry exp");
    assertThat(opsFails(v, opsClaims().put("exp", NOW + 7200))).contains("max_lifetime");
    assertThat(opsFails(v, opsClaims().put("iat", NOW - 7200).put("exp", NOW + 60))).contains("max_lifetime");
    assertThat(v.opsToken(hs256(opsClaims().put("exp", NOW - 1))).cause())
        .isInstanceOfSatisfying(TokenException.class, e -> assertThat(e.reason()).isEqualTo(TokenException.Reason.EXPIRED));
  }

  @Test
  void opsRolesComeOnlyFromTheConfiguredClaim() throws Exception {
    TokenVerifier v = hmacVerifier();
    JsonObject singular = opsClaims().put("role", "admin");
    singular.remove("roles");
    assertThat(ops(v, singular).role()).as("the singular role claim is not read for ops").isNull();
    assertThat(ops(v, opsClaims().put("roles", "admin")).role()).isEqualTo(Role.ADMIN);
    assertThat(ops(v, opsClaims().put("roles", new JsonArray().add("viewer").add("superuser"))).role())
        .isEqualTo(Role.VIEWER);
  }

  @Test
  void opsIssuerIsCheckedWhenConfigured() throws Exception {
    TokenOptions options = new TokenOptions(SECRET, null, null, null, null, 0, "roles", List.of(),
        new io.fluxer.relay.config.OpsTokenOptions("fluxer-ops", "ops-issuer", java.time.Duration.ofHours(1), "roles"));
    TokenVerifier v = TokenVerifier.create(options, CLOCK);
    assertThat(opsFails(v, opsClaims())).contains("issuer mismatch");
    assertThat(ops(v, opsClaims().put("iss", "ops-issuer")).role()).isEqualTo(Role.OPS);
  }

  @Test
  void clientTokensAreNotOpsTokensAndTheReverseHoldsForAudience() throws Exception {
    TokenVerifier v = withChecks("fluxer", null, 0);
    assertThat(opsFails(v, claims().put("aud", "fluxer").put("roles", new JsonArray().add("admin"))))
        .contains("not an ops token");
    assertInvalid(v, hs256(opsClaims()), "audience mismatch");
  }
}
