package io.fluxer.control.deploy;

import static io.fluxer.control.docker.SwarmTests.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.HttpTestClient.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What the dashboard's stack and deployment pages read: {@code GET /api/v1/stacks/{name}} names each
 * task's node by its hostname, and a deployment whose new task exits non-zero keeps that task's error
 * and exit code in its timeline, on the real local swarm.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class StackInspectTest extends DeployTestBase {

  @Test
  void tasksNameTheirNodeByHostnameAndAFailedTaskKeepsItsExitCode() throws Exception {
    String d1 = deploy(web("while true; do echo tick; sleep 1; done")).json().getString("deployment");
    assertThat(watch.awaitFinished(d1)).isEqualTo("succeeded");

    Map<String, String> hostnames = await(client.nodeHostnames());
    assertThat(hostnames).isNotEmpty();
    JsonObject inspected = http.get("/api/v1/stacks/" + stack, VIEWER).json();
    JsonArray tasks = inspected.getJsonArray("services").getJsonObject(0).getJsonArray("tasks");
    assertThat(tasks).isNotEmpty();
    for (Object o : tasks) {
      JsonObject task = (JsonObject) o;
      assertThat(task.getString("node_id")).isNotBlank();
      assertThat(task.getString("node")).as("the hostname of node %s", task.getString("node_id"))
          .isEqualTo(hostnames.get(task.getString("node_id"))).isNotEqualTo(task.getString("node_id"));
    }

    // a new spec whose task writes to stderr and exits 3: failed, then rolled back (failure_action)
    String d2 = deploy(web("echo boom-on-stderr >&2; exit 3")).json().getString("deployment");
    watch.awaitState(d2, "rolled_back"::equals);
    JsonObject stored = http.get("/api/v1/deployments/" + d2, VIEWER).json();
    List<JsonObject> failedTasks = stored.getJsonArray("timeline").stream().map(JsonObject.class::cast)
        .map(e -> e.getJsonObject("detail"))
        .filter(d -> d != null && "task".equals(d.getString("type")) && "failed".equals(d.getString("state")))
        .toList();
    assertThat(failedTasks).as("%s", stored.encodePrettily()).isNotEmpty().allSatisfy(t -> {
      assertThat(t.getInteger("exit_code")).isEqualTo(3);
      assertThat(t.getString("error")).contains("exit (3)");
      assertThat(t.getString("node")).isEqualTo(hostnames.get(t.getString("node_id")));
    });
  }

  /** One service, {@code web}, running {@code script}; a failed update rolls back. */
  private static String web(String script) {
    return "services:\n"
        + "  web:\n"
        + "    image: fluxer-test/busybox:1\n"
        + "    command: [\"sh\", \"-c\", \"" + script + "\"]\n"
        + "    stop_grace_period: 1s\n"
        + "    stop_signal: SIGKILL\n"
        + "    deploy:\n"
        + "      restart_policy: {condition: any, delay: 500ms}\n"
        + "      update_config: {monitor: 2s, failure_action: rollback}\n"
        + "      rollback_config: {monitor: 1s}\n";
  }

  private Response deploy(String yaml) {
    return http.put("/api/v1/stacks/" + stack, OPS, new JsonObject().put("stackFile", yaml).encode());
  }
}
