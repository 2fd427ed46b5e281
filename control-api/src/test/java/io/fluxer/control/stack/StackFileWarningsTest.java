package io.fluxer.control.stack;

import static io.fluxer.control.stack.StackFileTest.container;
import static io.fluxer.control.stack.StackFileTest.parse;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Keys swarm ignores are accepted with a warning naming the service, the key and the line. */
class StackFileWarningsTest {
  @Test
  void keysSwarmIgnoresAreWarnedPerServiceAndKey() {
    StackPlan plan = parse("""
        services:
          web:
            image: registry.local/web:1.0
            build: ./web
            container_name: web
            depends_on: [db]
            restart: always
            links: [db]
            privileged: true
            devices: ["/dev/fuse:/dev/fuse"]
            network_mode: host
          db:
            image: postgres:15
            cap_add: [SYS_NICE]
            expose: ["5432"]
            sysctls: {net.core.somaxconn: 1024}
        """);
    assertThat(plan.warnings()).extracting(StackWarning::service, StackWarning::key, StackWarning::line).containsExactly(
        tuple("web", "services.web.build", 4),
        tuple("web", "services.web.container_name", 5),
        tuple("web", "services.web.depends_on", 6),
        tuple("web", "services.web.restart", 7),
        tuple("web", "services.web.links", 8),
        tuple("web", "services.web.privileged", 9),
        tuple("web", "services.web.devices", 10),
        tuple("web", "services.web.network_mode", 11),
        tuple("db", "services.db.cap_add", 14),
        tuple("db", "services.db.expose", 15),
        tuple("db", "services.db.sysctls", 16));
    assertThat(plan.warnings().get(3).toString())
        .isEqualTo("services.web.restart: restart is ignored by swarm: use deploy.restart_policy (line 7)");
    assertThat(plan.warnings().get(0).toJson()).isEqualTo(new JsonObject().put("key", "services.web.build").put("line", 4)
        .put("message", "build is ignored by swarm: swarm does not build images; build and push the image, then name it"
            + " in image").put("service", "web"));
    // ignored keys leave no trace in the spec
    JsonObject web = container(plan.service("web").orElseThrow());
    assertThat(web.encode()).doesNotContain("privileged").doesNotContain("fuse");
    assertThat(plan.service("web").orElseThrow().spec().getJsonObject("TaskTemplate").containsKey("RestartPolicy")).isFalse();
  }

  @Test
  void unsetVariablesBecomeEmptyWithAWarning() {
    StackPlan plan = parse("""
        services:
          web:
            image: nginx:${TAG}
            environment:
              GREETING: hello ${NAME}
        """);
    assertThat(plan.warnings()).extracting(StackWarning::toString).containsExactly(
        "services.web.image: variable TAG is not set; it became an empty string (line 3)",
        "services.web.environment.GREETING: variable NAME is not set; it became an empty string (line 5)");
    assertThat(plan.services().get(0).image()).isEqualTo("nginx:");
  }

  @Test
  void portDetailsSwarmIgnores() {
    StackPlan plan = parse("""
        services:
          web:
            image: nginx
            ports:
              - "127.0.0.1:8080:80"
              - {target: 443, published: 8443, host_ip: 127.0.0.1}
            networks:
              front:
                ipv4_address: 10.5.0.9
        networks:
          front:
        """);
    assertThat(plan.warnings()).extracting(StackWarning::key).containsExactly(
        "services.web.ports[0]", "services.web.ports[1].host_ip", "services.web.networks.front.ipv4_address");
    assertThat(plan.warnings().get(0).message()).contains("host IP 127.0.0.1 is ignored by swarm");
  }

  @Test
  void topLevelNameAndDeprecatedExternalName() {
    StackPlan plan = parse("""
        name: something-else
        services:
          web:
            image: nginx
            networks: [proxy]
        networks:
          proxy:
            external:
              name: traefik
        """);
    assertThat(plan.warnings()).extracting(StackWarning::toString).containsExactly(
        "name: ignored: the stack name comes from the request (app) (line 1)",
        "networks.proxy.external: external.name is deprecated; use external: true with name (line 8)");
    assertThat(plan.warnings().get(0).service()).isNull();
    assertThat(plan.networks()).extracting(NetworkPlan::name, NetworkPlan::external).containsExactly(tuple("traefik", true));
  }

  @Test
  void healthcheckStartIntervalNeedsANewerEngine() {
    StackPlan plan = parse("services:\n  w:\n    image: a\n    healthcheck:\n      test: exit 0\n      start_interval: 1s\n");
    assertThat(plan.warnings()).extracting(StackWarning::key).containsExactly("services.w.healthcheck.start_interval");
  }

  @Test
  void environmentNamesWithoutValueComeFromTheRequestEnv() {
    StackPlan plan = StackFile.parse("app", "services:\n  w:\n    image: a\n    environment: [TOKEN, MISSING]\n",
        Map.of("TOKEN", "t0k"));
    assertThat(container(plan.services().get(0)).getJsonArray("Env")).containsExactly("TOKEN=t0k");
    assertThat(plan.warnings()).extracting(StackWarning::key).containsExactly("services.w.environment[1]");
  }
}
