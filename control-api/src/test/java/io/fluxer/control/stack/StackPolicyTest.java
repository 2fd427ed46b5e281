package io.fluxer.control.stack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fluxer.control.stack.StackFileException.Problem;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What a stack file may reach outside its stack ({@link StackPolicy}): refused by default, allowlisted by config. */
class StackPolicyTest {
  private static final StackPolicy SOCKET_FOR_ADMINS = StackPolicy.of(List.of("/srv/data"),
      List.of("/var/run/docker.sock"), Set.of("shared_net"), Set.of("relay_jwt"), Set.of("site_conf"), Set.of("media"));

  private static StackPlan parse(String yaml, StackPolicy policy, boolean admin) {
    return StackFile.parse("shop", yaml, Map.of(), Map.of(), policy, admin);
  }

  private static Problem refused(String yaml, StackPolicy policy, boolean admin) {
    StackFileException e = catchThrowableOfType(() -> parse(yaml, policy, admin), StackFileException.class);
    assertThat(e).as("refused").isNotNull();
    assertThat(e.problems()).as(e.getMessage()).hasSize(1);
    return e.first();
  }

  private static Problem refused(String yaml) {
    return refused(yaml, StackPolicy.DEFAULT, false);
  }

  private static String bind(String source) {
    return "services:\n  web:\n    image: nginx\n    volumes:\n      - " + source + ":/data\n";
  }

  @Test
  @DisplayName("short-syntax bind mounts of host paths are refused by default, naming the key and line")
  void shortBindRefused() {
    for (String source : List.of("/etc", "/proc", "/var/lib/docker", "/srv/data")) {
      Problem p = refused(bind(source));
      assertThat(p.key()).isEqualTo("services.web.volumes[0]");
      assertThat(p.line()).isEqualTo(5);
      assertThat(p.message()).contains("host path " + source).contains("control.bind_sources");
    }
  }

  @Test
  @DisplayName("the Docker socket and / are refused however they are spelled, even when bind_sources covers them")
  void socketAndRootRefused() {
    StackPolicy wide = StackPolicy.of(List.of("/"), List.of(), Set.of(), Set.of(), Set.of(), Set.of());
    for (String source : List.of("/", "/var/run/docker.sock", "/run/docker.sock", "//var//run/docker.sock/",
        "/var/run/../run/docker.sock", "/srv/../var/run/./docker.sock", "/var/run", "/run", "/var", "/..")) {
      Problem p = refused(bind(source), wide, true);
      assertThat(p.key()).as(source).isEqualTo("services.web.volumes[0]");
      assertThat(p.message()).as(source).contains("control.admin_bind_sources");
    }
  }

  @Test
  @DisplayName("long-syntax type: bind mounts are refused, naming source and its line")
  void longBindRefused() {
    Problem p = refused("""
        services:
          web:
            image: nginx
            volumes:
              - type: bind
                source: /etc
                target: /host-etc
        """);
    assertThat(p.key()).isEqualTo("services.web.volumes[0].source");
    assertThat(p.line()).isEqualTo(6);
  }

  @Test
  @DisplayName("a local volume with o: bind (the driver_opts bind trick) is a bind mount and refused")
  void localDriverBindRefused() {
    Problem p = refused("""
        services:
          web:
            image: nginx
            volumes: [hostroot:/host]
        volumes:
          hostroot:
            driver_opts:
              type: none
              o: bind
              device: /
        """);
    assertThat(p.key()).isEqualTo("volumes.hostroot.driver_opts.device");
    assertThat(p.line()).isEqualTo(10);
    assertThat(p.message()).contains("bind mount");
  }

  @Test
  @DisplayName("external networks, secrets, configs and volumes are refused unless allowlisted")
  void externalsRefused() {
    Problem net = refused("""
        services:
          web:
            image: nginx
            networks: [cluster]
        networks:
          cluster:
            external: true
            name: fluxer_cluster
        """);
    assertThat(net.key()).isEqualTo("networks.cluster.external");
    assertThat(net.line()).isEqualTo(7);
    assertThat(net.message()).contains("fluxer_cluster").contains("control.external_networks");

    Problem secret = refused("""
        services:
          web:
            image: nginx
            secrets: [jwt]
        secrets:
          jwt:
            external: true
            name: fluxer_jwt_key
        """);
    assertThat(secret.key()).isEqualTo("secrets.jwt.external");
    assertThat(secret.message()).contains("control.external_secrets");

    Problem config = refused("""
        services:
          web:
            image: nginx
        configs:
          conf:
            external: true
        """);
    assertThat(config.key()).isEqualTo("configs.conf.external");
    assertThat(config.line()).isEqualTo(6);
    assertThat(config.message()).contains("control.external_configs");

    Problem volume = refused("""
        services:
          web:
            image: nginx
            volumes: [data:/data]
        volumes:
          data:
            external: true
            name: fluxer_pgdata
        """);
    assertThat(volume.key()).isEqualTo("volumes.data.external");
    assertThat(volume.message()).contains("control.external_volumes");
  }

  @Test
  @DisplayName("naming a network or volume outside the stack (which may exist) counts as external")
  void foreignNamesRefused() {
    Problem net = refused("""
        services:
          web:
            image: nginx
            networks: [n]
        networks:
          n:
            name: fluxer_cluster
        """);
    assertThat(net.key()).isEqualTo("networks.n.name");
    assertThat(net.line()).isEqualTo(7);
    Problem vol = refused("""
        services:
          web:
            image: nginx
            volumes: [v:/v]
        volumes:
          v:
            name: fluxer_pgdata
        """);
    assertThat(vol.key()).isEqualTo("volumes.v.name");
  }

  @Test
  @DisplayName("the host network is never used, even when allowlisted")
  void hostNetworkRefused() {
    StackPolicy hostListed = StackPolicy.of(List.of(), List.of(), Set.of("host"), Set.of(), Set.of(), Set.of());
    Problem p = refused("""
        services:
          web:
            image: nginx
            networks: [hostnet]
        networks:
          hostnet:
            external: true
            name: host
        """, hostListed, true);
    assertThat(p.key()).isEqualTo("networks.hostnet.external");
    assertThat(p.message()).contains("host network");
  }

  @Test
  @DisplayName("the allowlists admit what they name, by path components")
  void allowlistsAdmit() {
    StackPlan plan = parse("""
        services:
          web:
            image: nginx
            networks: [shared]
            secrets: [jwt]
            configs: [conf]
            volumes:
              - /srv/data/uploads:/uploads
              - type: bind
                source: /srv/data/
                target: /all
              - media:/media
        networks:
          shared: {external: true, name: shared_net}
        secrets:
          jwt: {external: true, name: relay_jwt}
        configs:
          conf: {external: true, name: site_conf}
        volumes:
          media: {external: true}
        """, SOCKET_FOR_ADMINS, false);
    assertThat(plan.services()).hasSize(1);
    // a sibling sharing the prefix's characters, and a way out by .., stay refused
    assertThat(refused(bind("/srv/database"), SOCKET_FOR_ADMINS, false).message()).contains("/srv/database");
    assertThat(refused(bind("/srv/data/../../etc"), SOCKET_FOR_ADMINS, false).message()).contains("host path /etc");
  }

  @Test
  @DisplayName("admin_bind_sources admits the Docker socket for an admin only")
  void adminOverrideOnlyForAdmin() {
    String yaml = bind("/var/run/docker.sock");
    assertThat(parse(yaml, SOCKET_FOR_ADMINS, true).services()).hasSize(1);
    Problem p = refused(yaml, SOCKET_FOR_ADMINS, false);
    assertThat(p.key()).isEqualTo("services.web.volumes[0]");
    assertThat(p.message()).contains("admin-only").contains("admin role");
    // naming the socket does not admit / or the directory holding it
    assertThat(refused(bind("/var/run"), SOCKET_FOR_ADMINS, true).message()).contains("never bind-mounted");
    assertThat(refused(bind("/"), SOCKET_FOR_ADMINS, true).message()).contains("never bind-mounted");
  }

  @Test
  @DisplayName("a secret name of 80,000 characters is refused at once (its length is checked before any pattern)")
  void longSecretNameFast() {
    String name = "a".repeat(80_000) + "!";
    String yaml = "services:\n  web:\n    image: nginx\nsecrets:\n  s:\n    environment: S\n    name: " + name + "\n";
    StackFile.parse("warm", "services:\n  web:\n    image: x\n", Map.of()); // class loading is not what is measured
    long start = System.nanoTime();
    StackFileException e = catchThrowableOfType(() -> StackFile.parse("shop", yaml, Map.of("S", "x")),
        StackFileException.class);
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertThat(e.first().key()).isEqualTo("secrets.s.name");
    assertThat(e.first().message()).contains("at most 64 characters").doesNotContain(name);
    assertThat(millis).as("milliseconds to refuse").isLessThan(2_000);
  }

  @Test
  @DisplayName("long network, config and service names and durations answer fast too")
  void otherLongNamesFast() {
    String longName = "a-".repeat(40_000) + "!";
    fast("service name", "services:\n  " + "a".repeat(80_000) + "!:\n    image: x\n");
    fast("network name", "services:\n  web:\n    image: nginx\n    networks: [n]\nnetworks:\n  n:\n    name: "
        + longName + "\n");
    fast("config name", "services:\n  web:\n    image: nginx\nconfigs:\n  c:\n    content: x\n    name: " + longName
        + "\n");
    fast("service name", "services:\n  " + "a".repeat(80_000) + "!:\n    image: x\n");
    fast("duration", "services:\n  web:\n    image: x\n    stop_grace_period: " + "1".repeat(80_000) + "x\n");
  }

  private static void fast(String what, String yaml) {
    StackFile.parse("warm", "services:\n  web:\n    image: x\n", Map.of()); // class loading is not what is measured
    long start = System.nanoTime();
    StackFileException e = catchThrowableOfType(() -> StackFile.parse("shop", yaml, Map.of()),
        StackFileException.class);
    assertThat(e).as(what).isNotNull();
    assertThat((System.nanoTime() - start) / 1_000_000).as("milliseconds to refuse a long " + what).isLessThan(2_000);
  }

  @Test
  @DisplayName("Fluxer's own stack.yml passes with the allowlist docker/fluxer.yaml shows, for an admin only")
  void fluxerStackPassesWithDocumentedAllowlist() throws Exception {
    Path root = Path.of("..").toAbsolutePath().normalize();
    String yaml = Files.readString(root.resolve("stack.yml"), StandardCharsets.UTF_8);
    String config = Files.readString(root.resolve("docker/fluxer.yaml"), StandardCharsets.UTF_8);
    Map<String, Object> control = new org.yaml.snakeyaml.Yaml().<Map<String, Map<String, Object>>>load(config)
        .get("control");
    StackPolicy documented = StackPolicy.fromValues(new io.fluxer.common.config.ConfigValues(
        new JsonObject(control), "control", Set.copyOf(control.keySet())));
    Map<String, byte[]> files = new LinkedHashMap<>();
    for (String f : List.of("./docker/fluxer.yaml", "./docker/edge/haproxy.cfg", "./secrets/jwt_key",
        "./secrets/api_key", "./secrets/dashboard_admin_hash", "./secrets/control_key",
        "./secrets/postgres_password", "./secrets/cluster_signing_key", "./secrets/cluster_ca",
        "./secrets/cluster_cert", "./secrets/cluster_key")) {
      files.put(f, "x".getBytes(StandardCharsets.UTF_8));
    }
    StackPlan plan = StackFile.parse("fluxer", yaml, Map.of(), files, documented, true);
    assertThat(plan.services()).extracting(ServicePlan::key)
        .containsExactlyInAnyOrder("relay", "control", "edge", "redis", "postgres");
    assertThat(documented.adminOnlyServices(plan)).containsExactly("control");

    StackFileException ops = catchThrowableOfType(() -> StackFile.parse("fluxer", yaml, Map.of(), files, documented,
        false), StackFileException.class);
    assertThat(ops.first().key()).isEqualTo("services.control.volumes[0].source");
    assertThat(ops.first().message()).contains("admin-only");
  }
}
