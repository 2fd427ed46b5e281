package io.fluxer.relay.client;

import io.fluxer.relay.protocol.Disconnect;
import java.util.function.IntConsumer;

/**
 * How a session reaches its client. Implementations coalesce what is written during one event-loop
 * turn into as few frames as they can and bound what they queue; all calls happen on the session's
 * event loop.
 */
public interface Transport {
  /** Queues one protocol message (no trailing newline); the bytes may be shared and are never modified. */
  void write(byte[] message);

  /** Flushes what is queued, then closes with the disconnect's code and reason. */
  void close(Disconnect disconnect);

  /**
   * Registers what to call once the transport is closed, by either side, with the close code the
   * transport itself chose (e.g. 3008 for a slow client, 1009 for an oversized message), or 0 when
   * the peer closed or the session asked for the close.
   */
  void closeHandler(IntConsumer handler);

  /** The {@code Origin}/remote address, for logs. */
  String remoteAddress();

  /**
   * Unidirectional transports (uni_websocket, uni_sse, uni_http_stream) carry pushes only: the
   * connect reply goes out as a {@code connect} push, and the client sends no pongs.
   */
  default boolean unidirectional() {
    return false;
  }

  /**
   * The session id the connect reply carries on emulated and unidirectional transports (a UUID
   * that {@code POST /emulation} names); {@code null} on WebSocket.
   */
  default String session() {
    return null;
  }

  /**
   * The node id the connect reply carries on emulated transports, which {@code POST /emulation}
   * names so that a request reaches the owner of the session; {@code null} elsewhere (the connect
   * reply then carries the node's name).
   */
  default String node() {
    return null;
  }
}
