package io.fluxer.common.config;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * Whether the node joins a cluster, and how its Hazelcast member finds the others.
 *
 * <p>Members come either from a fixed list ({@code members}, for local runs) or from DNS
 * ({@code dns}: a name such as Docker Swarm's {@code tasks.<service>}, resolved again on every
 * discovery round, so tasks that come and go are found). Neither means the {@code join} section of
 * the Hazelcast file decides.
 *
 * @param enabled start Vert.x clustered with the Hazelcast cluster manager
 * @param hazelcastConfig a Hazelcast XML file to start from instead of the {@code cluster.xml} on
 *     the classpath, or {@code null}
 * @param members {@code host[:port]} of members to join over TCP-IP
 * @param dns a DNS name whose A records are the members' addresses
 * @param port the Hazelcast member port
 * @param portCount how many ports from {@code port} up the member may bind, and are probed on
 *     members named without a port
 * @param networkInterface the interface Hazelcast binds to, as an address or a wildcard such as
 *     {@code 10.0.1.*}, or {@code null} for any
 * @param subnet the cluster network's subnet (on Swarm, the cluster overlay's): the node binds and
 *     advertises its own address in it, for Hazelcast and the event bus, and DNS discovery keeps only
 *     members in it; {@code null} leaves the choice to {@code interface} and Hazelcast
 * @param publicAddress {@code host[:port]} other members reach this one on, when it differs from
 *     the bound address (NAT), or {@code null}
 * @param busHost the event bus host; {@code null} takes the Hazelcast member's address
 * @param busPort the event bus port; 0 picks a free one
 * @param busPublicHost the event bus host other nodes connect to, when it differs, or {@code null}
 * @param nodeTimeout how long a node may stay silent before the cluster views drop it
 * @param tls the event bus's mutual TLS ({@code cluster.tls})
 * @param signingKey the secret only cluster members hold ({@code cluster.signing_key} or
 *     {@code cluster.signing_key_file}, at least {@value #MIN_SIGNING_KEY_BYTES} bytes): the relays seal
 *     control requests with it and control-api checks them, and the Hazelcast cluster name derives from
 *     it; required in cluster mode, {@code null} otherwise
 */
public record ClusterOptions(boolean enabled, String hazelcastConfig, List<String> members, String dns, int port,
                             int portCount, String networkInterface, Subnet subnet, String publicAddress,
                             String busHost, int busPort, String busPublicHost, Duration nodeTimeout,
                             ClusterTls tls, String signingKey) {
  public static final int DEFAULT_PORT = 5701;
  public static final Duration DEFAULT_NODE_TIMEOUT = Duration.ofSeconds(5);
  public static final int MIN_SIGNING_KEY_BYTES = 32;
  static final Set<String> KEYS = Set.of("enabled", "hazelcast_config", "members", "dns", "port", "port_count",
      "interface", "subnet", "public_address", "bus_host", "bus_port", "bus_public_host", "node_timeout", "tls",
      "signing_key", "signing_key_file");

  public ClusterOptions {
    members = List.copyOf(members);
    if (!members.isEmpty() && dns != null) {
      throw new ConfigException("cluster.dns", "set either cluster.members or cluster.dns, not both");
    }
    for (String m : members) {
      if (!m.matches("[^\\s:]+(:\\d{1,5})?")) {
        throw new ConfigException("cluster.members", "'" + m + "' is not host or host:port");
      }
    }
    if (dns != null && !dns.matches("[A-Za-z0-9._-]+")) {
      throw new ConfigException("cluster.dns", "'" + dns + "' is not a DNS name");
    }
    if (subnet != null && networkInterface != null) {
      throw new ConfigException("cluster.subnet", "set either cluster.interface or cluster.subnet, not both");
    }
    tls = tls == null ? ClusterTls.required() : tls;
    int keyBytes = signingKey == null ? 0 : signingKey.getBytes(StandardCharsets.UTF_8).length;
    if (signingKey != null && keyBytes < MIN_SIGNING_KEY_BYTES) {
      throw new ConfigException("cluster.signing_key", "must be at least " + MIN_SIGNING_KEY_BYTES + " bytes, has "
          + keyBytes + " (make one with: head -c 32 /dev/urandom | base64)");
    }
  }

  /**
   * Checks what a clustered node needs to keep strangers out: the signing key, and the TLS files
   * unless {@code cluster.tls.enabled} is false.
   *
   * @throws ConfigException naming the missing key
   */
  public void checkSecured() {
    if (signingKey == null) {
      throw new ConfigException("cluster.signing_key", "required in cluster mode (or cluster.signing_key_file): "
          + "the secret only members hold, at least " + MIN_SIGNING_KEY_BYTES + " bytes, the same on every relay "
          + "and control-api (make one with: head -c 32 /dev/urandom | base64)");
    }
    tls.check();
  }

  /** The settings, without the signing key. */
  @Override
  public String toString() {
    return "ClusterOptions[enabled=" + enabled + ", members=" + members + ", dns=" + dns + ", port=" + port
        + ", subnet=" + subnet + ", busPort=" + busPort + ", tls=" + tls + ", signingKey="
        + (signingKey == null ? "none" : "(set)") + "]";
  }

  /** Not clustered. */
  public static ClusterOptions disabled() {
    return fromJson(new JsonObject());
  }

  public ClusterOptions withEnabled(boolean on) {
    return new ClusterOptions(on, hazelcastConfig, members, dns, port, portCount, networkInterface, subnet,
        publicAddress, busHost, busPort, busPublicHost, nodeTimeout, tls, signingKey);
  }

  public ClusterOptions withSecurity(ClusterTls t, String key) {
    return new ClusterOptions(enabled, hazelcastConfig, members, dns, port, portCount, networkInterface, subnet,
        publicAddress, busHost, busPort, busPublicHost, nodeTimeout, t, key);
  }

  public static ClusterOptions fromJson(JsonObject json) {
    ConfigValues v = new ConfigValues(json, "cluster", KEYS);
    String dns = v.string("dns", null);
    String subnet = v.string("subnet", null);
    return new ClusterOptions(
        v.bool("enabled", false),
        v.string("hazelcast_config", null),
        v.strings("members", List.of()),
        dns == null || dns.isBlank() ? null : dns.trim(),
        v.integer("port", DEFAULT_PORT, 1, 65535),
        v.integer("port_count", 1, 1, 1000),
        v.string("interface", null),
        subnet == null || subnet.isBlank() ? null : subnet(subnet),
        v.string("public_address", null),
        v.string("bus_host", null),
        v.integer("bus_port", 0, 0, 65535),
        v.string("bus_public_host", null),
        v.duration("node_timeout", DEFAULT_NODE_TIMEOUT, Duration.ofSeconds(1)),
        ClusterTls.fromJson(v.object("tls")),
        v.secret("signing_key"));
  }

  private static Subnet subnet(String cidr) {
    try {
      return Subnet.parse(cidr.strip());
    } catch (IllegalArgumentException e) {
      throw new ConfigException("cluster.subnet", e.getMessage());
    }
  }
}
