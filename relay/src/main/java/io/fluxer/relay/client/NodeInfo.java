package io.fluxer.relay.client;

/**
 * Who a node is, as its stats, heartbeats and {@code info} tell others: fixed when it starts, except
 * {@code address} and {@code port}, found once when its servers listen ({@link #listening}).
 *
 * @param address {@code host:port} clients reach the node on
 * @param port the port its servers listen on (0 until they do)
 */
public record NodeInfo(String id, String name, String version, long startedAtMillis, String address, int port) {
  /** The relay's version. */
  public static final String VERSION = "0.1.0";

  /** This info once the servers listen on {@code port}, reached at {@code address}. */
  public NodeInfo listening(int port, String address) {
    return new NodeInfo(id, name, version, startedAtMillis, address, port);
  }
}
