package io.fluxer.control.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class SpecHashTest {
  private static JsonObject spec() {
    return new JsonObject("""
        {"Name":"app_web","Labels":{"com.docker.stack.namespace":"app"},
         "TaskTemplate":{"ContainerSpec":{"Image":"nginx:1.27","Env":["A=1","B=2"],
           "Secrets":[{"SecretName":"app_key_0123456789","File":{"Name":"key"}}]}},
         "Mode":{"Replicated":{"Replicas":2}}}""");
  }

  @Test
  void memberOrderDoesNotMatter() {
    JsonObject reordered = new JsonObject("""
        {"Mode":{"Replicated":{"Replicas":2}},
         "TaskTemplate":{"ContainerSpec":{"Secrets":[{"File":{"Name":"key"},"SecretName":"app_key_0123456789"}],
           "Env":["A=1","B=2"],"Image":"nginx:1.27"}},
         "Labels":{"com.docker.stack.namespace":"app"},"Name":"app_web"}""");
    assertThat(SpecHash.of(reordered)).isEqualTo(SpecHash.of(spec())).hasSize(64).matches("[0-9a-f]+");
  }

  @Test
  void theHashLabelItselfNullsAndResolvedIdsAreLeftOut() {
    JsonObject withExtras = spec();
    withExtras.getJsonObject("Labels").put(SpecHash.LABEL, "whatever");
    withExtras.put("RollbackConfig", (Object) null);
    withExtras.getJsonObject("TaskTemplate").getJsonObject("ContainerSpec").getJsonArray("Secrets").getJsonObject(0)
        .put("SecretID", "x8m2k");
    assertThat(SpecHash.of(withExtras)).isEqualTo(SpecHash.of(spec()));
  }

  @Test
  void anyDesiredChangeChangesTheHash() {
    JsonObject moreReplicas = spec();
    moreReplicas.getJsonObject("Mode").getJsonObject("Replicated").put("Replicas", 3);
    JsonObject otherEnvOrder = spec();
    otherEnvOrder.getJsonObject("TaskTemplate").getJsonObject("ContainerSpec").put("Env",
        new io.vertx.core.json.JsonArray().add("B=2").add("A=1"));
    assertThat(SpecHash.of(moreReplicas)).isNotEqualTo(SpecHash.of(spec()));
    assertThat(SpecHash.of(otherEnvOrder)).isNotEqualTo(SpecHash.of(spec()));
  }

  @Test
  void canonicalFormIsSortedCompactJson() {
    assertThat(SpecHash.canonical(new JsonObject().put("b", 1).put("a", new JsonObject().put("d", "x").put("c", true))))
        .isEqualTo("{\"a\":{\"c\":true,\"d\":\"x\"},\"b\":1}");
  }
}
