package io.fluxer.control.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.control.store.ControlStore.Deployment;
import io.fluxer.control.store.DeploymentState;
import io.fluxer.relay.testing.HttpTestClient.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The read side of the control plane end to end: HTTP through the relay's gateway, over the event
 * bus to {@link ControlApi}, from a real PostgreSQL.
 */
class ControlApiTest extends ControlApiTestBase {


  @Test
  void deploymentsWithTheirTimeline() {
    await(store.addRevision("shop", "services: {}", Map.of(), "alice"));
    Deployment d = await(store.createDeployment("shop", 1, "deploy", "api", "alice"));
    await(store.transition(d.id(), DeploymentState.UPDATING, "updating 1 service", new JsonObject()));
    await(store.createDeployment("other", null, "scale", "api", "bob"));

    Response list = http.get("/api/v1/deployments?stack=shop", VIEWER);
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.json().getJsonArray("deployments")).hasSize(1);
    assertThat(http.get("/api/v1/deployments", VIEWER).json().getJsonArray("deployments")).hasSize(2);

    Response one = http.get("/api/v1/deployments/" + d.id(), VIEWER);
    assertThat(one.status()).isEqualTo(200);
    assertThat(one.json().getString("state")).isEqualTo("updating");
    assertThat(one.json().getJsonArray("timeline")).hasSize(2);
    assertThat(one.json().getJsonArray("timeline").getJsonObject(1).getString("message"))
        .isEqualTo("updating 1 service");
  }

  @Test
  void theStackListJoinsTheStoresStacksAndTheSwarms() {
    await(store.addRevision("shop", "services: {}", Map.of(), "alice"));
    await(store.createDeployment("scaled", null, "scale", "api", "bob")); // known, never deployed here
    JsonArray services = new JsonArray();
    for (String stack : List.of("shop", "cli", "cli")) {
      services.add(new JsonObject().put("ID", UUID.randomUUID().toString()).put("Spec", new JsonObject()
          .put("Labels", new JsonObject().put("com.docker.stack.namespace", stack))));
    }

    JsonArray stacks = StackOps.listing(await(store.stacks()), services);
    assertThat(stacks.stream().map(o -> {
      JsonObject s = (JsonObject) o;
      return s.getString("name") + " " + s.getValue("revision") + " " + s.getBoolean("managed") + " " + s.getValue("services");
    })).containsExactly("cli null false 2", "scaled null false 0", "shop 1 true 1");
    assertThat(StackOps.listing(await(store.stacks()), null).stream()
        .map(o -> ((JsonObject) o).getValue("services"))).containsOnlyNulls().hasSize(2);
  }

  @Test
  void badOrUnknownIdsAndLimits() {
    Response bad = http.get("/api/v1/deployments/not-a-uuid", VIEWER);
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.errorMessage()).contains("not a deployment id");
    assertThat(http.get("/api/v1/deployments/" + UUID.randomUUID(), VIEWER).status()).isEqualTo(404);
    Response limit = http.get("/api/v1/deployments?limit=100000", VIEWER);
    assertThat(limit.status()).isEqualTo(400);
    assertThat(limit.errorMessage()).contains("limit must be between 1 and 500");
  }

  @Test
  void controlStatusSaysAvailable() {
    Response r = http.get("/api/v1/control", VIEWER);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getBoolean("available")).isTrue();
  }

  @Test
  void auditNeedsOps() {
    await(store.audit("alice", "stack.deploy", "shop", "accepted", new JsonObject()));

    assertThat(http.get("/api/v1/audit", VIEWER).status()).isEqualTo(403);
    Response audit = http.get("/api/v1/audit?limit=5", OPS);
    assertThat(audit.status()).isEqualTo(200);
    assertThat(audit.json().getJsonArray("audit").getJsonObject(0).getString("actor")).isEqualTo("alice");
  }
}
