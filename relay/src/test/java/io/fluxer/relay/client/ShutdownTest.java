package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.RelayTestBase;
import io.fluxer.relay.testing.TestRelay;
import io.fluxer.relay.testing.WsTestClient;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Stopping a node tells its clients to reconnect elsewhere. */
class ShutdownTest extends RelayTestBase {

  @Test
  @DisplayName("node.stop() closes every connected client with 3001")
  void stopClosesClientsWithShutdown() {
    String channel = chat("shutdown");
    List<WsTestClient> clients = List.of(connected("alice"), connected("bob"), connected("carol"), open());
    clients.get(0).subscribe(channel);

    TestRelay.await(relay().node().stop());

    for (WsTestClient c : clients) {
      assertThat(c.awaitClose(SHORT).code()).as("close of %s", c).isEqualTo((short) 3001);
    }
  }
}
