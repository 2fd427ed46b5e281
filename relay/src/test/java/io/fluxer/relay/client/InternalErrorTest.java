package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.engine.Broker;
import io.fluxer.relay.engine.BrokerEventHandler;
import io.fluxer.relay.engine.HistoryFilter;
import io.fluxer.relay.protocol.HistoryResult;
import io.fluxer.relay.testing.FakeTransport;
import io.fluxer.relay.testing.ForwardingBroker;
import io.fluxer.relay.testing.LogCapture;
import io.fluxer.relay.testing.RelayTestBase;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A bug inside a command's handling (here: a broker that throws instead of failing its future)
 * answers the command with error 100 and a fixed text, never the exception's message, and logs
 * one WARNING however often it happens.
 */
class InternalErrorTest extends RelayTestBase {
  private static final String SECRET = "redis://fluxer:hunter2@10.0.0.7:6379 exploded";

  @Test
  @DisplayName("A command that throws inside the relay answers 100 'internal server error' and logs once")
  void thrownExceptionIsAFixedError() {
    RelayContext real = relay().node().context();
    RelayContext broken = new RelayContext(real.nodeName(), real.version(), real.client(), real.namespaces(),
        real.tokens(), new ThrowingBroker(real.broker()), real.presence(), real.presenceRefresh());
    FakeTransport transport = new FakeTransport();
    Context context = vertx.getOrCreateContext();
    ClientSession[] session = new ClientSession[1];
    String channel = chat("broken");

    try (LogCapture log = new LogCapture()) {
      context.runOnContext(v -> {
        session[0] = new ClientSession(broken, vertx, context, new Hub(), transport);
        session[0].handleMessage(new JsonObject().put("id", 1)
            .put("connect", new JsonObject().put("token", relay().token("alice"))).encode());
      });
      assertThat(transport.next().containsKey("connect")).isTrue();

      for (int id = 2; id < 22; id++) {
        int n = id;
        context.runOnContext(v -> session[0].handleMessage(new JsonObject().put("id", n)
            .put("history", new JsonObject().put("channel", channel)).encode()));
        JsonObject reply = transport.next();
        assertThat(reply.getInteger("id")).isEqualTo(n);
        JsonObject error = reply.getJsonObject("error");
        assertThat(error.getInteger("code")).isEqualTo(100);
        assertThat(error.getString("message")).isEqualTo("internal server error");
        assertThat(reply.encode()).doesNotContain("hunter2").doesNotContain("exploded");
      }
      // at most one WARNING per 10 s, with the cause: 20 failures do not flood the log
      assertThat(log.lines()).hasSizeLessThanOrEqualTo(1)
          .allSatisfy(line -> assertThat(line).startsWith("WARNING").contains(SECRET));
    }
    context.runOnContext(v -> session[0].handleMessage(new JsonObject().put("id", 30)
        .put("presence_stats", new JsonObject().put("channel", channel)).encode()));
    assertThat(transport.next().getInteger("id")).as("the connection goes on").isEqualTo(30);
  }

  /** The real broker, but {@code history} throws (a bug) instead of failing its future. */
  private static final class ThrowingBroker extends ForwardingBroker {
    ThrowingBroker(Broker real) {
      super(real);
    }

    @Override
    public void setEventHandler(BrokerEventHandler handler) {
    }

    @Override
    public Future<HistoryResult> history(String channel, HistoryFilter filter) {
      throw new IllegalStateException(SECRET);
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  }
}
