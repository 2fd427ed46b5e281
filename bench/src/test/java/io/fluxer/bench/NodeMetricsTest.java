package io.fluxer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class NodeMetricsTest {
  private static final String TEXT = String.join("\n",
      "# HELP fluxer_node_publications_received_total publications the broker handed to the node",
      "# TYPE fluxer_node_publications_received_total counter",
      "fluxer_node_publications_received_total{node=\"bench-1\",} 12345.0",
      "fluxer_node_publications_received_total_created 1.7E9",
      "fluxer_publications_total 99.0",
      "");

  @Test
  void readsTheCounterWithOrWithoutLabelsAndIgnoresLongerNames() {
    assertThat(NodeMetrics.counter(TEXT, NodeMetrics.PUBLICATIONS_RECEIVED)).isEqualTo(12345.0);
    assertThat(NodeMetrics.counter("fluxer_node_publications_received_total 7 1733526000000\n",
        NodeMetrics.PUBLICATIONS_RECEIVED)).isEqualTo(7.0);
    assertThat(NodeMetrics.counter("fluxer_publications_total 1\n", NodeMetrics.PUBLICATIONS_RECEIVED)).isNull();
  }

  @Test
  void scrapesTheNodesMetricsOnTheWebSocketUrlsHostAndPort() throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/metrics", exchange -> {
      byte[] body = TEXT.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    try {
      NodeMetrics m = new NodeMetrics(URI.create("ws://127.0.0.1:" + server.getAddress().getPort() + "/connection/websocket"));
      assertThat(m.uri().getPath()).isEqualTo("/metrics");
      assertThat(m.publicationsReceived()).isEqualTo(12345L);
    } finally {
      server.stop(0);
    }
  }

  @Test
  void readsRedisInfoFromABulkReply() throws IOException {
    String info = "# Stats\r\ntotal_commands_processed:4711\r\n# Commandstats\r\n"
        + "cmdstat_evalsha:calls=300,usec=900,usec_per_call=3.00,rejected_calls=0,failed_calls=0\r\n"
        + "cmdstat_ping:calls=7,usec=1\r\ncmdstat_info:calls=2\r\n";
    byte[] bytes = info.getBytes(StandardCharsets.UTF_8);
    String reply = "$" + bytes.length + "\r\n" + info + "\r\n";
    String body = RedisStats.readBulk(new ByteArrayInputStream(reply.getBytes(StandardCharsets.UTF_8)));
    assertThat(body).isEqualTo(info);
    assertThat(RedisStats.field(body, "total_commands_processed")).isEqualTo(4711L);
    assertThat(RedisStats.field(body, "total_commands")).isNull();
    assertThat(RedisStats.calls(body)).containsExactly(java.util.Map.entry("evalsha", 300L),
        java.util.Map.entry("info", 2L), java.util.Map.entry("ping", 7L));
    assertThat(RedisStats.delta(java.util.Map.of("evalsha", 100L, "ping", 7L), RedisStats.calls(body)))
        .containsExactly(java.util.Map.entry("evalsha", 200L), java.util.Map.entry("info", 2L));
  }
}
