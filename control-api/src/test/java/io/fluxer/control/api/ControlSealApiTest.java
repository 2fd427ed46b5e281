package io.fluxer.control.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.control.store.ControlStore;
import io.fluxer.common.Addresses;
import io.fluxer.common.cluster.ControlSeal;
import io.fluxer.common.config.ClusterOptions;
import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * control-api acts only on control requests a relay sealed: a request put on the bus by anyone else,
 * claiming any role, is refused with a fixed answer and changes nothing; the relay's own gateway
 * requests go through.
 */
class ControlSealApiTest extends ControlApiTestBase {
  private static final String ROTATE = Addresses.control("stack.hook.rotate");

  @Override
  ControlApi register(ControlStore store) {
    await(store.addRevision("shop", "services: {}", Map.of(), "alice"));
    ControlApi api = new ControlApi(store);
    new HookOps(store, null, io.fluxer.control.stack.StackPolicy.DEFAULT).registerOn(api);
    // as ControlService does: the key the relays of this process seal with (not clustered: Vert.x's own)
    return api.requireSeal(ControlSeal.of(vertx, ClusterOptions.disabled()));
  }


  private static JsonObject rotateAs(String role) {
    return new JsonObject().put("op", "stack.hook.rotate")
        .put("actor", new JsonObject().put("name", "mallory").put("role", role).put("api_key", "mallory"))
        .put("path", new JsonObject().put("name", "shop")).put("query", new JsonObject()).put("body", null);
  }

  private JsonObject send(JsonObject message) {
    return await(vertx.eventBus().<JsonObject>request(ROTATE, message)).body();
  }

  private void assertRefusedAndNothingHappened(JsonObject reply) {
    assertThat(reply.getInteger("status")).isEqualTo(403);
    assertThat(reply.getJsonObject("body").getJsonObject("error").getString("message"))
        .isEqualTo(ControlApi.REFUSED_MESSAGE);
    assertThat(await(store.hookSecret("shop"))).as("no webhook secret was made").isEmpty();
    assertThat(await(store.audit(50))).as("nothing was audited").isEmpty();
  }

  @Test
  @DisplayName("a forged request on the bus claiming role admin is refused and nothing happens")
  void forgedAdminRequestIsRefused() {
    assertRefusedAndNothingHappened(send(rotateAs("admin")));
  }

  @Test
  @DisplayName("a request sealed with another key is refused and nothing happens")
  void otherKeyIsRefused() {
    assertRefusedAndNothingHappened(send(ControlSeal.withKey("not-this-clusters-key-not-this-clusters-key")
        .seal(ROTATE, rotateAs("admin"))));
  }

  @Test
  @DisplayName("a captured sealed request replayed is refused the second time")
  void replayIsRefused() {
    JsonObject captured = ControlSeal.of(vertx, ClusterOptions.disabled()).seal(ROTATE, rotateAs("ops"));
    JsonObject first = send(captured.copy());
    assertThat(first.getInteger("status")).isEqualTo(200);
    String secret = first.getJsonObject("body").getString("secret");

    JsonObject replayed = send(captured.copy());

    assertThat(replayed.getInteger("status")).isEqualTo(403);
    assertThat(await(store.hookSecret("shop"))).contains(secret);
  }

  @Test
  @DisplayName("the relay's gateway seals what it forwards: an ops key rotates the webhook secret over HTTP")
  void gatewayRequestsGoThrough() {
    HttpTestClient.Response r = http.send(HttpMethod.POST, "/api/v1/stacks/shop/hook",
        HttpTestClient.apiKey(TestRelay.OPS_KEY), "");

    assertThat(r.status()).isEqualTo(200);
    assertThat(await(store.hookSecret("shop"))).contains(r.json().getString("secret"));
  }
}
