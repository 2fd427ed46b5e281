package io.fluxer.common.cluster;

import com.hazelcast.cluster.Address;
import com.hazelcast.config.properties.PropertyDefinition;
import com.hazelcast.config.properties.PropertyTypeConverter;
import com.hazelcast.config.properties.SimplePropertyDefinition;
import com.hazelcast.logging.ILogger;
import com.hazelcast.spi.discovery.AbstractDiscoveryStrategy;
import com.hazelcast.spi.discovery.DiscoveryNode;
import com.hazelcast.spi.discovery.DiscoveryStrategy;
import com.hazelcast.spi.discovery.DiscoveryStrategyFactory;
import com.hazelcast.spi.discovery.SimpleDiscoveryNode;
import io.fluxer.common.config.Subnet;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Hazelcast discovery from DNS: the members are the A records of one name, such as Docker Swarm's
 * {@code tasks.<service>}, which lists the IP of every running task of a service. The name is
 * resolved again on every discovery round (at join, and when Hazelcast looks for clusters to merge
 * with), so tasks that start later are found and tasks that are gone are no longer tried.
 *
 * <p>Hazelcast calls {@link #discoverNodes()} on its own threads; the lookup blocks them, never an
 * event loop.
 */
public final class DnsDiscovery extends AbstractDiscoveryStrategy {
  static final PropertyDefinition NAME = new SimplePropertyDefinition("name", PropertyTypeConverter.STRING);
  static final PropertyDefinition PORT = new SimplePropertyDefinition("port", true, PropertyTypeConverter.INTEGER);
  static final PropertyDefinition PORT_COUNT =
      new SimplePropertyDefinition("port-count", true, PropertyTypeConverter.INTEGER);
  /** Keep only addresses in this subnet (CIDR): a name may list a task's addresses on other networks. */
  static final PropertyDefinition SUBNET = new SimplePropertyDefinition("subnet", true, PropertyTypeConverter.STRING);

  /** Resolves a name to all its addresses; swapped in tests for a resolver whose answer changes. */
  public interface Resolver {
    InetAddress[] resolve(String name) throws UnknownHostException;
  }

  private final String name;
  private final int port;
  private final int portCount;
  private final Subnet subnet;
  private final Resolver resolver;

  DnsDiscovery(ILogger logger, Map<String, Comparable> properties, Resolver resolver) {
    super(logger, properties);
    this.name = getOrNull(NAME);
    this.port = getOrDefault(PORT, 5701);
    this.portCount = getOrDefault(PORT_COUNT, 1);
    String cidr = getOrNull(SUBNET);
    this.subnet = cidr == null ? null : Subnet.parse(cidr);
    this.resolver = resolver;
  }

  @Override
  public Iterable<DiscoveryNode> discoverNodes() {
    InetAddress[] found;
    try {
      found = resolver.resolve(name);
    } catch (UnknownHostException e) {
      // No task is running yet (or DNS is not ready): nothing to join, which Hazelcast retries.
      getLogger().fine("no address for " + name + " yet: " + e.getMessage());
      return List.of();
    }
    List<DiscoveryNode> nodes = new ArrayList<>();
    for (InetAddress address : found) {
      if (subnet != null && !subnet.contains(address)) {
        getLogger().fine("ignoring " + address.getHostAddress() + " of " + name + ": not in " + subnet);
        continue;
      }
      for (int p = port; p < port + portCount; p++) {
        nodes.add(new SimpleDiscoveryNode(new Address(address, p)));
      }
    }
    return nodes;
  }

  /** Registered in the Hazelcast config by {@link HazelcastSetup} when {@code cluster.dns} is set. */
  public static final class Factory implements DiscoveryStrategyFactory {
    private final Resolver resolver;

    public Factory() {
      this(InetAddress::getAllByName);
    }

    public Factory(Resolver resolver) {
      this.resolver = resolver;
    }

    @Override
    public Class<? extends DiscoveryStrategy> getDiscoveryStrategyType() {
      return DnsDiscovery.class;
    }

    @Override
    public DiscoveryStrategy newDiscoveryStrategy(DiscoveryNode self, ILogger logger,
                                                  Map<String, Comparable> properties) {
      return new DnsDiscovery(logger, properties, resolver);
    }

    @Override
    public Collection<PropertyDefinition> getConfigurationProperties() {
      return List.of(NAME, PORT, PORT_COUNT, SUBNET);
    }
  }
}
