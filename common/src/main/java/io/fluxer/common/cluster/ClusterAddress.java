package io.fluxer.common.cluster;

import io.fluxer.common.config.ConfigException;
import io.fluxer.common.config.Subnet;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The address a node binds and advertises for the cluster when {@code cluster.subnet} is set: its own
 * address in that subnet. A Swarm task is multi-homed (with a published port, eth0 is the ingress
 * network, the stack's overlays come after it, and the bridge to the host last), so "the first
 * interface" is the wrong choice; the cluster network's subnet is known from the stack file.
 */
public final class ClusterAddress {
  private ClusterAddress() {}

  /** This host's own address in {@code subnet}, from its interfaces that are up. */
  public static InetAddress pick(Subnet subnet) {
    return pick(subnet, local());
  }

  /**
   * The address of {@code candidates} in {@code subnet} (the lowest, should there be several).
   *
   * @throws ConfigException naming {@code cluster.subnet} when none is in it
   */
  static InetAddress pick(Subnet subnet, List<InetAddress> candidates) {
    return candidates.stream()
        .filter(subnet::contains)
        .min(Comparator.comparing(InetAddress::getHostAddress))
        .orElseThrow(() -> new ConfigException("cluster.subnet", "no address of this host is in " + subnet
            + " (it has " + (candidates.isEmpty() ? "none" : candidates.stream().map(InetAddress::getHostAddress)
                .collect(Collectors.joining(", "))) + "); is the node attached to the cluster network?"));
  }

  /** The addresses of this host's interfaces that are up. */
  static List<InetAddress> local() {
    try {
      return NetworkInterface.networkInterfaces()
          .filter(ClusterAddress::up)
          .flatMap(NetworkInterface::inetAddresses)
          .toList();
    } catch (SocketException e) {
      throw new ConfigException("cluster.subnet", "cannot list this host's interfaces: " + e.getMessage());
    }
  }

  private static boolean up(NetworkInterface nic) {
    try {
      return nic.isUp();
    } catch (SocketException e) {
      return false;
    }
  }
}
