package io.fluxer.control.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class StackFileTest {
  private static final Map<String, String> ENV = Map.of("TAG", "1.4.2", "JWT_KEY", "s3cret-jwt", "RELAY_REPLICAS", "3");
  private static final Map<String, byte[]> FILES = Map.of("secrets/api-keys.json",
      "{\"ops\":\"k1\"}".getBytes(StandardCharsets.UTF_8));

  static String resource(String name) {
    try (InputStream in = StackFileTest.class.getResourceAsStream("/stacks/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static StackPlan parse(String yaml) {
    return StackFile.parse("app", yaml, Map.of());
  }

  static StackFileException error(String yaml) {
    return error(yaml, Map.of());
  }

  static StackFileException error(String yaml, Map<String, String> env) {
    StackFileException e = catchThrowableOfType(StackFileException.class, () -> StackFile.parse("app", yaml, env));
    assertThat(e).as("expected a StackFileException").isNotNull();
    return e;
  }

  static JsonObject container(ServicePlan service) {
    return service.spec().getJsonObject("TaskTemplate").getJsonObject("ContainerSpec");
  }

  @Nested
  class RealisticStack {
    private final StackPlan plan = StackFile.parse("fluxer", resource("fluxer.yml"), ENV, FILES);

    private ServicePlan service(String key) {
      return plan.service(key).orElseThrow();
    }

    @Test
    void servicesAreNamedAfterTheStackInFileOrder() {
      assertThat(plan.stack()).isEqualTo("fluxer");
      assertThat(plan.services()).extracting(ServicePlan::name)
          .containsExactly("fluxer_relay", "fluxer_control-api", "fluxer_redis", "fluxer_postgres", "fluxer_node-exporter");
      assertThat(service("relay").spec().getString("Name")).isEqualTo("fluxer_relay");
    }

    @Test
    void everyObjectCarriesTheNamespaceLabel() {
      for (ServicePlan s : plan.services()) {
        assertThat(s.spec().getJsonObject("Labels").getString("com.docker.stack.namespace")).isEqualTo("fluxer");
        assertThat(container(s).getJsonObject("Labels").getString("com.docker.stack.namespace")).isEqualTo("fluxer");
      }
      plan.networks().stream().filter(n -> !n.external()).forEach(n ->
          assertThat(n.spec().getJsonObject("Labels").getString("com.docker.stack.namespace")).isEqualTo("fluxer"));
      plan.secrets().stream().filter(s -> !s.external()).forEach(s ->
          assertThat(s.spec().getJsonObject("Labels").getString("com.docker.stack.namespace")).isEqualTo("fluxer"));
      plan.configs().forEach(c ->
          assertThat(c.spec().getJsonObject("Labels").getString("com.docker.stack.namespace")).isEqualTo("fluxer"));
    }

    @Test
    void imageAndCommandAndInterpolatedEnvironment() {
      JsonObject relay = container(service("relay"));
      assertThat(relay.getString("Image")).isEqualTo("fluxer/relay:1.4.2");
      assertThat(service("relay").image()).isEqualTo("fluxer/relay:1.4.2");
      assertThat(service("relay").spec().getJsonObject("Labels").getString("com.docker.stack.image"))
          .isEqualTo("fluxer/relay:1.4.2");
      assertThat(relay.getJsonArray("Args")).containsExactly("--config", "/etc/fluxer/relay.yml");
      assertThat(relay.containsKey("Command")).isFalse();
      assertThat(relay.getJsonArray("Env")).containsExactly(
          "FLUXER_ENGINE=redis",
          "FLUXER_PG_URL=postgres://fluxer@postgres:5432/fluxer",
          "FLUXER_REDIS_URL=redis://redis:6379",
          "JAVA_OPTS=-Xmx512m");
      assertThat(relay.getLong("StopGracePeriod")).isEqualTo(20_000_000_000L);
    }

    @Test
    void entrypointBecomesCommandAndCommandStringsAreShellSplit() {
      assertThat(container(service("control-api")).getJsonArray("Command")).containsExactly("java", "-jar", "/app/control-api.jar");
      assertThat(container(service("redis")).getJsonArray("Args"))
          .containsExactly("redis-server", "--appendonly", "yes", "--save", "");
    }

    @Test
    void healthchecksInNanoseconds() {
      JsonObject hc = container(service("relay")).getJsonObject("HealthCheck");
      assertThat(hc).isEqualTo(new JsonObject()
          .put("Test", new JsonArray().add("CMD").add("curl").add("-fsS").add("http://localhost:8000/health"))
          .put("Interval", 10_000_000_000L).put("Timeout", 3_000_000_000L)
          .put("StartPeriod", 90_000_000_000L).put("Retries", 3L));
      assertThat(container(service("redis")).getJsonObject("HealthCheck").getJsonArray("Test"))
          .containsExactly("CMD-SHELL", "redis-cli ping");
    }

    @Test
    void replicatedModeWithInterpolatedReplicas_globalMode() {
      assertThat(service("relay").spec().getJsonObject("Mode"))
          .isEqualTo(new JsonObject().put("Replicated", new JsonObject().put("Replicas", 3L)));
      assertThat(service("redis").spec().getJsonObject("Mode"))
          .isEqualTo(new JsonObject().put("Replicated", new JsonObject().put("Replicas", 1L)));
      assertThat(service("node-exporter").spec().getJsonObject("Mode"))
          .isEqualTo(new JsonObject().put("Global", new JsonObject()));
    }

    @Test
    void updateAndRollbackConfig() {
      JsonObject spec = service("relay").spec();
      assertThat(spec.getJsonObject("UpdateConfig")).isEqualTo(new JsonObject()
          .put("Parallelism", 1L).put("Delay", 10_000_000_000L).put("FailureAction", "rollback")
          .put("Monitor", 30_000_000_000L).put("MaxFailureRatio", 0.25).put("Order", "start-first"));
      assertThat(spec.getJsonObject("RollbackConfig"))
          .isEqualTo(new JsonObject().put("Parallelism", 0L).put("Order", "stop-first"));
      assertThat(service("redis").spec().containsKey("UpdateConfig")).isFalse();
    }

    @Test
    void restartPolicyResourcesPlacementAndServiceLabels() {
      JsonObject task = service("relay").spec().getJsonObject("TaskTemplate");
      assertThat(task.getJsonObject("RestartPolicy")).isEqualTo(new JsonObject().put("Condition", "on-failure")
          .put("Delay", 5_000_000_000L).put("MaxAttempts", 3L).put("Window", 120_000_000_000L));
      assertThat(task.getJsonObject("Resources")).isEqualTo(new JsonObject()
          .put("Limits", new JsonObject().put("NanoCPUs", 1_500_000_000L).put("MemoryBytes", 1L << 30))
          .put("Reservations", new JsonObject().put("NanoCPUs", 250_000_000L).put("MemoryBytes", 512L << 20)));
      assertThat(task.getJsonObject("Placement")).isEqualTo(new JsonObject()
          .put("Constraints", new JsonArray().add("node.role == worker"))
          .put("Preferences", new JsonArray().add(new JsonObject().put("Spread",
              new JsonObject().put("SpreadDescriptor", "node.labels.zone"))))
          .put("MaxReplicas", 2L));
      assertThat(service("relay").spec().getJsonObject("Labels").getString("io.fluxer.role")).isEqualTo("relay");
      assertThat(task.getJsonObject("LogDriver")).isEqualTo(new JsonObject().put("Name", "json-file")
          .put("Options", new JsonObject().put("max-file", "3").put("max-size", "10m")));
    }

    @Test
    void portsShortAndLongSyntax() {
      assertThat(service("relay").spec().getJsonObject("EndpointSpec")).isEqualTo(new JsonObject()
          .put("Mode", "vip")
          .put("Ports", new JsonArray()
              .add(new JsonObject().put("Protocol", "tcp").put("TargetPort", 8000L).put("PublishedPort", 8000L)
                  .put("PublishMode", "ingress"))
              .add(new JsonObject().put("Protocol", "tcp").put("TargetPort", 9100L).put("PublishedPort", 9100L)
                  .put("PublishMode", "host"))));
      assertThat(service("postgres").spec().getJsonObject("EndpointSpec"))
          .isEqualTo(new JsonObject().put("Mode", "dnsrr"));
    }

    @Test
    void networksDeclaredExternalAndDefault() {
      assertThat(plan.networks()).extracting(NetworkPlan::name)
          .containsExactly("fluxer_backend", "fluxer_default", "traefik-public");
      NetworkPlan backend = plan.networks().get(0);
      assertThat(backend.spec()).isEqualTo(new JsonObject().put("Name", "fluxer_backend").put("CheckDuplicate", true)
          .put("Driver", "overlay").put("Scope", "swarm").put("Attachable", false).put("Internal", true)
          .put("Labels", new JsonObject().put("com.docker.stack.namespace", "fluxer").put("io.fluxer.net", "backend")));
      NetworkPlan defaultNet = plan.networks().get(1);
      assertThat(defaultNet.key()).isEqualTo("default");
      assertThat(defaultNet.spec().getString("Driver")).isEqualTo("overlay");
      assertThat(defaultNet.spec().getBoolean("Attachable")).isFalse();
      assertThat(plan.networks().get(2).external()).isTrue();
      assertThat(plan.networks().get(2).spec()).isNull();

      JsonArray relayNets = service("relay").spec().getJsonObject("TaskTemplate").getJsonArray("Networks");
      assertThat(relayNets).containsExactly(
          new JsonObject().put("Target", "fluxer_backend").put("Aliases", new JsonArray().add("relay")),
          new JsonObject().put("Target", "traefik-public").put("Aliases", new JsonArray().add("relay")));
      assertThat(service("control-api").spec().getJsonObject("TaskTemplate").getJsonArray("Networks")).containsExactly(
          new JsonObject().put("Target", "fluxer_backend").put("Aliases", new JsonArray().add("control").add("control-api")));
      assertThat(service("node-exporter").spec().getJsonObject("TaskTemplate").getJsonArray("Networks")).containsExactly(
          new JsonObject().put("Target", "fluxer_default").put("Aliases", new JsonArray().add("node-exporter")));
    }

    @Test
    void secretsAndConfigsAreVersionedByContent() {
      String jwtHash = sha256("s3cret-jwt").substring(0, 10);
      assertThat(plan.secrets()).extracting(SwarmObjectPlan::name).containsExactly(
          "fluxer_api_keys_" + sha256("{\"ops\":\"k1\"}").substring(0, 10), "fluxer_jwt_key_" + jwtHash, "pg_password");
      SwarmObjectPlan jwt = plan.secrets().get(1);
      assertThat(jwt.kind()).isEqualTo(SwarmObjectPlan.Kind.SECRET);
      assertThat(new String(Base64.getDecoder().decode(jwt.spec().getString("Data")), StandardCharsets.UTF_8))
          .isEqualTo("s3cret-jwt");
      assertThat(jwt.toJson().encode()).doesNotContain(jwt.spec().getString("Data"));
      assertThat(plan.secrets().get(2).external()).isTrue();

      assertThat(container(service("relay")).getJsonArray("Secrets")).containsExactly(
          new JsonObject().put("File", new JsonObject().put("Name", "/run/secrets/api-keys.json").put("UID", "1000")
              .put("GID", "1000").put("Mode", 256L)).put("SecretName", plan.secrets().get(0).name()),
          new JsonObject().put("File", new JsonObject().put("Name", "jwt_key").put("UID", "0").put("GID", "0")
              .put("Mode", 292L)).put("SecretName", "fluxer_jwt_key_" + jwtHash));
      assertThat(container(service("postgres")).getJsonArray("Secrets").getJsonObject(0).getString("SecretName"))
          .isEqualTo("pg_password");

      SwarmObjectPlan config = plan.configs().get(0);
      assertThat(config.name()).isEqualTo("fluxer_relay_config_" + sha256("engine: redis\nhistory: 100\n").substring(0, 10));
      assertThat(container(service("relay")).getJsonArray("Configs")).containsExactly(new JsonObject()
          .put("File", new JsonObject().put("Name", "/etc/fluxer/relay.yml").put("UID", "0").put("GID", "0").put("Mode", 292L))
          .put("ConfigName", config.name()));
    }

    @Test
    void changedSecretValueGetsANewNameAndChangesTheUsersSpecHash() {
      StackPlan rotated = StackFile.parse("fluxer", resource("fluxer.yml"),
          Map.of("TAG", "1.4.2", "JWT_KEY", "rotated", "RELAY_REPLICAS", "3"), FILES);
      assertThat(rotated.secrets().get(1).name()).isNotEqualTo(plan.secrets().get(1).name()).startsWith("fluxer_jwt_key_");
      assertThat(rotated.service("relay").orElseThrow().specHash()).isNotEqualTo(service("relay").specHash());
      assertThat(rotated.service("redis").orElseThrow().specHash()).isEqualTo(service("redis").specHash());
    }

    @Test
    void specWithIdsFillsSecretAndConfigIds() {
      Map<String, String> secretIds = Map.of(plan.secrets().get(0).name(), "s1", plan.secrets().get(1).name(), "s2");
      JsonObject spec = service("relay").specWithIds(secretIds, Map.of(plan.configs().get(0).name(), "c1"));
      JsonObject c = spec.getJsonObject("TaskTemplate").getJsonObject("ContainerSpec");
      assertThat(c.getJsonArray("Secrets").getJsonObject(0).getString("SecretID")).isEqualTo("s1");
      assertThat(c.getJsonArray("Secrets").getJsonObject(1).getString("SecretID")).isEqualTo("s2");
      assertThat(c.getJsonArray("Configs").getJsonObject(0).getString("ConfigID")).isEqualTo("c1");
      assertThat(SpecHash.of(spec)).isEqualTo(service("relay").specHash());
      assertThat(catchThrowableOfType(IllegalArgumentException.class,
          () -> service("relay").specWithIds(Map.of(), Map.of()))).hasMessageContaining("no ID for secret");
    }

    @Test
    void mountsBindNamedAndTmpfs() {
      assertThat(container(service("control-api")).getJsonArray("Mounts")).containsExactly(new JsonObject()
          .put("Type", "bind").put("Source", "/var/run/docker.sock").put("Target", "/var/run/docker.sock")
          .put("ReadOnly", true));
      assertThat(container(service("redis")).getJsonArray("Mounts")).containsExactly(new JsonObject()
          .put("Type", "volume").put("Target", "/data").put("ReadOnly", false).put("Source", "fluxer_redis-data")
          .put("VolumeOptions", new JsonObject().put("Labels", new JsonObject().put("com.docker.stack.namespace", "fluxer"))));
      assertThat(container(service("postgres")).getJsonArray("Mounts")).containsExactly(
          new JsonObject().put("Type", "volume").put("Target", "/var/lib/postgresql/data").put("ReadOnly", false)
              .put("Source", "fluxer_pg-data").put("VolumeOptions", new JsonObject()
                  .put("Labels", new JsonObject().put("com.docker.stack.namespace", "fluxer").put("io.fluxer.backup", "daily"))
                  .put("DriverConfig", new JsonObject().put("Name", "local"))),
          new JsonObject().put("Type", "tmpfs").put("Target", "/dev/shm").put("ReadOnly", false)
              .put("TmpfsOptions", new JsonObject().put("SizeBytes", 256L << 20)));
    }

    @Test
    void specHashIsStoredInTheServiceLabelAndStable() {
      ServicePlan relay = service("relay");
      assertThat(relay.spec().getJsonObject("Labels").getString(SpecHash.LABEL)).isEqualTo(relay.specHash());
      assertThat(SpecHash.of(relay.spec())).isEqualTo(relay.specHash());
      StackPlan again = StackFile.parse("fluxer", resource("fluxer.yml"), ENV, FILES);
      for (ServicePlan s : plan.services()) {
        assertThat(again.service(s.key()).orElseThrow().specHash()).isEqualTo(s.specHash());
      }
    }

    @Test
    void warningsForUnsetVariablesAndUnusedNetworks() {
      assertThat(plan.warnings()).extracting(StackWarning::toString).containsExactlyInAnyOrder(
          "services.control-api.environment[1]: FLUXER_DOCKER_HOST has no value here and is not in the request's env;"
              + " it is not set (line 83)",
          "networks.unused: no service uses this network; it is not created (line 140)");
      assertThat(plan.warnings().get(0).service()).isEqualTo("control-api");
    }

    @Test
    void summaryJsonHasNoSecretData() {
      String json = plan.toJson().encode();
      assertThat(json).contains("fluxer_relay").doesNotContain(Base64.getEncoder()
          .encodeToString("s3cret-jwt".getBytes(StandardCharsets.UTF_8)));
    }
  }

  static String sha256(String text) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
          .digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
