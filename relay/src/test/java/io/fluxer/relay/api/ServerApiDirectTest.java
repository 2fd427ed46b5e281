package io.fluxer.relay.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.client.RelayContext;
import io.fluxer.relay.config.Role;
import io.fluxer.relay.engine.Broker;
import io.fluxer.relay.engine.BrokerEventHandler;
import io.fluxer.relay.engine.EngineException;
import io.fluxer.relay.engine.HistoryFilter;
import io.fluxer.relay.engine.PresenceManager;
import io.fluxer.relay.engine.PublishOptions;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.HistoryResult;
import io.fluxer.relay.protocol.PresenceStats;
import io.fluxer.relay.protocol.StreamPosition;
import io.fluxer.relay.node.RelayNode;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@link ServerApi} called without HTTP (as the event bus will): role checks and engine failures. */
class ServerApiDirectTest extends ServerApiTestBase {

  @Test
  @DisplayName("call works without HTTP and checks roles: 103 for a method above the caller's role")
  void callWithoutHttp() {
    ServerApi api = api(relay().node().context());
    String channel = chat("direct");

    JsonObject published = TestRelay.await(api.call("publish", publishParams(channel, 1)));
    assertThat(published.getJsonObject("result").getLong("offset")).isEqualTo(1L);
    JsonObject denied = TestRelay.await(api.call("publish", publishParams(channel, 2), Role.VIEWER));
    assertThat(denied.getJsonObject("error").getInteger("code")).isEqualTo(103);
    JsonObject none = TestRelay.await(api.call("info", new JsonObject(), null));
    assertThat(none.getJsonObject("error").getInteger("code")).isEqualTo(103);
    JsonObject read = TestRelay.await(api.call("history", new JsonObject().put("channel", channel), Role.VIEWER));
    assertThat(read.getJsonObject("result").getLong("offset")).isEqualTo(1L);
    assertThat(TestRelay.await(api.call("info", null)).getJsonObject("result").getJsonArray("nodes")).hasSize(1);
  }

  @Test
  @DisplayName("an engine failure answers 100 internal, temporary")
  void engineFailure() {
    RelayContext real = relay().node().context();
    RelayContext broken = new RelayContext(real.nodeName(), real.version(), real.client(), real.namespaces(),
        real.tokens(), new FailingBroker(), new FailingPresence(), real.presenceRefresh());
    ServerApi api = api(broken);
    String channel = chat("broken");

    for (String method : new String[] {"publish", "history", "history_remove", "presence", "presence_stats"}) {
      JsonObject reply = TestRelay.await(api.call(method, publishParams(channel, 1)));
      JsonObject error = reply.getJsonObject("error");
      assertThat(error).as(method).isNotNull();
      assertThat(error.getInteger("code")).as(method).isEqualTo(100);
      assertThat(error.getBoolean("temporary")).as(method).isTrue();
    }
    JsonObject broadcast = TestRelay.await(api.call("broadcast",
        new JsonObject().put("channels", array(channel)).put("data", 1)));
    assertThat(broadcast.getJsonObject("result").getJsonArray("responses").getJsonObject(0)
        .getJsonObject("error").getInteger("code")).isEqualTo(100);
  }

  /** The API of the test node, on the engines and namespaces of {@code relay}; a node of its own. */
  private ServerApi api(RelayContext relay) {
    RelayNode node = relay().node();
    return new ServerApi(relay, node.loops(), node::info, relay().vertx().eventBus(), List::of, 100);
  }

  /** A broker whose every operation fails (or throws). */
  private static final class FailingBroker implements Broker {
    @Override
    public void setEventHandler(BrokerEventHandler handler) {
    }

    @Override
    public Future<StreamPosition> publish(String channel, String data, PublishOptions options) {
      return Future.failedFuture(new EngineException("down", true));
    }

    @Override
    public Future<Void> publishJoin(String channel, ClientInfo info) {
      return Future.failedFuture(new EngineException("down", true));
    }

    @Override
    public Future<Void> publishLeave(String channel, ClientInfo info) {
      return Future.failedFuture(new EngineException("down", true));
    }

    @Override
    public Future<Void> subscribe(String channel) {
      return Future.failedFuture(new EngineException("down", true));
    }

    @Override
    public void unsubscribe(String channel) {
    }

    @Override
    public Future<HistoryResult> history(String channel, HistoryFilter filter) {
      throw new IllegalStateException("thrown, not failed");
    }

    @Override
    public Future<Void> removeHistory(String channel) {
      return Future.failedFuture(new EngineException("down", true));
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  }

  /** A presence manager whose every operation fails. */
  private static final class FailingPresence implements PresenceManager {
    @Override
    public Future<Map<String, ClientInfo>> presence(String channel) {
      return Future.failedFuture(new EngineException("down", true));
    }

    @Override
    public Future<PresenceStats> presenceStats(String channel) {
      return Future.failedFuture(new EngineException("down", true));
    }

    @Override
    public Future<Void> addPresence(String channel, String clientId, ClientInfo info) {
      return Future.failedFuture(new EngineException("down", true));
    }

    @Override
    public Future<Void> removePresence(String channel, String clientId, String userId) {
      return Future.failedFuture(new EngineException("down", true));
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  }
}
