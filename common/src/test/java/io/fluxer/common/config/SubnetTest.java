package io.fluxer.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/** CIDR subnets: parsing literals only, host bits cleared, membership for IPv4 and IPv6. */
class SubnetTest {
  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  @Test
  void ipv4() throws Exception {
    Subnet s = Subnet.parse("10.231.0.0/24");

    assertThat(s.toString()).isEqualTo("10.231.0.0/24");
    assertThat(s.contains(ip("10.231.0.7"))).isTrue();
    assertThat(s.contains(ip("10.231.0.255"))).isTrue();
    assertThat(s.contains(ip("10.231.1.7"))).isFalse();
    assertThat(s.contains(ip("10.0.0.7"))).isFalse();
    assertThat(s.contains(ip("::ffff:0a00:0007"))).isFalse();
  }

  @Test
  void prefixesNotOnAByte() throws Exception {
    Subnet s = Subnet.parse("10.231.0.128/25");

    assertThat(s.contains(ip("10.231.0.200"))).isTrue();
    assertThat(s.contains(ip("10.231.0.100"))).isFalse();
    assertThat(Subnet.parse("10.231.4.9/22")).isEqualTo(Subnet.parse("10.231.4.0/22"));
    assertThat(Subnet.parse("0.0.0.0/0").contains(ip("192.0.2.1"))).isTrue();
    assertThat(Subnet.parse("192.0.2.1/32").contains(ip("192.0.2.1"))).isTrue();
    assertThat(Subnet.parse("192.0.2.1/32").contains(ip("192.0.2.2"))).isFalse();
  }

  @Test
  void hostBitsAreCleared() {
    assertThat(Subnet.parse("10.231.0.7/24").toString()).isEqualTo("10.231.0.0/24");
  }

  @Test
  void ipv6() throws Exception {
    Subnet s = Subnet.parse("fd00:f1::/64");

    assertThat(s.contains(ip("fd00:f1::17"))).isTrue();
    assertThat(s.contains(ip("fd00:f2::17"))).isFalse();
    assertThat(s.contains(ip("10.231.0.7"))).isFalse();
  }

  @Test
  void refusesWhatIsNotACidrLiteral() {
    for (String bad : new String[] {"10.231.0.0", "10.231.0.0/", "10.231.0.0/33", "10.231.0.0/x", "10.231.0/24",
        "10.231.0.256/24", "localhost/24", "relay.example/24", "/24", "fd00::g/64", "fd00::/129", "10.231.0.0/-1"}) {
      assertThatThrownBy(() -> Subnet.parse(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
