package io.fluxer.control.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class SwarmEventTest {

  @Test
  void serviceNodeAndTaskEvents() {
    JsonObject service = SwarmEvent.fromEngine(new JsonObject("{\"Type\":\"service\",\"Action\":\"create\","
        + "\"Actor\":{\"ID\":\"83mc\",\"Attributes\":{\"name\":\"exp_logs\"}},\"scope\":\"swarm\","
        + "\"time\":1795433317,\"timeNano\":1795433317268678431}"));
    assertThat(service).isEqualTo(new JsonObject().put("type", "service").put("action", "create").put("id", "83mc")
        .put("name", "exp_logs").put("service", "exp_logs").put("attributes", new JsonObject().put("name", "exp_logs"))
        .put("time", 1795433317268L));

    JsonObject node = SwarmEvent.fromEngine(new JsonObject("{\"Type\":\"node\",\"Action\":\"update\","
        + "\"Actor\":{\"ID\":\"vwos\",\"Attributes\":{\"name\":\"vm\",\"state.new\":\"ready\"}},\"time\":1795433311}"));
    assertThat(node.getString("type")).isEqualTo("node");
    assertThat(node.getString("node")).isEqualTo("vwos");
    assertThat(node.getString("name")).isEqualTo("vm");
    assertThat(node.getJsonObject("attributes").getString("state.new")).isEqualTo("ready");
    assertThat(node.getLong("time")).isEqualTo(1795433311000L);

    JsonObject task = SwarmEvent.fromEngine(new JsonObject("{\"status\":\"start\",\"id\":\"86c4\",\"Type\":\"container\","
        + "\"Action\":\"start\",\"Actor\":{\"ID\":\"86c4\",\"Attributes\":{\"com.docker.swarm.node.id\":\"vwos\","
        + "\"com.docker.swarm.service.id\":\"83mc\",\"com.docker.swarm.service.name\":\"exp_logs\","
        + "\"com.docker.swarm.task.id\":\"90at\",\"com.docker.swarm.task.name\":\"exp_logs.1.90at\",\"name\":\"exp_logs.1.90at\"}},"
        + "\"scope\":\"local\",\"time\":1795433317,\"timeNano\":1795433317449071012}"));
    assertThat(task.getString("type")).isEqualTo("task");
    assertThat(task.getString("action")).isEqualTo("start");
    assertThat(task.getString("id")).isEqualTo("90at");
    assertThat(task.getString("name")).isEqualTo("exp_logs.1.90at");
    assertThat(task.getString("service")).isEqualTo("exp_logs");
    assertThat(task.getString("node")).isEqualTo("vwos");
    assertThat(task.getString("container")).isEqualTo("86c4");
    assertThat(task.getLong("time")).isEqualTo(1795433317449L);
  }

  @Test
  void containersThatAreNotTasksAndOtherTypesAreLeftOut() {
    assertThat(SwarmEvent.fromEngine(new JsonObject("{\"Type\":\"container\",\"Action\":\"start\","
        + "\"Actor\":{\"ID\":\"c\",\"Attributes\":{\"name\":\"plain\"}},\"timeNano\":1}"))).isNull();
    assertThat(SwarmEvent.fromEngine(new JsonObject("{\"Type\":\"network\",\"Action\":\"create\","
        + "\"Actor\":{\"ID\":\"n\"},\"timeNano\":1}"))).isNull();
  }

  @Test
  void aResumedStreamSkipsWhatWasDeliveredAndKeepsWhatWasNot() {
    long t0 = 1_795_433_317_000_000_000L;
    EventCursor cursor = new EventCursor(t0);
    assertThat(cursor.first(event("a", t0 + 5))).isTrue();
    assertThat(cursor.first(event("b", t0 + 1_000_000_000L))).isTrue();
    assertThat(cursor.sinceNanos()).isEqualTo(t0 + 1_000_000_000L - EventCursor.SLACK_NANOS);
    // the replay from since: a and b again (skipped), c which the broken stream had not brought yet
    assertThat(cursor.first(event("a", t0 + 5))).isFalse();
    assertThat(cursor.first(event("c", t0 + 500))).isTrue();
    assertThat(cursor.first(event("b", t0 + 1_000_000_000L))).isFalse();
    // the same actor and action at another time is another event
    assertThat(cursor.first(event("a", t0 + 6))).isTrue();
    // much later: the old keys are forgotten, a late live event is still new
    assertThat(cursor.first(event("d", t0 + 10_000_000_000L))).isTrue();
    assertThat(cursor.first(event("e", t0 + 7))).isTrue();
  }

  private static JsonObject event(String id, long nanos) {
    return new JsonObject().put("Type", "service").put("Action", "update")
        .put("Actor", new JsonObject().put("ID", id)).put("timeNano", nanos);
  }
}
