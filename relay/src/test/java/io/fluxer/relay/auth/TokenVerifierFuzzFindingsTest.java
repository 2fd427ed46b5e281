package io.fluxer.relay.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fluxer.relay.config.TokenOptions;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Inputs found by {@link TokenVerifierFuzzTest}, kept as plain regression tests. */
class TokenVerifierFuzzFindingsTest {
  private static final String SECRET = "fuzz-secret-fuzz-secret-fuzz-secret-0123";

  /** {@code "exp": null} made Vert.x Auth throw a NullPointerException past every check. */
  @ParameterizedTest
  @ValueSource(strings = {"exp", "nbf", "iat"})
  void aNullTimeClaimIsAnInvalidToken(String claim) {
    TokenVerifier v = TokenVerifier.create(new TokenOptions(SECRET, null, null, null, null, 5));
    String jwt = JwtSigner.hmac("HS256", SECRET.getBytes(StandardCharsets.UTF_8))
        .signJson("{\"alg\":\"HS256\"}", new JsonObject().put("sub", "a").putNull(claim).encode());
    TokenException e = catchThrowableOfType(() -> v.verifyConnectToken(jwt), TokenException.class);
    assertThat(e).isNotNull();
    assertThat(e.reason()).isEqualTo(TokenException.Reason.INVALID);
    assertThat(e.getMessage()).isEqualTo("invalid " + claim + " claim");
  }
}
