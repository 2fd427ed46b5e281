package io.fluxer.control.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.control.stack.ServicePlan;
import io.fluxer.control.stack.SpecHash;
import io.fluxer.control.stack.StackFile;
import io.fluxer.control.stack.StackPlan;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link DryRun} without a swarm: the listings it compares with are made here. */
class DryRunTest {
  private static final String FILE = "services:\n"
      + "  web:\n    image: fluxer-test/busybox:1\n    environment: {GREETING: \"${GREETING:-hello}\"}\n"
      + "  worker:\n    image: fluxer-test/busybox:1\n    networks: [outside]\n"
      + "networks:\n  outside:\n    external: true\n";

  @Test
  void actionsFollowTheSpecHashAndPrune() {
    StackPlan deployed = StackFile.parse("shop", FILE, Map.of());
    StackPlan changed = StackFile.parse("shop", FILE, Map.of("GREETING", "bonjour"));
    JsonArray services = new JsonArray()
        .add(running(deployed.service("web").orElseThrow()))
        .add(running(deployed.service("worker").orElseThrow()))
        .add(new JsonObject().put("ID", "old").put("Spec", new JsonObject().put("Name", "shop_old")));
    JsonArray networks = new JsonArray().add(new JsonObject().put("Id", "n1").put("Name", "outside"))
        .add(new JsonObject().put("Id", "n2").put("Name", "shop_default"));

    JsonObject kept = DryRun.of(changed, services, networks, new JsonArray(), new JsonArray(), false);
    assertThat(kept.getJsonArray("services")).containsExactly(
        new JsonObject().put("name", "shop_web").put("key", "web").put("action", "update")
            .put("changes", new JsonArray().add("TaskTemplate.ContainerSpec.Env[GREETING]")),
        new JsonObject().put("name", "shop_worker").put("key", "worker").put("action", "unchanged"),
        new JsonObject().put("name", "shop_old").put("action", "keep"));
    assertThat(kept.getJsonObject("summary")).isEqualTo(new JsonObject().put("create", 0).put("update", 1)
        .put("remove", 0).put("unchanged", 1).put("keep", 1));
    assertThat(kept.getJsonArray("errors")).isEmpty();
    assertThat(kept.getJsonArray("networks")).containsExactly(
        new JsonObject().put("name", "outside").put("action", "unchanged"),
        new JsonObject().put("name", "shop_default").put("action", "unchanged"));

    JsonObject pruned = DryRun.of(changed, services, networks, new JsonArray(), new JsonArray(), true);
    assertThat(pruned.getJsonArray("services").getJsonObject(2).getString("action")).isEqualTo("remove");
  }

  @Test
  void aNewStackIsAllCreateAndAMissingExternalNetworkIsAnError() {
    StackPlan plan = StackFile.parse("shop", FILE, Map.of());
    JsonObject dry = DryRun.of(plan, new JsonArray(), new JsonArray(), new JsonArray(), new JsonArray(), false);
    assertThat(dry.getJsonArray("services").stream().map(o -> ((JsonObject) o).getString("action")))
        .containsExactly("create", "create");
    assertThat(dry.getJsonArray("networks")).containsExactly(
        new JsonObject().put("name", "outside").put("action", "missing"),
        new JsonObject().put("name", "shop_default").put("action", "create"));
    assertThat(dry.getJsonArray("errors")).containsExactly(new JsonObject().put("key", "networks.outside")
        .put("message", "network outside is declared external but does not exist: the deploy would fail"));
  }

  @Test
  void anUpdateWhoseDifferenceIsNotComparedNamesTheHashLabel() {
    StackPlan plan = StackFile.parse("shop", FILE, Map.of());
    JsonObject web = running(plan.service("web").orElseThrow());
    web.getJsonObject("Spec").getJsonObject("Labels").put(SpecHash.LABEL, "an older hash");
    web.getJsonObject("Spec").getJsonObject("Labels").put("team", "a label the file no longer sets");
    JsonObject dry = DryRun.of(plan, new JsonArray().add(web), new JsonArray(), new JsonArray(), new JsonArray(),
        false);
    assertThat(dry.getJsonArray("services").getJsonObject(0).getJsonArray("changes"))
        .containsExactly("Labels." + SpecHash.LABEL);
  }

  /** A service as {@code GET /services} lists it, running the plan's spec. */
  private static JsonObject running(ServicePlan sp) {
    return new JsonObject().put("ID", "id-" + sp.key()).put("Version", new JsonObject().put("Index", 7))
        .put("Spec", sp.spec());
  }
}
