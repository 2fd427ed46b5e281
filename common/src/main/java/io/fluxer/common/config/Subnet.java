package io.fluxer.common.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * An IP network in CIDR notation ({@code 10.231.0.0/24}, {@code fd00:f1::/64}): the cluster network's
 * subnet, by which a node on a multi-homed host (a Swarm task has the ingress, overlay and bridge
 * networks) picks the address it binds and advertises.
 *
 * @param network the network address, host bits cleared
 * @param prefix the number of leading bits that name the network
 */
public record Subnet(InetAddress network, int prefix) {
  public Subnet {
    int bits = network.getAddress().length * 8;
    if (prefix < 0 || prefix > bits) {
      throw new IllegalArgumentException("prefix " + prefix + " outside 0.." + bits);
    }
  }

  /**
   * Parses {@code address/prefix}; the address must be a literal (no name is looked up) and host bits
   * are ignored ({@code 10.231.0.7/24} is {@code 10.231.0.0/24}).
   *
   * @throws IllegalArgumentException saying what is wrong
   */
  public static Subnet parse(String cidr) {
    int slash = cidr.indexOf('/');
    if (slash < 0) {
      throw new IllegalArgumentException("'" + cidr + "' is not address/prefix, e.g. 10.231.0.0/24");
    }
    String address = cidr.substring(0, slash).strip();
    String prefixText = cidr.substring(slash + 1).strip();
    if (prefixText.isEmpty() || prefixText.length() > 3 || !prefixText.chars().allMatch(Character::isDigit)) {
      throw new IllegalArgumentException("'" + cidr + "': the prefix must be a number of bits");
    }
    byte[] bytes = literal(address);
    if (bytes == null) {
      throw new IllegalArgumentException("'" + cidr + "': '" + address + "' is not an IPv4 or IPv6 address");
    }
    int prefix = Integer.parseInt(prefixText);
    if (prefix > bytes.length * 8) {
      throw new IllegalArgumentException("'" + cidr + "': a prefix of at most " + bytes.length * 8 + " bits");
    }
    try {
      return new Subnet(InetAddress.getByAddress(mask(bytes, prefix)), prefix);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("'" + cidr + "': " + e.getMessage(), e);
    }
  }

  /** Whether {@code address} is in this network (an IPv4 address is never in an IPv6 network). */
  public boolean contains(InetAddress address) {
    byte[] bytes = address.getAddress();
    return bytes.length == network.getAddress().length && Arrays.equals(mask(bytes, prefix), network.getAddress());
  }

  @Override
  public String toString() {
    return network.getHostAddress() + "/" + prefix;
  }

  private static byte[] mask(byte[] address, int prefix) {
    byte[] out = address.clone();
    for (int i = 0; i < out.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      out[i] &= (byte) (0xff << (8 - keep));
    }
    return out;
  }

  /** The bytes of an IP literal, or null when {@code text} is not one; never a DNS lookup. */
  private static byte[] literal(String text) {
    if (text.isEmpty() || !(text.indexOf(':') >= 0 || text.chars().allMatch(c -> c == '.' || Character.isDigit(c)))) {
      return null; // names would be looked up by InetAddress: only literals get there
    }
    if (text.indexOf(':') < 0 && !dottedQuad(text)) {
      return null;
    }
    try {
      return InetAddress.getByName(text).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static boolean dottedQuad(String text) {
    String[] parts = text.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    for (String p : parts) {
      if (p.isEmpty() || p.length() > 3 || Integer.parseInt(p) > 255) {
        return false;
      }
    }
    return true;
  }
}
