package io.fluxer.common.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.common.config.ClusterOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The seal on control requests: what verifies, and every way a request that does not is told apart. */
class ControlSealTest {
  private static final String KEY = "0123456789abcdef0123456789abcdef";
  private static final String ADDRESS = "fluxer.control.stack.remove";
  private final AtomicLong now = new AtomicLong(1_800_000_000_000L);
  private final ControlSeal seal = seal(KEY);

  private ControlSeal seal(String key) {
    return new ControlSeal(ClusterSecret.derive(key.getBytes(StandardCharsets.UTF_8), ClusterSecret.CONTROL_SEAL),
        now::get);
  }

  private static JsonObject request(String role) {
    return new JsonObject().put("op", "stack.remove")
        .put("actor", new JsonObject().put("name", "ops").put("role", role).put("api_key", "ops"))
        .put("path", new JsonObject().put("name", "shop")).put("query", new JsonObject()).put("body", null);
  }

  /** The sealed message as another node receives it: through JSON text. */
  private static JsonObject wire(JsonObject m) {
    return new JsonObject(m.encode());
  }

  @Test
  @DisplayName("a sealed request verifies once, on its address, with the seal taken off")
  void sealedRequestVerifiesOnce() {
    JsonObject sealed = seal.seal(ADDRESS, request("ops"));
    JsonObject received = wire(sealed);

    assertThat(seal.check(ADDRESS, received)).isNull();
    assertThat(received).isEqualTo(request("ops"));
    assertThat(seal.check(ADDRESS, wire(sealed))).contains("used before");
  }

  @Test
  @DisplayName("unsealed, forged, altered, misaddressed, stale and malformed requests are refused")
  void everythingElseIsRefused() {
    assertThat(seal.check(ADDRESS, request("admin"))).isEqualTo("no seal");
    assertThat(seal.check(ADDRESS, wire(seal("another-key-another-key-another-key").seal(ADDRESS, request("admin")))))
        .contains("does not verify");

    JsonObject altered = wire(seal.seal(ADDRESS, request("viewer")));
    altered.getJsonObject("actor").put("role", "admin");
    assertThat(seal.check(ADDRESS, altered)).contains("does not verify");

    assertThat(seal.check("fluxer.control.stack.deploy", wire(seal.seal(ADDRESS, request("ops")))))
        .contains("does not verify");

    JsonObject old = wire(seal.seal(ADDRESS, request("ops")));
    now.addAndGet(ControlSeal.MAX_AGE.toMillis() + 1);
    assertThat(seal.check(ADDRESS, old)).contains("from this node's clock");

    assertThat(seal.check(ADDRESS, request("ops").put("seal", "x"))).isEqualTo("no seal");
    assertThat(seal.check(ADDRESS, request("ops").put("seal", new JsonObject().put("t", "soon").put("id", "1")
        .put("mac", "m")))).isEqualTo("a malformed seal");
  }

  @Test
  @DisplayName("without a configured key, a relay and control-api on one Vert.x share a random one; another Vert.x has another")
  void localKeyPerVertx() {
    Vertx one = Vertx.vertx();
    Vertx two = Vertx.vertx();
    try {
      ClusterOptions disabled = ClusterOptions.disabled();
      JsonObject sealed = ControlSeal.of(one, disabled).seal(ADDRESS, request("ops"));

      assertThat(ControlSeal.of(one, disabled).check(ADDRESS, sealed.copy())).isNull();
      assertThat(ControlSeal.of(two, disabled).check(ADDRESS, sealed.copy())).contains("does not verify");
    } finally {
      one.close();
      two.close();
    }
  }
}
