package io.fluxer.control.stack;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * {@link SpecMatch} against what the engine (20.10) answered for a service that {@code docker stack
 * deploy --resolve-image never} made from {@link #FILE}: the running spec below is that answer, with
 * its IDs.
 */
class SpecMatchTest {
  private static final String FILE = """
      services:
        web:
          image: fluxer-test/busybox:1
          command: ["sh", "-c", "while true; do echo tick; sleep 1; done"]
          environment: {GREETING: hello, MODE: web}
          stop_grace_period: 1s
          stop_signal: SIGKILL
          read_only: false
          networks:
            backend:
              aliases: [www]
          ports: ["18571:80", "18572:81/udp"]
          secrets: [db_password]
          configs: [{source: motd, target: /etc/motd}]
          healthcheck: {test: ["CMD-SHELL", "true"], interval: 2s, retries: 3}
          deploy:
            replicas: 2
            update_config: {monitor: 1s, order: start-first}
      networks:
        backend: {}
      secrets:
        db_password: {file: ./db_password.txt}
      configs:
        motd: {file: ./motd.txt}
      """;
  private static final String NETWORK_ID = "dgjh3xfv7jqzortx9uyvbeme2";
  private static final String CONFIG_ID = "mv8bvelyls55ii1esrev72a1u";
  private static final String MOTD = "motd line\n";

  /** {@code GET /services/lab_web} after the CLI's deploy: IDs for networks, unversioned names, defaults. */
  private static JsonObject running() {
    return new JsonObject("""
        {"Name": "lab_web",
         "Labels": {"com.docker.stack.image": "fluxer-test/busybox:1", "com.docker.stack.namespace": "lab"},
         "TaskTemplate": {
           "ContainerSpec": {
             "Image": "fluxer-test/busybox:1",
             "Labels": {"com.docker.stack.namespace": "lab"},
             "Args": ["sh", "-c", "while true; do echo tick; sleep 1; done"],
             "Env": ["MODE=web", "GREETING=hello"],
             "Privileges": {"CredentialSpec": null, "SELinuxContext": null},
             "StopSignal": "SIGKILL", "StopGracePeriod": 1000000000,
             "Healthcheck": {"Test": ["CMD-SHELL", "true"], "Interval": 2000000000, "Retries": 3},
             "Secrets": [{"File": {"Name": "db_password", "UID": "0", "GID": "0", "Mode": 292},
                          "SecretID": "upj8499zd9oom8essm7iitfbq", "SecretName": "lab_db_password"}],
             "Configs": [{"File": {"Name": "/etc/motd", "UID": "0", "GID": "0", "Mode": 292},
                          "ConfigID": "mv8bvelyls55ii1esrev72a1u", "ConfigName": "lab_motd"}],
             "Isolation": "default"},
           "Resources": {}, "RestartPolicy": {"Condition": "any", "Delay": 5000000000, "MaxAttempts": 0},
           "Placement": {},
           "Networks": [{"Target": "dgjh3xfv7jqzortx9uyvbeme2", "Aliases": ["web", "www"]}],
           "ForceUpdate": 0, "Runtime": "container"},
         "Mode": {"Replicated": {"Replicas": 2}},
         "UpdateConfig": {"Parallelism": 1, "FailureAction": "pause", "Monitor": 1000000000,
                          "MaxFailureRatio": 0, "Order": "start-first"},
         "RollbackConfig": {"Parallelism": 1, "FailureAction": "pause", "Monitor": 5000000000,
                            "MaxFailureRatio": 0, "Order": "stop-first"},
         "EndpointSpec": {"Mode": "vip", "Ports": [
           {"Protocol": "udp", "TargetPort": 81, "PublishedPort": 18572, "PublishMode": "ingress"},
           {"Protocol": "tcp", "TargetPort": 80, "PublishedPort": 18571, "PublishMode": "ingress"}]}}""");
  }

  private static StackPlan plan(String motd) {
    return StackFile.parse("lab", FILE, Map.of(), Map.of("./db_password.txt", "s3cret".getBytes(StandardCharsets.UTF_8),
        "./motd.txt", motd.getBytes(StandardCharsets.UTF_8)));
  }

  private static SpecMatch.Result compare(Consumer<JsonObject> change) {
    return compare(plan(MOTD), MOTD, change);
  }

  private static SpecMatch.Result compare(StackPlan plan, String configContent, Consumer<JsonObject> change) {
    JsonObject spec = running();
    change.accept(spec);
    String data = Base64.getEncoder().encodeToString(configContent.getBytes(StandardCharsets.UTF_8));
    SpecMatch match = new SpecMatch(plan, Map.of(NETWORK_ID, "lab_backend", "bqexlim8zu7ap3jmy3ppuwiuf", "ingress"),
        Map.of(CONFIG_ID, data));
    return match.compare(plan.service("web").orElseThrow(), spec);
  }

  private static JsonObject container(JsonObject spec) {
    return spec.getJsonObject("TaskTemplate").getJsonObject("ContainerSpec");
  }

  // ---- what a CLI deploy of the same file looks like: equivalent

  @Test
  void theCliDeployOfTheSameFileIsEquivalent() {
    SpecMatch.Result result = compare(spec -> { });
    assertThat(result.differences()).isEmpty();
    assertThat(result.equivalent()).isTrue();
    // the secret could only be matched by name: said so, never its value
    assertThat(result.notes()).singleElement().asString()
        .contains("lab_db_password").contains(plan(MOTD).secrets().get(0).name()).doesNotContain("s3cret");
  }

  @Test
  void networkIdsAreResolvedToNamesAndAliasesCompareAsASet() {
    SpecMatch.Result reordered = compare(spec -> spec.getJsonObject("TaskTemplate").put("Networks",
        new JsonArray("[{\"Target\": \"" + NETWORK_ID + "\", \"Aliases\": [\"www\", \"web\"]}]")));
    assertThat(reordered.differences()).isEmpty();
    SpecMatch.Result other = compare(spec -> spec.getJsonObject("TaskTemplate").put("Networks",
        new JsonArray("[{\"Target\": \"bqexlim8zu7ap3jmy3ppuwiuf\", \"Aliases\": [\"web\", \"www\"]}]")));
    assertThat(other.differences()).containsExactly("TaskTemplate.Networks[lab_backend]",
        "TaskTemplate.Networks[ingress]");
    SpecMatch.Result lostAlias = compare(spec -> spec.getJsonObject("TaskTemplate").getJsonArray("Networks")
        .getJsonObject(0).put("Aliases", new JsonArray().add("web")));
    assertThat(lostAlias.differences()).containsExactly("TaskTemplate.Networks[lab_backend].Aliases[www]");
  }

  @Test
  void theVersionedSecretAndConfigNamesStandForTheCliOnesAndTheIdsAreIgnored() {
    StackPlan plan = plan(MOTD);
    String versionedSecret = plan.secrets().get(0).name();
    String versionedConfig = plan.configs().get(0).name();
    assertThat(versionedSecret).matches("lab_db_password_[0-9a-f]{10}");
    assertThat(plan.secrets().get(0).unversionedName()).isEqualTo("lab_db_password");
    // a service Fluxer deployed refers to the versioned names: those match too, without a note
    SpecMatch.Result versioned = compare(spec -> {
      container(spec).getJsonArray("Secrets").getJsonObject(0).put("SecretName", versionedSecret).put("SecretID", "other");
      container(spec).getJsonArray("Configs").getJsonObject(0).put("ConfigName", versionedConfig);
    });
    assertThat(versioned.differences()).isEmpty();
    assertThat(versioned.notes()).isEmpty();
    // another secret, or a file mounted elsewhere, is a difference
    SpecMatch.Result otherSecret = compare(spec -> container(spec).getJsonArray("Secrets").getJsonObject(0)
        .put("SecretName", "lab_other"));
    assertThat(otherSecret.differences()).containsExactly("TaskTemplate.ContainerSpec.Secrets[db_password].SecretName");
    SpecMatch.Result otherTarget = compare(spec -> container(spec).getJsonArray("Configs").getJsonObject(0)
        .getJsonObject("File").put("Name", "/etc/issue"));
    assertThat(otherTarget.differences()).containsExactly("TaskTemplate.ContainerSpec.Configs[/etc/motd]",
        "TaskTemplate.ContainerSpec.Configs[/etc/issue]");
    SpecMatch.Result otherMode = compare(spec -> container(spec).getJsonArray("Secrets").getJsonObject(0)
        .getJsonObject("File").put("Mode", 256));
    assertThat(otherMode.differences()).containsExactly("TaskTemplate.ContainerSpec.Secrets[db_password].File.Mode");
  }

  @Test
  void aConfigMustHoldThePlannedContent() {
    SpecMatch.Result changed = compare(plan(MOTD), "another motd\n", spec -> { });
    assertThat(changed.differences()).containsExactly("TaskTemplate.ContainerSpec.Configs[/etc/motd].content");
    SpecMatch.Result unknown = compare(spec -> container(spec).getJsonArray("Configs").getJsonObject(0)
        .put("ConfigID", "gone"));
    assertThat(unknown.differences()).containsExactly("TaskTemplate.ContainerSpec.Configs[/etc/motd].content");
  }

  @Test
  void anImagePinnedToTheDigestTheCliResolvedMatchesTheTagAsWritten() {
    String digest = "@sha256:" + "ab".repeat(32);
    assertThat(compare(spec -> container(spec).put("Image", "fluxer-test/busybox:1" + digest)).differences()).isEmpty();
    assertThat(compare(spec -> container(spec).put("Image", "fluxer-test/busybox:2" + digest)).differences())
        .containsExactly("TaskTemplate.ContainerSpec.Image");
    assertThat(compare(spec -> container(spec).put("Image", "fluxer-test/busybox:2")).differences())
        .containsExactly("TaskTemplate.ContainerSpec.Image");
  }

  @Test
  void engineDefaultsExtraLabelsKeyCaseAndEmptyValuesAreNotDifferences() {
    SpecMatch.Result result = compare(spec -> {
      spec.getJsonObject("Labels").put("added.by", "someone");
      container(spec).getJsonObject("Labels").put("com.docker.stack.extra", "x");
      spec.getJsonObject("UpdateConfig").put("Delay", 0);
    });
    assertThat(result.differences()).isEmpty();
    // the plan says read_only: false, which the engine leaves out; true is a difference
    assertThat(plan(MOTD).service("web").orElseThrow().spec().getJsonObject("TaskTemplate")
        .getJsonObject("ContainerSpec").getBoolean("ReadOnly")).isFalse();
    assertThat(compare(spec -> container(spec).put("ReadOnly", true)).differences())
        .containsExactly("TaskTemplate.ContainerSpec.ReadOnly");
    // HealthCheck in the plan, Healthcheck in the engine's answer: one key
    assertThat(compare(spec -> container(spec).getJsonObject("Healthcheck").put("Retries", 5)).differences())
        .containsExactly("TaskTemplate.ContainerSpec.HealthCheck.Retries");
    assertThat(compare(spec -> container(spec).remove("Healthcheck")).differences())
        .containsExactly("TaskTemplate.ContainerSpec.HealthCheck");
    // the plan's own spec-hash label is what adopting sets: not expected, and ignored when there
    assertThat(compare(spec -> spec.getJsonObject("Labels").put(SpecHash.LABEL, "old")).differences()).isEmpty();
  }

  @Test
  void envAndPortsCompareAsSetsAndNameTheirElementsNeverTheirValues() {
    SpecMatch.Result result = compare(spec -> container(spec)
        .put("Env", new JsonArray().add("GREETING=bonjour").add("MODE=web").add("EXTRA=1")));
    assertThat(result.differences()).containsExactly("TaskTemplate.ContainerSpec.Env[GREETING]",
        "TaskTemplate.ContainerSpec.Env[EXTRA]");
    assertThat(String.join(" ", result.differences())).doesNotContain("bonjour").doesNotContain("hello");
    SpecMatch.Result ports = compare(spec -> spec.getJsonObject("EndpointSpec").getJsonArray("Ports")
        .getJsonObject(0).put("PublishedPort", 18573));
    assertThat(ports.differences()).containsExactly("EndpointSpec.Ports[18572:81/udp]",
        "EndpointSpec.Ports[18573:81/udp]");
  }

  @Test
  void orderedListsScalarsAndNumbersCompareAsTheEngineStoresThem() {
    assertThat(compare(spec -> container(spec).put("Args", new JsonArray().add("-c").add("sh")
        .add("while true; do echo tick; sleep 1; done"))).differences())
        .containsExactly("TaskTemplate.ContainerSpec.Args[0]", "TaskTemplate.ContainerSpec.Args[1]");
    assertThat(compare(spec -> container(spec).put("Args", new JsonArray().add("sh"))).differences())
        .containsExactly("TaskTemplate.ContainerSpec.Args");
    // durations are nanoseconds on both sides; 1e9 written as a double is the same number
    assertThat(compare(spec -> container(spec).put("StopGracePeriod", 1.0e9)).differences()).isEmpty();
    assertThat(compare(spec -> container(spec).put("StopGracePeriod", 10_000_000_000L)).differences())
        .containsExactly("TaskTemplate.ContainerSpec.StopGracePeriod");
    assertThat(compare(spec -> spec.getJsonObject("Mode").getJsonObject("Replicated").put("Replicas", 3)).differences())
        .containsExactly("Mode.Replicated.Replicas");
    assertThat(compare(spec -> spec.put("Mode", new JsonObject().put("Global", new JsonObject()))).differences())
        .containsExactly("Mode.Replicated");
    assertThat(compare(spec -> spec.getJsonObject("UpdateConfig").put("Order", "stop-first")).differences())
        .containsExactly("UpdateConfig.Order");
  }
}
