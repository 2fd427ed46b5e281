package io.fluxer.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.common.config.Subnet;
import io.vertx.core.MultiMap;
import io.vertx.core.net.SocketAddress;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The client's address: the peer, or X-Forwarded-For's right-most untrusted entry behind trusted proxies. */
class ClientAddressTest {
  private static final List<Subnet> PROXIES = List.of(Subnet.parse("10.0.0.0/8"), Subnet.parse("fd00::/8"));

  private static String of(String peer, List<Subnet> trusted, String... forwardedFor) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (String f : forwardedFor) {
      headers.add("X-Forwarded-For", f);
    }
    return ClientAddress.of(SocketAddress.inetSocketAddress(40000, peer), headers, trusted);
  }

  @Test
  @DisplayName("Without trusted proxies, or from a peer outside them, X-Forwarded-For is ignored")
  void ignoredUnlessTrusted() {
    assertThat(of("10.1.2.3", List.of(), "198.51.100.7")).isEqualTo("10.1.2.3");
    assertThat(of("192.0.2.1", PROXIES, "198.51.100.7")).isEqualTo("192.0.2.1");
  }

  @Test
  @DisplayName("Behind trusted proxies the right-most untrusted entry counts; what the client wrote to its left does not")
  void rightMostUntrusted() {
    assertThat(of("10.1.2.3", PROXIES, "198.51.100.7")).isEqualTo("198.51.100.7");
    assertThat(of("10.1.2.3", PROXIES, "1.1.1.1, 198.51.100.7, 10.9.9.9")).isEqualTo("198.51.100.7");
    assertThat(of("10.1.2.3", PROXIES, "1.1.1.1", "198.51.100.7,10.9.9.9")).isEqualTo("198.51.100.7");
    assertThat(of("10.1.2.3", PROXIES, "[2001:db8::1]:443, fd00::5")).isEqualTo("2001:db8:0:0:0:0:0:1");
    assertThat(of("10.1.2.3", PROXIES, "198.51.100.7:5555")).isEqualTo("198.51.100.7");
  }

  @Test
  @DisplayName("Garbage or names where an address belongs stop at the last trusted hop; no header: the peer")
  void garbage() {
    assertThat(of("10.1.2.3", PROXIES, "evil.example.com")).isEqualTo("10.1.2.3");
    assertThat(of("10.1.2.3", PROXIES, "1.1.1.1, not-an-ip, 10.2.2.2")).isEqualTo("10.2.2.2");
    assertThat(of("10.1.2.3", PROXIES, "999.1.1.1")).isEqualTo("10.1.2.3");
    assertThat(of("10.1.2.3", PROXIES, " , ,")).isEqualTo("10.1.2.3");
    assertThat(of("10.1.2.3", PROXIES)).isEqualTo("10.1.2.3");
    assertThat(of("10.1.2.3", PROXIES, "10.4.4.4, 10.5.5.5")).as("all trusted: the left-most").isEqualTo("10.4.4.4");
    assertThat(of("10.1.2.3", PROXIES, ",".repeat(100_000) + "198.51.100.7")).isEqualTo("198.51.100.7");
  }
}
