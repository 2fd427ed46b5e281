package io.fluxer.control.deploy;

import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A WebSocket client of a real relay subscribed to {@code deploy:<stack>} and {@code deploy:all}, and
 * what the tests read from it: a deployment's events in arrival order, its states, waiting for one.
 */
final class DeploymentWatch implements AutoCloseable {
  private static final Set<String> FINISHED = Set.of("succeeded", "failed", "rolled_back");

  private final WsTestClient ws;
  private final String stack;
  private final Duration within;

  private DeploymentWatch(WsTestClient ws, String stack, Duration within) {
    this.ws = ws;
    this.stack = stack;
    this.within = within;
  }

  /** Connects (as user "watcher") and subscribes to the stack's channel and {@code deploy:all}. */
  static DeploymentWatch open(Vertx vertx, TestRelay relay, String stack, Duration within) {
    WsTestClient ws = WsTestClient.open(vertx, relay.wsUrl());
    ws.connectWith(relay.token("watcher"));
    ws.subscribe(DeployEvents.channel(stack));
    ws.subscribe(DeployEvents.ALL);
    return new DeploymentWatch(ws, stack, within);
  }

  WsTestClient ws() {
    return ws;
  }

  /** The deployment's events on {@code deploy:<stack>}, in arrival order. */
  List<JsonObject> events(String deployment) {
    return ws.publications(DeployEvents.channel(stack)).stream().map(p -> p.getJsonObject("data"))
        .filter(d -> deployment.equals(d.getString("deployment"))).toList();
  }

  List<String> states(String deployment) {
    return events(deployment).stream().filter(e -> "state".equals(e.getString("type")))
        .map(e -> e.getString("state")).toList();
  }

  List<JsonObject> taskEvents(String deployment) {
    return events(deployment).stream().filter(e -> "task".equals(e.getString("type"))).toList();
  }

  JsonObject stateEvent(String deployment, String state) {
    return events(deployment).stream().filter(e -> "state".equals(e.getString("type")) && state.equals(e.getString("state")))
        .findFirst().orElseThrow(() -> new AssertionError("no " + state + " event of " + deployment + " in "
            + events(deployment)));
  }

  /** Waits for the deployment's first finished state on {@code deploy:<stack>}, and answers it. */
  String awaitFinished(String deployment) {
    return awaitState(deployment, FINISHED::contains);
  }

  String awaitState(String deployment, Predicate<String> state) {
    return awaitState(DeployEvents.channel(stack), deployment, state).getString("state");
  }

  /** Waits for a state event of the deployment on {@code channel}; answers its data. */
  JsonObject awaitState(String channel, String deployment, Predicate<String> state) {
    JsonObject found = ws.awaitMessage(m -> {
      JsonObject push = m.getJsonObject("push");
      JsonObject pub = push == null ? null : push.getJsonObject("pub");
      JsonObject data = pub == null ? null : pub.getJsonObject("data");
      return data != null && channel.equals(push.getString("channel"))
          && deployment.equals(data.getString("deployment")) && "state".equals(data.getString("type"))
          && state.test(data.getString("state"));
    }, within);
    return found.getJsonObject("push").getJsonObject("pub").getJsonObject("data");
  }

  @Override
  public void close() {
    ws.close();
  }
}
