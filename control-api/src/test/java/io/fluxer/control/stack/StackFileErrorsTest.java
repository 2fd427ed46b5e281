package io.fluxer.control.stack;

import static io.fluxer.control.stack.StackFileTest.error;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.fluxer.control.stack.StackFileException.Problem;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Stack files that must be refused (400): every message names the key path and the line. */
class StackFileErrorsTest {
  private static Problem only(StackFileException e) {
    assertThat(e.problems()).as(e.getMessage()).hasSize(1);
    return e.first();
  }

  @Test
  void brokenYamlNamesLineAndColumn() {
    StackFileException e = error("""
        services:
          web:
            image: nginx
            ports: ["80:80"
          db:
            image: postgres
        """);
    Problem p = only(e);
    assertThat(p.key()).isEmpty();
    assertThat(p.message()).startsWith("invalid YAML: ");
    assertThat(p.line()).isEqualTo(5);
    assertThat(p.column()).isPositive();
    assertThat(e.getMessage()).contains("(line 5, column ");
  }

  @Test
  void badIndentationIsBrokenYaml() {
    StackFileException e = error("""
        services:
          web:
            image: nginx
           command: run
        """);
    assertThat(only(e).message()).startsWith("invalid YAML");
    assertThat(only(e).line()).isEqualTo(4);
  }

  @Test
  void emptyFileAndNonMappingRoot() {
    assertThat(error("").getMessage()).contains("the stack file is empty");
    assertThat(error("# only a comment\n").getMessage()).contains("the stack file is empty");
    assertThat(error("- web\n- db\n").getMessage()).contains("must be a mapping with a services key, not a list (line 1");
  }

  @Test
  void severalDocumentsAreRefused() {
    assertThat(error("services: {}\n---\nservices: {}\n").getMessage()).contains("invalid YAML").contains("single document");
  }

  @Test
  void duplicateKeysNameBothLines() {
    StackFileException e = error("""
        services:
          web:
            image: nginx
            image: httpd
        """);
    assertThat(e.getMessage()).isEqualTo("services.web.image: duplicate key (first at line 3) (line 4, column 5)");
  }

  @Test
  void noServices() {
    assertThat(error("version: \"3.8\"\n").getMessage()).isEqualTo("services: a stack file needs at least one service");
    assertThat(error("services: {}\n").getMessage()).contains("services: a stack file needs at least one service (line 1");
    assertThat(error("services: [web]\n").getMessage()).contains("services: must be a mapping of service names");
  }

  @Test
  void unknownTopLevelKeyIsAnErrorButExtensionsAreAllowed() {
    StackFileException e = error("""
        x-common: {anything: [goes]}
        services:
          web:
            image: nginx
        servces:
          db:
            image: postgres
        """);
    Problem p = only(e);
    assertThat(p.key()).isEqualTo("servces");
    assertThat(p.line()).isEqualTo(5);
    assertThat(p.message()).startsWith("unknown top-level key");
  }

  @Test
  void unknownServiceKeyNamesItAndTheChoices() {
    StackFileException e = error("""
        services:
          web:
            image: nginx
            x-owner: team-a
            enviroment:
              A: 1
        """);
    assertThat(only(e).key()).isEqualTo("services.web.enviroment");
    assertThat(only(e).line()).isEqualTo(5);
    assertThat(only(e).message()).startsWith("unknown service key; expected one of ").contains("environment");
  }

  @Test
  void unknownDeployKey() {
    StackFileException e = error("""
        services:
          web:
            image: nginx
            deploy:
              replica: 2
        """);
    assertThat(e.getMessage()).startsWith("services.web.deploy.replica: unknown key; expected one of ")
        .endsWith("(line 5, column 7)");
  }

  @Test
  void missingImage() {
    StackFileException e = error("""
        services:
          web:
            build: .
            ports: ["80:80"]
        """);
    assertThat(e.getMessage()).isEqualTo("services.web.image: missing: every service needs an image (swarm does not build)"
        + " (line 2, column 3)");
  }

  @Test
  void imageOfAnotherTypeIsRefused() {
    assertThat(error("services:\n  web:\n    image: 42\n").getMessage())
        .isEqualTo("services.web.image: must be a string, not an integer (quote it) (line 3, column 5)");
    assertThat(error("services:\n  web:\n    image: [nginx]\n").getMessage())
        .isEqualTo("services.web.image: must be a string, not a list (line 3, column 5)");
    assertThat(error("services:\n  web:\n    image: {name: nginx}\n").getMessage())
        .startsWith("services.web.image: must be a string, not a mapping");
    assertThat(error("services:\n  web:\n    image: true\n").getMessage())
        .startsWith("services.web.image: must be a string, not a boolean");
    assertThat(error("services:\n  web:\n    image: \"ngi nx\"\n").getMessage())
        .startsWith("services.web.image: \"ngi nx\" is not an image reference");
  }

  @Test
  void replicasMustBeANonNegativeInteger() {
    for (String bad : new String[] {"three", "-1", "1.5", "\"2\""}) {
      StackFileException e = error("""
          services:
            web:
              image: nginx
              deploy:
                mode: replicated
                replicas: %s
          """.formatted(bad));
      assertThat(e.getMessage()).as(bad).startsWith("services.web.deploy.replicas: must be a non-negative integer")
          .endsWith("(line 6, column 7)");
    }
  }

  @Test
  void interpolatedReplicasMustStillBeAnInteger() {
    String yaml = "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: ${N}\n";
    assertThat(StackFile.parse("app", yaml, Map.of("N", "4")).services().get(0).spec()
        .getJsonObject("Mode").getJsonObject("Replicated").getLong("Replicas")).isEqualTo(4);
    assertThat(error(yaml, Map.of("N", "four")).getMessage())
        .startsWith("services.web.deploy.replicas: must be a non-negative integer, not a string (line 5");
  }

  @Test
  void replicasOnAGlobalService() {
    StackFileException e = error("""
        services:
          agent:
            image: prom/node-exporter
            deploy:
              mode: global
              replicas: 2
        """);
    assertThat(e.getMessage()).startsWith("services.agent.deploy.replicas: replicas cannot be set on a global service")
        .endsWith("(line 6, column 7)");
  }

  @Test
  void unknownModeAndJobs() {
    assertThat(error("services:\n  w:\n    image: a\n    deploy:\n      mode: daemon\n").getMessage())
        .startsWith("services.w.deploy.mode: must be replicated or global, not \"daemon\"");
    assertThat(error("services:\n  w:\n    image: a\n    deploy:\n      mode: replicated-job\n").getMessage())
        .contains("replicated-job is not supported by Fluxer");
  }

  @Test
  void invalidStackAndServiceNames() {
    String ok = "services:\n  web:\n    image: nginx\n";
    for (String bad : new String[] {"", "-app", "my app", "my.app", "app_", "a/b"}) {
      StackFileException e = catchThrowableOfType(StackFileException.class, () -> StackFile.parse(bad, ok, Map.of()));
      assertThat(e).as(bad).isNotNull();
      assertThat(e.getMessage()).startsWith("invalid stack name \"" + bad + "\"");
    }
    assertThat(catchThrowableOfType(StackFileException.class, () -> StackFile.parse("x".repeat(51), ok, Map.of())))
        .hasMessageContaining("at most 50 characters");
    assertThat(error("services:\n  \"web app\":\n    image: nginx\n").getMessage())
        .startsWith("services.web app: invalid service name \"web app\"").endsWith("(line 2, column 3)");
    assertThat(error("services:\n  web.v2:\n    image: nginx\n").getMessage())
        .startsWith("services.web.v2: invalid service name \"app_web.v2\": swarm service names are DNS name components");
    assertThat(error("services:\n  " + "s".repeat(60) + ":\n    image: nginx\n").getMessage())
        .contains("at most 63 characters");
  }

  @Test
  void requiredVariableWithoutValue() {
    StackFileException e = error("""
        services:
          db:
            image: postgres:15
            environment:
              POSTGRES_PASSWORD: ${DB_PASSWORD:?set DB_PASSWORD in env}
        """);
    assertThat(e.getMessage()).isEqualTo("services.db.environment.POSTGRES_PASSWORD: required variable DB_PASSWORD is"
        + " missing a value: set DB_PASSWORD in env (line 5, column 26)");
  }

  @Test
  void invalidInterpolation() {
    assertThat(error("services:\n  w:\n    image: a\n    command: echo costs $5\n").getMessage())
        .startsWith("services.w.command: invalid interpolation format in \"echo costs $5\" (write $$ for a literal $)")
        .endsWith("(line 4, column 14)");
  }

  @Test
  void undeclaredNetworksSecretsConfigsAndVolumes() {
    assertThat(error("services:\n  w:\n    image: a\n    networks: [backend]\n").getMessage())
        .isEqualTo("services.w.networks[0]: undefined network \"backend\": declare it under the top-level networks:"
            + " (line 4, column 16)");
    assertThat(error("services:\n  w:\n    image: a\n    secrets:\n      - db_password\n").getMessage())
        .isEqualTo("services.w.secrets[0]: undefined secret \"db_password\": declare it under the top-level secrets:"
            + " (line 5, column 9)");
    assertThat(error("services:\n  w:\n    image: a\n    configs:\n      - source: nginx_conf\n        target: /etc/n.conf\n")
        .getMessage()).startsWith("services.w.configs[0]: undefined config \"nginx_conf\"").endsWith("(line 5, column 9)");
    assertThat(error("services:\n  w:\n    image: a\n    volumes: [\"data:/data\"]\n").getMessage())
        .startsWith("services.w.volumes[0]: undefined volume \"data\"");
  }

  @Test
  void fileSecretsNeedTheirContentInTheRequest() {
    String yaml = """
        services:
          w:
            image: a
            secrets: [tls_key]
        secrets:
          tls_key:
            file: ./certs/tls.key
        """;
    assertThat(error(yaml).getMessage()).isEqualTo("secrets.tls_key.file: file \"./certs/tls.key\" cannot be read here:"
        + " stack files are deployed without their directory; send its secret content with the request's files,"
        + " or use environment or external: true (line 7, column 5)");
    StackPlan plan = StackFile.parse("app", yaml, Map.of(), Map.of("certs/tls.key", new byte[] {1, 2, 3}));
    assertThat(plan.secrets().get(0).spec().getString("Data")).isEqualTo("AQID");
  }

  @Test
  void secretSourcesAreExclusiveAndExternalTakesNoContent() {
    assertThat(error("services:\n  w:\n    image: a\nsecrets:\n  k:\n    file: ./k\n    environment: K\n").getMessage())
        .isEqualTo("secrets.k: secret needs exactly one of file, environment or external: true (found file,"
            + " environment) (line 5, column 3)");
    assertThat(error("services:\n  w:\n    image: a\nsecrets:\n  k:\n    external: true\n    file: ./k\n").getMessage())
        .isEqualTo("secrets.k.file: cannot be set on an external object (it already exists) (line 7, column 5)");
    assertThat(error("services:\n  w:\n    image: a\nsecrets:\n  k:\n    environment: NOT_SET\n").getMessage())
        .startsWith("secrets.k.environment: variable NOT_SET is not set in the request's env");
    assertThat(error("services:\n  w:\n    image: a\nsecrets:\n  k:\n    content: x\n").getMessage())
        .startsWith("secrets.k.content: unknown key");
  }

  @Test
  void badDurationsSizesAndCpus() {
    assertThat(error("services:\n  w:\n    image: a\n    healthcheck:\n      interval: 10\n").getMessage())
        .isEqualTo("services.w.healthcheck.interval: must be a duration string such as 10s, 1m30s or 500ms, not an integer"
            + " (line 5, column 7)");
    assertThat(error("services:\n  w:\n    image: a\n    stop_grace_period: 1 minute\n").getMessage())
        .startsWith("services.w.stop_grace_period: \"1 minute\" is not a duration");
    assertThat(error("services:\n  w:\n    image: a\n    deploy:\n      resources:\n        limits:\n          memory: lots\n")
        .getMessage()).startsWith("services.w.deploy.resources.limits.memory: \"lots\" is not a size").endsWith("(line 7, column 11)");
    assertThat(error("services:\n  w:\n    image: a\n    deploy:\n      resources:\n        limits:\n          cpus: half\n")
        .getMessage()).startsWith("services.w.deploy.resources.limits.cpus: \"half\" is not a number of CPUs");
  }

  @Test
  void badUpdateConfig() {
    String base = "services:\n  w:\n    image: a\n    deploy:\n      update_config:\n        %s\n";
    assertThat(error(base.formatted("failure_action: explode")).getMessage())
        .isEqualTo("services.w.deploy.update_config.failure_action: must be continue, pause or rollback, not \"explode\""
            + " (line 6, column 9)");
    assertThat(error(base.formatted("order: random")).getMessage())
        .startsWith("services.w.deploy.update_config.order: must be stop-first or start-first");
    assertThat(error(base.formatted("max_failure_ratio: 2")).getMessage())
        .startsWith("services.w.deploy.update_config.max_failure_ratio: must be between 0 and 1");
    assertThat(error(base.formatted("parallelism: -1")).getMessage())
        .startsWith("services.w.deploy.update_config.parallelism: must be a non-negative integer");
    assertThat(error("services:\n  w:\n    image: a\n    deploy:\n      rollback_config:\n        failure_action: rollback\n")
        .getMessage()).startsWith("services.w.deploy.rollback_config.failure_action: must be continue or pause");
  }

  @Test
  void badPorts() {
    String base = "services:\n  w:\n    image: a\n    ports:\n      - %s\n";
    assertThat(error(base.formatted("\"1:2:3:4\"")).getMessage()).startsWith("services.w.ports[0]: \"1:2:3:4\" is not a port");
    assertThat(error(base.formatted("\"99999:80\"")).getMessage()).startsWith("services.w.ports[0]: port 99999 is out of range");
    assertThat(error(base.formatted("\"8080:80/icmp\"")).getMessage())
        .startsWith("services.w.ports[0]: protocol must be tcp, udp or sctp, not \"icmp\"");
    assertThat(error(base.formatted("\"8000-8002:80-81\"")).getMessage()).contains("ranges differ in size");
    assertThat(error(base.formatted("{published: 80}")).getMessage()).startsWith("services.w.ports[0]: target is required");
    assertThat(error(base.formatted("{target: 80, mode: bridge}")).getMessage())
        .startsWith("services.w.ports[0].mode: must be ingress or host");
    assertThat(error("services:\n  w:\n    image: a\n    ports: [\"80:80\", \"80:8080\"]\n").getMessage())
        .startsWith("services.w.ports: published port 80/tcp appears twice");
  }

  @Test
  void dnsrrCannotPublishThroughTheRoutingMesh() {
    StackFileException e = error("""
        services:
          db:
            image: postgres
            ports: ["5432:5432"]
            deploy:
              endpoint_mode: dnsrr
        """);
    assertThat(e.getMessage()).startsWith("services.db.ports[0]: endpoint_mode dnsrr cannot publish ports through the"
        + " ingress routing mesh");
  }

  @Test
  void badHealthchecks() {
    assertThat(error("services:\n  w:\n    image: a\n    healthcheck:\n      test: [curl, -f, http://x]\n").getMessage())
        .startsWith("services.w.healthcheck.test: a test list starts with CMD, CMD-SHELL or NONE");
    assertThat(error("services:\n  w:\n    image: a\n    healthcheck:\n      test: [CMD]\n").getMessage())
        .startsWith("services.w.healthcheck.test: CMD needs a command after it");
    assertThat(error("services:\n  w:\n    image: a\n    healthcheck:\n      test: [CMD, x]\n      disable: true\n")
        .getMessage()).startsWith("services.w.healthcheck.disable: test and disable: true cannot be set together");
  }

  @Test
  void refusedKeysOfDockerStackDeploy() {
    assertThat(error("services:\n  w:\n    image: a\n    mem_limit: 512m\n").getMessage())
        .isEqualTo("services.w.mem_limit: not supported by docker stack deploy: use deploy.resources.limits.memory"
            + " (line 4, column 5)");
    assertThat(error("services:\n  w:\n    image: a\n    extends: base\n").getMessage())
        .startsWith("services.w.extends: not supported by docker stack deploy");
  }

  @Test
  void oldComposeVersions() {
    assertThat(error("version: \"2.4\"\nservices:\n  w:\n    image: a\n").getMessage())
        .startsWith("version: version \"2.4\" is not supported: docker stack deploy reads version 3 files");
  }

  @Test
  void badCommandQuoting() {
    assertThat(error("services:\n  w:\n    image: a\n    command: sh -c 'echo hi\n").getMessage())
        .startsWith("services.w.command: unterminated single quote");
    assertThat(error("services:\n  w:\n    image: a\n    command: {run: x}\n").getMessage())
        .startsWith("services.w.command: must be a string or a list of strings, not a mapping");
  }

  @Test
  void relativeBindPathsCannotBeResolved() {
    assertThat(error("services:\n  w:\n    image: a\n    volumes: [\"./html:/usr/share/nginx/html:ro\"]\n").getMessage())
        .startsWith("services.w.volumes[0]: relative host path \"./html\" cannot be resolved");
  }

  @Test
  void wrongShapes() {
    assertThat(error("services:\n  w:\n    image: a\n    environment: A=1\n").getMessage())
        .startsWith("services.w.environment: must be a mapping or a list of \"KEY=value\", not a string");
    assertThat(error("services:\n  w:\n    image: a\n    environment:\n      A: [1, 2]\n").getMessage())
        .startsWith("services.w.environment.A: must be a string, a number or a boolean, not a list");
    assertThat(error("services:\n  w:\n    image: a\n    deploy: [x]\n").getMessage())
        .startsWith("services.w.deploy: must be a mapping, not a list");
    assertThat(error("services:\n  w:\n    image: a\n    read_only: maybe\n").getMessage())
        .startsWith("services.w.read_only: must be true or false, not a string");
    assertThat(error("services:\n  w:\n    image: a\n    deploy:\n      placement:\n        constraints: [\"manager\"]\n")
        .getMessage()).startsWith("services.w.deploy.placement.constraints[0]: \"manager\" is not a constraint");
  }

  @Test
  void problemsInSeveralServicesAreAllReported() {
    StackFileException e = error("""
        services:
          web:
            image: nginx
            deploy:
              replicas: many
          worker:
            command: run
          db:
            image: postgres
            networks: [nowhere]
        """);
    assertThat(e.problems()).extracting(Problem::key)
        .containsExactly("services.web.deploy.replicas", "services.worker.image", "services.db.networks[0]");
    assertThat(e.problems()).extracting(Problem::line).containsExactly(5, 6, 10);
    assertThat(e.toJson().getJsonArray("problems")).hasSize(3);
    assertThat(e.toJson().getJsonArray("problems").getJsonObject(0).encode())
        .isEqualTo("{\"key\":\"services.web.deploy.replicas\",\"message\":\"must be a non-negative integer, not a string\","
            + "\"line\":5,\"column\":7}");
  }
  @Test
  void aliasExpansionIsBounded() {
    String ten = "[%s]";
    StringBuilder yaml = new StringBuilder("x-a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    String previous = "a";
    for (String level : new String[] {"b", "c", "d", "e"}) {
      yaml.append("x-").append(level).append(": &").append(level).append(' ')
          .append(ten.formatted(String.join(", ", java.util.Collections.nCopies(10, "*" + previous)))).append('\n');
      previous = level;
    }
    yaml.append("services:\n  w:\n    image: a\n");
    assertThat(error(yaml.toString()).getMessage()).contains("nests or expands too deeply");
  }
}
