package io.fluxer.common.cluster;

import com.hazelcast.config.ClasspathXmlConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.DiscoveryStrategyConfig;
import com.hazelcast.config.FileSystemXmlConfig;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.fluxer.common.config.ClusterOptions;
import io.fluxer.common.config.ClusterTls;
import io.fluxer.common.config.ConfigException;
import io.fluxer.common.metrics.VertxMetricsSetup;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import java.io.FileNotFoundException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.security.Security;
import java.util.HashMap;
import java.util.Map;

/**
 * Starts Vert.x clustered with the Hazelcast cluster manager: the Hazelcast configuration comes from
 * {@code cluster.xml} (or {@code cluster.hazelcast_config}) with the node's {@code cluster.*}
 * settings applied over it, and the event bus with mutual TLS ({@code cluster.tls}). The cluster name
 * is the file's plus a suffix derived from {@code cluster.signing_key}.
 */
public final class HazelcastSetup {
  /** The Hazelcast file on the classpath (the project's top-level {@code cluster.xml}). */
  public static final String CLASSPATH_CONFIG = "cluster.xml";
  private static final Logger LOG = System.getLogger(HazelcastSetup.class.getName());

  private HazelcastSetup() {}

  /** A clustered Vert.x with {@code options} and Fluxer's metrics; fails when the cluster cannot start. */
  public static Future<Vertx> start(VertxOptions options, ClusterOptions cluster) {
    Config config;
    String own;
    try {
      cluster.checkSecured();
      own = cluster.subnet() == null ? null : ClusterAddress.pick(cluster.subnet()).getHostAddress();
      config = config(cluster, own);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return start(options, cluster, config, own);
  }

  /** {@link #start(VertxOptions, ClusterOptions)} with the Hazelcast configuration already made. */
  static Future<Vertx> start(VertxOptions options, ClusterOptions cluster, Config config, String own) {
    EventBusOptions bus = options.getEventBusOptions();
    bus.setPort(cluster.busPort());
    tls(bus, cluster);
    // With a Hazelcast instance of its own making, Vert.x cannot take the bus host from it: say it.
    String busHost = cluster.busHost() != null ? cluster.busHost() : own;
    if (busHost != null) {
      bus.setHost(busHost);
    }
    String busPublicHost = cluster.busPublicHost() != null ? cluster.busPublicHost() : own;
    if (busPublicHost != null) {
      bus.setClusterPublicHost(busPublicHost);
    }
    if (cluster.dns() != null) {
      // The JVM caches name lookups for 30 s; tasks come and go faster than that.
      Security.setProperty("networkaddress.cache.ttl", "5");
      Security.setProperty("networkaddress.cache.negative.ttl", "1");
    }
    return VertxMetricsSetup.createClustered(options, new ResyncingClusterManager(config));
  }

  /**
   * Mutual TLS on the event bus: this member presents its certificate, and accepts (as server) and
   * connects to (as client) only peers with a certificate of the cluster CA. Peers are reached by
   * address, so there is no host name check: membership is holding a certificate of that CA.
   */
  static void tls(EventBusOptions bus, ClusterOptions cluster) {
    ClusterTls tls = cluster.tls();
    if (!tls.enabled()) {
      LOG.log(Level.WARNING, "cluster.tls.enabled is false: the event bus runs without TLS, and any host that reaches "
          + "its port can send this node any message; for development only");
      return;
    }
    // EventBusOptions trusts every certificate by default: only the cluster CA's here, both ways.
    bus.setSsl(true)
        .setTrustAll(false)
        .setClientAuth(ClientAuth.REQUIRED)
        .setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certFile()).setKeyPath(tls.keyFile()))
        .setTrustOptions(new PemTrustOptions().addCertPath(tls.caFile()));
  }

  /**
   * The Hazelcast configuration for {@code cluster}: the XML file with the node's settings applied.
   *
   * @param own the node's address in {@code cluster.subnet}, or {@code null} when no subnet is set:
   *     the member binds that address only (not the ingress or bridge networks of a Swarm task, where
   *     others could reach an unauthenticated Hazelcast port) and advertises it
   */
  public static Config config(ClusterOptions cluster, String own) {
    Config config = load(cluster.hazelcastConfig());
    if (cluster.signingKey() != null) {
      // Only members holding the key share the name; Hazelcast refuses a join under another name.
      config.setClusterName(config.getClusterName() + "-" + ClusterSecret.clusterNameSuffix(cluster.signingKey()));
    }
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortCount(cluster.portCount()).setPortAutoIncrement(cluster.portCount() > 1);
    if (cluster.networkInterface() != null) {
      network.getInterfaces().setEnabled(true).addInterface(cluster.networkInterface());
    }
    if (own != null) {
      network.getInterfaces().setEnabled(true).addInterface(own);
      config.setProperty("hazelcast.socket.bind.any", "false");
    }
    if (cluster.publicAddress() != null) {
      network.setPublicAddress(cluster.publicAddress());
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (cluster.dns() != null) {
      join.getTcpIpConfig().setEnabled(false);
      config.setProperty("hazelcast.discovery.enabled", "true");
      Map<String, Comparable> properties = new HashMap<>(Map.of(
          DnsDiscovery.NAME.key(), cluster.dns(),
          DnsDiscovery.PORT.key(), String.valueOf(cluster.port()),
          DnsDiscovery.PORT_COUNT.key(), String.valueOf(cluster.portCount())));
      if (cluster.subnet() != null) {
        properties.put(DnsDiscovery.SUBNET.key(), cluster.subnet().toString());
      }
      DiscoveryStrategyConfig dns = new DiscoveryStrategyConfig(new DnsDiscovery.Factory(), properties);
      join.getDiscoveryConfig().getDiscoveryStrategyConfigs().clear();
      join.getDiscoveryConfig().addDiscoveryStrategyConfig(dns);
    } else if (!cluster.members().isEmpty()) {
      join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
    }
    return config;
  }

  private static Config load(String file) {
    if (file == null) {
      return new ClasspathXmlConfig(CLASSPATH_CONFIG);
    }
    try {
      return new FileSystemXmlConfig(file);
    } catch (FileNotFoundException e) {
      throw new ConfigException("cluster.hazelcast_config", "cannot read " + file + ": " + e.getMessage());
    } catch (RuntimeException e) {
      throw new ConfigException("cluster.hazelcast_config", "is not a valid Hazelcast file: " + e.getMessage());
    }
  }
}
