package io.fluxer.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ServerAllocationTest {
  /** An excerpt of the relay's /metrics with G1 (Prometheus text format 0.0.4). */
  private static final String G1 = String.join("\n",
      "# HELP jvm_gc_memory_allocated_bytes_total Incremented for an increase in the size of the (young) heap memory pool after one GC to before the next",
      "# TYPE jvm_gc_memory_allocated_bytes_total counter",
      "jvm_gc_memory_allocated_bytes_total 1.048576E9",
      "# HELP jvm_memory_used_bytes The amount of used memory",
      "# TYPE jvm_memory_used_bytes gauge",
      "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Eden Space\"} 2.5165824E7",
      "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Old Gen\"} 3.0E7",
      "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Survivor Space\"} 4194304.0",
      "jvm_memory_used_bytes{area=\"nonheap\",id=\"Metaspace\"} 5.0E7",
      "jvm_memory_used_after_gc_bytes{area=\"heap\",id=\"G1 Eden Space\"} 0.0",
      "");

  @Test
  void allocatedIsTheGcCounterPlusTheEdenOccupancy() {
    assertThat(ServerAllocation.allocatedBytes(G1)).isEqualTo(1_048_576_000L + 25_165_824L);
  }

  @Test
  void readsLabelsWithATrailingCommaATimestampAndTheZgcYoungGeneration() {
    String zgc = String.join("\n",
        "jvm_gc_memory_allocated_bytes_total{node=\"a\",} 1000.0 1733526000000",
        "jvm_memory_used_bytes{area=\"heap\",id=\"ZGC Old Generation\",} 500.0",
        "jvm_memory_used_bytes{area=\"heap\",id=\"ZGC Young Generation\",} 234.0 1733526000000");
    assertThat(ServerAllocation.allocatedBytes(zgc)).isEqualTo(1234L);
  }

  @Test
  void theThreadCountersWinWhenTheRelayExportsThem() {
    String shenandoah = String.join("\n",
        "jvm_gc_memory_allocated_bytes_total{node=\"a\",} 0.0",
        "jvm_memory_used_bytes{area=\"heap\",id=\"Shenandoah\",} 5.0E7",
        "fluxer_jvm_allocated_bytes_total{node=\"a\",} 7.5E9 1733526000000",
        "fluxer_jvm_allocated_bytes_total{node=\"b\",} 7.5E9");
    assertThat(ServerAllocation.allocatedBytes(shenandoah)).isEqualTo(7_500_000_000L);
    assertThat(ServerAllocation.allocatedBytes(G1 + "fluxer_jvm_allocated_bytes_total 42.0\n")).isEqualTo(42L);
  }

  @Test
  void missingMetersGiveNull() {
    assertThat(ServerAllocation.allocatedBytes("")).isNull();
    assertThat(ServerAllocation.allocatedBytes("jvm_gc_memory_allocated_bytes_total 1.0\n")).isNull();
    assertThat(ServerAllocation.allocatedBytes(
        "jvm_memory_used_bytes{area=\"heap\",id=\"Eden Space\"} 1.0\n")).isNull();
  }

  @Test
  void allocationBetweenTwoReadingsPerDelivery() {
    // A GC in between: the counter grew by the Eden it emptied (30,000,000 B, of which 25,165,824
    // were there at the first reading), then 2,000,000 B went into the emptied Eden.
    String later = G1.replace("1.048576E9", String.valueOf(1_048_576_000L + 30_000_000L))
        .replace("2.5165824E7", "2000000.0");
    Long allocated = ServerAllocation.between(ServerAllocation.allocatedBytes(G1),
        ServerAllocation.allocatedBytes(later));
    assertThat(allocated).isEqualTo(30_000_000L + 2_000_000L - 25_165_824L);
    assertThat(ServerAllocation.perDelivery(7_000_000L, 7_000)).isEqualTo(1000.0);
    assertThat(ServerAllocation.perDelivery(7_000_000L, 0)).isNull();
    assertThat(ServerAllocation.perDelivery(null, 7_000)).isNull();
    assertThat(ServerAllocation.between(null, 1L)).isNull();
  }

  @Test
  void readsTheMetricsOfTheWebSocketUrlsHostAndPortAndGivesNullWithoutThem() throws Exception {
    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/metrics", exchange -> {
      byte[] body = G1.getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    server.start();
    try {
      int port = server.getAddress().getPort();
      ServerAllocation probe = new ServerAllocation(URI.create("ws://127.0.0.1:" + port + "/connection/websocket"));
      assertThat(probe.uri()).hasToString("http://127.0.0.1:" + port + "/metrics");
      assertThat(probe.allocatedBytes()).isEqualTo(1_048_576_000L + 25_165_824L);
    } finally {
      server.stop(0);
    }
    // Nothing listens there any more.
    int port = server.getAddress().getPort();
    assertThat(new ServerAllocation(URI.create("ws://127.0.0.1:" + port + "/x")).allocatedBytes()).isNull();
  }
}
