package io.fluxer.control.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The records and the error type of the Docker client, on engine answers recorded from 20.10; no engine needed. */
class SwarmModelTest {

  private static final String TASK = """
      {"ID":"t1","Version":{"Index":40},"ServiceID":"s1","Slot":2,"NodeID":"n1","DesiredState":"shutdown",
       "Spec":{"ContainerSpec":{"Image":"fluxer-test/busybox:1","Env":["A=1"],"Isolation":"default"},"ForceUpdate":0},
       "Status":{"State":"failed","Message":"started","Err":"task: non-zero exit (3)",
                 "ContainerStatus":{"ContainerID":"c1","PID":0,"ExitCode":3}}}""";

  @Test
  void readsTheRealTaskStateNotTheDesiredOne() {
    TaskInfo task = TaskInfo.fromJson(new JsonObject(TASK));
    assertThat(task.state()).isEqualTo("failed");
    assertThat(task.desiredState()).isEqualTo("shutdown");
    assertThat(task.isRunning()).isFalse();
    assertThat(task.slot()).isEqualTo(2);
    assertThat(task.nodeId()).isEqualTo("n1");
    assertThat(task.exitCode()).isEqualTo(3);
    assertThat(task.error()).isEqualTo("task: non-zero exit (3)");
    assertThat(task.containerId()).isEqualTo("c1");
    assertThat(task.version()).isEqualTo(40);
  }

  @Test
  void aTaskWithoutContainerHasNoExitCode() {
    TaskInfo task = TaskInfo.fromJson(new JsonObject(
        "{\"ID\":\"t2\",\"Status\":{\"State\":\"pending\"},\"DesiredState\":\"running\"}"));
    assertThat(task.exitCode()).isNull();
    assertThat(task.containerId()).isNull();
    assertThat(task.error()).isNull();
  }

  @Test
  void aTaskRunsTheTemplateItWasCopiedFromWhateverTheServiceViewAdds() {
    TaskInfo task = TaskInfo.fromJson(new JsonObject(TASK));
    JsonObject template = task.spec().copy().put("Runtime", "container");
    assertThat(task.runs(template)).isTrue();
    template.getJsonObject("ContainerSpec").put("Image", "fluxer-test/busybox:2");
    assertThat(task.runs(template)).isFalse();
  }

  @Test
  void inspectedServicePicksVersionReplicasAndUpdateState() {
    InspectedService service = InspectedService.fromJson(new JsonObject("""
        {"ID":"s1","Version":{"Index":46},
         "Spec":{"Name":"web","Mode":{"Replicated":{"Replicas":3}}},
         "PreviousSpec":{"Name":"web","Mode":{"Replicated":{"Replicas":1}}},
         "UpdateStatus":{"State":"rollback_started","Message":"manually requested rollback"}}"""));
    assertThat(service.name()).isEqualTo("web");
    assertThat(service.version()).isEqualTo(46);
    assertThat(service.replicas()).isEqualTo(3L);
    assertThat(service.previousSpec().getJsonObject("Mode").getJsonObject("Replicated").getLong("Replicas")).isEqualTo(1L);
    assertThat(service.updateState()).isEqualTo("rollback_started");

    InspectedService global = InspectedService.fromJson(new JsonObject(
        "{\"ID\":\"s2\",\"Version\":{\"Index\":7},\"Spec\":{\"Name\":\"agent\",\"Mode\":{\"Global\":{}}}}"));
    assertThat(global.replicas()).isNull();
    assertThat(global.previousSpec()).isNull();
    assertThat(global.updateState()).isNull();
  }

  @Test
  void engineErrorsTellOutOfSequenceAndNotFound() {
    DockerEngineException stale = new DockerEngineException(500,
        "rpc error: code = Unknown desc = update out of sequence", "POST", "/services/s1/update?version=3");
    assertThat(stale.isOutOfSequence()).isTrue();
    assertThat(stale.isNotFound()).isFalse();
    assertThat(stale.getMessage()).contains("POST /services/s1/update?version=3", "500", "out of sequence");

    assertThat(new DockerEngineException(404, "service x not found", "GET", "/services/x").isNotFound()).isTrue();
    assertThat(new DockerEngineException(500, "network n1 not found", "DELETE", "/networks/n1").isNotFound()).isTrue();
    assertThat(new DockerEngineException(400, "only updates to Labels are allowed", "POST", "/secrets/x/update")
        .isOutOfSequence()).isFalse();

    DockerEngineException down = new DockerEngineException("GET", "/info", new java.io.IOException("connection refused"));
    assertThat(down.status()).isZero();
    assertThat(down.engineMessage()).isEqualTo("connection refused");
  }

  @Test
  void optionsAreValidated() {
    SwarmClientOptions defaults = SwarmClientOptions.defaults();
    assertThat(defaults.dockerHost()).isEqualTo("unix:///var/run/docker.sock");
    assertThat(defaults.withDockerHost("tcp://127.0.0.1:2375").dockerHost()).isEqualTo("tcp://127.0.0.1:2375");
    assertThatThrownBy(() -> defaults.withDockerHost("/var/run/docker.sock"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dockerHost");
    assertThatThrownBy(() -> defaults.withUpdateAttempts(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("updateAttempts");
    assertThatThrownBy(() -> new SwarmClientOptions("unix:///x", 0, Duration.ofSeconds(1), Duration.ofSeconds(1), 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("workerPoolSize");
    assertThatThrownBy(() -> new SwarmClientOptions("unix:///x", 1, Duration.ZERO, Duration.ofSeconds(1), 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("connectTimeout");
  }
}
