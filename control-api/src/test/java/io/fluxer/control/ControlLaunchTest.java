package io.fluxer.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxer.common.cluster.ControlSeal;
import io.fluxer.common.config.ClusterOptions;
import io.fluxer.common.config.ConfigException;
import io.fluxer.common.config.PostgresOptions;
import io.fluxer.relay.testing.PgTestServer;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the control plane needs before it starts, and the clear refusals when it is missing. */
class ControlLaunchTest {
  private static final String KEY = "Zmx1eGVyLWRldi1rZXktbm90LWZvci1wcm9kdWN0biE=";
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    TestRelay.await(vertx.close());
  }

  @Test
  void optionsHaveDefaultsAndNeverPrintTheKey() {
    ControlOptions o = ControlOptions.fromJson(new JsonObject().put("secret_key", KEY));
    assertThat(o.dockerHost()).isEqualTo("unix:///var/run/docker.sock");
    assertThat(o.deployDeadline()).isEqualTo(Duration.ofSeconds(120));
    assertThat(o.swarmClient().workerPoolSize()).isEqualTo(4);
    assertThat(o.toString()).doesNotContain(KEY);
    ControlOptions set = ControlOptions.fromJson(new JsonObject().put("secret_key", KEY)
        .put("docker_host", "tcp://manager:2375").put("deploy_deadline", "5m").put("docker_pool_size", 8));
    assertThat(set.swarmClient().dockerHost()).isEqualTo("tcp://manager:2375");
    assertThat(set.deployer().deadline()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void aMissingOrBadKeyOrAnUnknownSettingIsRefusedByName() {
    assertThatThrownBy(() -> ControlOptions.fromJson(new JsonObject())).isInstanceOf(ConfigException.class)
        .hasMessageContaining("control.secret_key").hasMessageContaining("base64");
    assertThatThrownBy(() -> ControlOptions.fromJson(new JsonObject().put("secret_key", "c2hvcnQ=")))
        .hasMessageContaining("control.secret_key").hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> ControlOptions.fromJson(new JsonObject().put("secret_key", "not base64!")))
        .hasMessageContaining("not base64");
    assertThatThrownBy(() -> ControlOptions.fromJson(new JsonObject().put("secret_key", KEY)
        .put("docker_host", "/var/run/docker.sock"))).hasMessageContaining("control.docker_host");
    assertThatThrownBy(() -> ControlOptions.fromJson(new JsonObject().put("secret_key", KEY).put("dockerhost", "x")))
        .hasMessageContaining("control.dockerhost").hasMessageContaining("unknown key");
  }

  @Test
  void withoutPostgresOrAloneOutsideTheClusterItSaysWhy() {
    ClusterOptions alone = ClusterOptions.disabled();
    assertThat(ControlMain.startProblem(PostgresOptions.none(), alone, true)).contains("needs PostgreSQL")
        .contains("postgres.url");
    PostgresOptions pg = PostgresOptions.fromJson(new JsonObject().put("url", "postgresql://u@127.0.0.1:5432/db"));
    assertThat(ControlMain.startProblem(pg, alone, false)).contains("--cluster").contains("--relay");
    assertThat(ControlMain.startProblem(pg, alone, true)).isNull();

    ControlOptions options = ControlOptions.fromJson(new JsonObject().put("secret_key", KEY));
    assertThatThrownBy(() -> TestRelay.await(ControlService.start(vertx, PostgresOptions.none(), options,
        ControlSeal.of(vertx, ClusterOptions.disabled()))))
        .hasMessageContaining("needs PostgreSQL");
  }

  @Test
  void anEngineThatDoesNotAnswerIsNamed() {
    String url = PgTestServer.freshDatabase(vertx);
    try {
      ControlOptions options = ControlOptions.fromJson(new JsonObject().put("secret_key", KEY)
          .put("docker_host", "unix:///nonexistent/docker.sock"));
      PostgresOptions postgres = new PostgresOptions(url, 2, Duration.ZERO);
      assertThatThrownBy(() -> TestRelay.await(ControlService.start(vertx, postgres, options,
          ControlSeal.of(vertx, ClusterOptions.disabled()))))
          .hasMessageContaining("unix:///nonexistent/docker.sock").hasMessageContaining("does not answer");
    } finally {
      PgTestServer.dropDatabase(vertx, url);
    }
  }
}
