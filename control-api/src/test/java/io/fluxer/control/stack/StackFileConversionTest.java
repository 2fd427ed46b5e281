package io.fluxer.control.stack;

import static io.fluxer.control.stack.StackFileTest.container;
import static io.fluxer.control.stack.StackFileTest.parse;
import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Smaller compose forms and YAML features, one at a time. */
class StackFileConversionTest {
  private static ServicePlan only(String yaml) {
    StackPlan plan = parse(yaml);
    assertThat(plan.services()).hasSize(1);
    return plan.services().get(0);
  }

  @Test
  void anchorsAndMergeKeysWithLocalOverrides() {
    StackPlan plan = parse("""
        x-service: &service
          image: fluxer/worker:1
          environment: &env
            LOG: info
          deploy:
            replicas: 2
        services:
          a:
            <<: *service
          b:
            <<: *service
            environment:
              <<: *env
              LOG: debug
            deploy:
              replicas: 5
        """);
    assertThat(container(plan.service("a").orElseThrow()).getJsonArray("Env")).containsExactly("LOG=info");
    assertThat(container(plan.service("b").orElseThrow()).getJsonArray("Env")).containsExactly("LOG=debug");
    assertThat(plan.service("b").orElseThrow().spec().getJsonObject("Mode").getJsonObject("Replicated").getLong("Replicas"))
        .isEqualTo(5);
    assertThat(plan.service("a").orElseThrow().specHash()).isNotEqualTo(plan.service("b").orElseThrow().specHash());
  }

  @Test
  void environmentListAndMapForms() {
    JsonObject c = container(only("""
        services:
          w:
            image: a
            environment:
              - URL=postgres://x?a=b
              - EMPTY=
        """));
    assertThat(c.getJsonArray("Env")).containsExactly("EMPTY=", "URL=postgres://x?a=b");
    JsonObject m = container(only("""
        services:
          w:
            image: a
            environment:
              PORT: 8080
              DEBUG: yes
              RATIO: 0.5
              QUOTED: "007"
        """));
    assertThat(m.getJsonArray("Env")).containsExactly("DEBUG=yes", "PORT=8080", "QUOTED=007", "RATIO=0.5");
  }

  @Test
  void envFilesFromTheRequestWithEnvironmentOverriding() {
    StackPlan plan = StackFile.parse("app", """
        services:
          w:
            image: a
            env_file: ./w.env
            environment:
              B: override
        """, Map.of("FROM_REQ", "r"), Map.of("w.env", "# comment\nA=1\nexport B=2\nFROM_REQ\n\nC=x=y\n"
        .getBytes(StandardCharsets.UTF_8)));
    assertThat(container(plan.services().get(0)).getJsonArray("Env"))
        .containsExactly("A=1", "B=override", "C=x=y", "FROM_REQ=r");
    assertThat(StackFileTest.error("services:\n  w:\n    image: a\n    env_file: w.env\n").getMessage())
        .startsWith("services.w.env_file: file \"w.env\" cannot be read here");
  }

  @Test
  void labelsListAndMapForms() {
    ServicePlan s = only("""
        services:
          w:
            image: a
            labels: [com.example.team=core, com.example.flag]
            deploy:
              labels:
                traefik.enable: true
                traefik.http.routers.w.rule: Host(`w.example.com`)
        """);
    assertThat(container(s).getJsonObject("Labels")).isEqualTo(new JsonObject().put("com.docker.stack.namespace", "app")
        .put("com.example.flag", "").put("com.example.team", "core"));
    assertThat(s.spec().getJsonObject("Labels").getString("traefik.enable")).isEqualTo("true");
    assertThat(s.spec().getJsonObject("Labels").getString("traefik.http.routers.w.rule")).isEqualTo("Host(`w.example.com`)");
  }

  @Test
  void unquotedPortPairsAreNotSexagesimal() {
    ServicePlan s = only("services:\n  w:\n    image: a\n    ports:\n      - 22:22\n      - 53:53/udp\n      - 9000\n");
    assertThat(s.spec().getJsonObject("EndpointSpec").getJsonArray("Ports")).containsExactly(
        new JsonObject().put("Protocol", "tcp").put("TargetPort", 22L).put("PublishedPort", 22L).put("PublishMode", "ingress"),
        new JsonObject().put("Protocol", "udp").put("TargetPort", 53L).put("PublishedPort", 53L).put("PublishMode", "ingress"),
        new JsonObject().put("Protocol", "tcp").put("TargetPort", 9000L).put("PublishMode", "ingress"));
  }

  @Test
  void portRangesExpand() {
    ServicePlan s = only("services:\n  w:\n    image: a\n    ports: [\"7000-7001:8000-8001/udp\"]\n");
    JsonArray ports = s.spec().getJsonObject("EndpointSpec").getJsonArray("Ports");
    assertThat(ports).hasSize(2);
    assertThat(ports.getJsonObject(1)).isEqualTo(new JsonObject().put("Protocol", "udp").put("TargetPort", 8001L)
        .put("PublishedPort", 7001L).put("PublishMode", "ingress"));
  }

  @Test
  void healthcheckDisabled() {
    assertThat(container(only("services:\n  w:\n    image: a\n    healthcheck:\n      disable: true\n"))
        .getJsonObject("HealthCheck")).isEqualTo(new JsonObject().put("Test", new JsonArray().add("NONE")));
  }

  @Test
  void containerDetails() {
    JsonObject c = container(only("""
        services:
          w:
            image: a
            hostname: w1
            user: "1000:1000"
            working_dir: /srv
            stop_signal: SIGINT
            tty: true
            init: true
            read_only: true
            extra_hosts: ["db.local:10.0.0.5"]
            dns: 10.0.0.2
            dns_search: [svc.local]
        """));
    assertThat(c.getString("Hostname")).isEqualTo("w1");
    assertThat(c.getString("User")).isEqualTo("1000:1000");
    assertThat(c.getString("Dir")).isEqualTo("/srv");
    assertThat(c.getString("StopSignal")).isEqualTo("SIGINT");
    assertThat(c.getBoolean("TTY")).isTrue();
    assertThat(c.getBoolean("Init")).isTrue();
    assertThat(c.getBoolean("ReadOnly")).isTrue();
    assertThat(c.getJsonArray("Hosts")).containsExactly("10.0.0.5 db.local");
    assertThat(c.getJsonObject("DNSConfig")).isEqualTo(new JsonObject()
        .put("Nameservers", new JsonArray().add("10.0.0.2")).put("Search", new JsonArray().add("svc.local")));
  }

  @Test
  void declaredNamesAndExternalVolumes() {
    StackPlan plan = parse("""
        services:
          w:
            image: a
            networks: [net]
            volumes:
              - shared:/shared:ro,nocopy
        networks:
          net:
            name: platform-net
            attachable: true
        volumes:
          shared:
            external: true
            name: nfs-shared
        """);
    assertThat(plan.networks().get(0).spec().getString("Name")).isEqualTo("platform-net");
    assertThat(plan.networks().get(0).spec().getBoolean("Attachable")).isTrue();
    assertThat(container(plan.services().get(0)).getJsonArray("Mounts")).containsExactly(new JsonObject()
        .put("Type", "volume").put("Target", "/shared").put("ReadOnly", true).put("Source", "nfs-shared")
        .put("VolumeOptions", new JsonObject().put("NoCopy", true)));
  }

  @Test
  void namedSecretKeepsItsNameWithAVersionSuffix() {
    StackPlan plan = StackFile.parse("app", """
        services:
          w:
            image: a
            secrets: [key]
        secrets:
          key:
            name: shared-key
            environment: KEY
            labels: {owner: ops}
        """, Map.of("KEY", "v1"));
    assertThat(plan.secrets().get(0).name()).matches("shared-key_[0-9a-f]{10}");
    assertThat(plan.secrets().get(0).spec().getJsonObject("Labels"))
        .isEqualTo(new JsonObject().put("com.docker.stack.namespace", "app").put("owner", "ops"));
  }

  @Test
  void sameInputsGiveTheSameHashesAndPlan() {
    String yaml = StackFileTest.resource("fluxer.yml");
    Map<String, String> env = Map.of("JWT_KEY", "k");
    Map<String, byte[]> files = Map.of("./secrets/api-keys.json", new byte[] {'{', '}'});
    StackPlan a = StackFile.parse("s", yaml, env, files);
    StackPlan b = StackFile.parse("s", yaml, env, files);
    assertThat(a.toJson()).isEqualTo(b.toJson());
  }
  @Test
  void reorderingUnorderedListsInTheFileKeepsTheHash() {
    String first = """
        services:
          w:
            image: a
            environment: [B=2, A=1]
            ports: ["9000:9000", "80:80"]
            networks: [front, back]
            labels: {z: "1", a: "2"}
        networks: {front: {}, back: {}}
        """;
    String second = """
        services:
          w:
            labels: {a: "2", z: "1"}
            networks: [back, front]
            ports: ["80:80", "9000:9000"]
            environment: {A: 1, B: 2}
            image: a
        networks: {back: {}, front: {}}
        """;
    assertThat(parse(second).services().get(0).specHash()).isEqualTo(parse(first).services().get(0).specHash());
  }
}
