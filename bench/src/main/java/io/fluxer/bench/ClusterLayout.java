package io.fluxer.bench;

/**
 * How the {@code cluster-channels} scenario lays its channels over the relay's nodes: connection
 * {@code i} subscribes to channel {@code i} on node {@code i mod nodes}, so each node holds a third
 * (with three nodes) of the channels and their only subscribers; the publisher sits on node 0.
 */
final class ClusterLayout {
  /** The node the publisher connects to. */
  static final int PUBLISHING_NODE = 0;

  private ClusterLayout() {}

  /** The node of connection (and channel) {@code index}. */
  static int nodeOf(int index, int nodes) {
    if (nodes <= 0) {
      throw new IllegalArgumentException("nodes must be positive, got " + nodes);
    }
    return Math.floorMod(index, nodes);
  }

  /** How many of {@code channels} channels sit on each node. */
  static int[] channelsPerNode(int channels, int nodes) {
    int[] out = new int[nodes];
    for (int i = 0; i < channels; i++) {
      out[nodeOf(i, nodes)]++;
    }
    return out;
  }

  /**
   * The publications each node should receive: those of the channels whose subscriber sits on it.
   * A channel whose subscriber is not connected ({@code subscribed[i]} false) has no node.
   *
   * @param published  publications per channel during the period
   * @param subscribed whether channel {@code i}'s subscriber was connected
   */
  static long[] expectedPerNode(long[] published, boolean[] subscribed, int nodes) {
    if (published.length != subscribed.length) {
      throw new IllegalArgumentException("published and subscribed differ in length");
    }
    long[] out = new long[nodes];
    for (int i = 0; i < published.length; i++) {
      if (subscribed[i]) {
        out[nodeOf(i, nodes)] += published[i];
      }
    }
    return out;
  }

  /** {@code after - before}, element by element. */
  static long[] delta(long[] before, long[] after) {
    long[] out = new long[after.length];
    for (int i = 0; i < after.length; i++) {
      out[i] = after[i] - (i < before.length ? before[i] : 0);
    }
    return out;
  }
}
