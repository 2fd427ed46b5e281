package io.fluxer.relay.client;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.HashMap;
import java.util.Map;

/**
 * Traffic counters of one event loop's sessions. Written only on that loop; read on the loop by
 * {@link Hub#snapshot()}.
 *
 * <p>For readers on other threads (metrics), what the loop publishes: the monotonic counters are
 * written with opaque stores (atomic and seen by other threads soon after, with no fence on the
 * hot path) and their getters read them opaquely, possibly a little behind; the current counts of
 * connections and subscriptions are kept in volatile mirrors; and a {@link Listener} hears about
 * the events that cannot be read as a number. Nothing else of the hub is read off its loop.
 */
public final class HubStats {
  /**
   * Told by the hub about what the node's metrics need beyond counters. Called on the hub's event
   * loop, possibly from several loops at once: implementations must be thread-safe and cheap.
   */
  public interface Listener {
    /** {@code user}'s first connection on this loop completed connect (anonymous users share {@code ""}). */
    void userAdded(String user);

    /** {@code user}'s last connection on this loop closed. */
    void userRemoved(String user);

    /** The first local subscriber of this loop joined {@code channel}. */
    void channelAdded(String channel);

    /** The last local subscriber of this loop left {@code channel}. */
    void channelRemoved(String channel);

    /** A session closed with {@code code} (0: closed by the client). */
    void disconnected(int code);

    /**
     * A publication was queued to this loop's subscribers {@code nanos} after the broker handed it
     * to the node; once per delivery and loop, only for deliveries that carry a local timestamp.
     */
    void publicationQueued(long nanos);
  }

  private static final Listener NONE = new Listener() {
    @Override
    public void userAdded(String user) {}

    @Override
    public void userRemoved(String user) {}

    @Override
    public void channelAdded(String channel) {}

    @Override
    public void channelRemoved(String channel) {}

    @Override
    public void disconnected(int code) {}

    @Override
    public void publicationQueued(long nanos) {}
  };

  private static final VarHandle MESSAGES_IN = counter("messagesIn");
  private static final VarHandle BYTES_IN = counter("bytesIn");
  private static final VarHandle MESSAGES_OUT = counter("messagesOut");
  private static final VarHandle BYTES_OUT = counter("bytesOut");
  private static final VarHandle CONNECTS = counter("connects");
  private static final VarHandle SLOW_DISCONNECTS = counter("slowDisconnects");

  // written on the loop through the VarHandles above; read plainly on the loop, opaquely elsewhere
  long messagesIn;
  long bytesIn;
  long messagesOut;
  long bytesOut;
  long connects;
  long slowDisconnects;
  final Map<Integer, Long> disconnects = new HashMap<>();
  /** Mirror of the hub's connected sessions, for other threads. */
  volatile int connections;
  /** Mirror of the hub's subscriptions (session and channel pairs), for other threads. */
  volatile int subscriptions;
  private volatile Listener listener = NONE;

  private static VarHandle counter(String field) {
    try {
      return MethodHandles.lookup().findVarHandle(HubStats.class, field, long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  void in(int messages, int bytes) {
    MESSAGES_IN.setOpaque(this, messagesIn + messages);
    BYTES_IN.setOpaque(this, bytesIn + bytes);
  }

  void out(int bytes) {
    MESSAGES_OUT.setOpaque(this, messagesOut + 1);
    BYTES_OUT.setOpaque(this, bytesOut + bytes);
  }

  void disconnect(int code) {
    disconnects.merge(code, 1L, Long::sum);
    if (code == 3008) {
      SLOW_DISCONNECTS.setOpaque(this, slowDisconnects + 1);
    }
    listener.disconnected(code);
  }

  /** A session completed connect. */
  void connected() {
    CONNECTS.setOpaque(this, connects + 1);
  }

  /** Sets who hears about this loop's events; set it before the loop has sessions. */
  public void listener(Listener l) {
    listener = l == null ? NONE : l;
  }

  Listener listener() {
    return listener;
  }

  /** Commands received. */
  public long messagesIn() {
    return (long) MESSAGES_IN.getOpaque(this);
  }

  /** Bytes of the text messages the commands came in. */
  public long bytesIn() {
    return (long) BYTES_IN.getOpaque(this);
  }

  /** Messages (replies and pushes) queued to clients. */
  public long messagesOut() {
    return (long) MESSAGES_OUT.getOpaque(this);
  }

  /** Bytes of the messages queued to clients, without the joining newlines. */
  public long bytesOut() {
    return (long) BYTES_OUT.getOpaque(this);
  }

  /** Sessions that completed connect. */
  public long connects() {
    return (long) CONNECTS.getOpaque(this);
  }

  /** Sessions closed with 3008 because they did not read fast enough. */
  public long slowDisconnects() {
    return (long) SLOW_DISCONNECTS.getOpaque(this);
  }

  /** Connected sessions (after connect) now. */
  public int connections() {
    return connections;
  }

  /** Subscriptions of this loop's sessions now. */
  public int subscriptions() {
    return subscriptions;
  }
}
