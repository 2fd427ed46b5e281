package io.fluxer.relay.client;

import java.util.HashMap;
import java.util.Map;

/**
 * Traffic counters of one event loop's sessions. Written only on that loop (plain fields, nothing
 * on the hot path but an add); read on the loop by {@link Hub#snapshot()}.
 */
public final class HubStats {
  long messagesIn;
  long bytesIn;
  long messagesOut;
  long bytesOut;
  long connects;
  long slowDisconnects;
  final Map<Integer, Long> disconnects = new HashMap<>();

  void in(int messages, int bytes) {
    messagesIn += messages;
    bytesIn += bytes;
  }

  void out(int bytes) {
    messagesOut++;
    bytesOut += bytes;
  }

  void disconnect(int code) {
    disconnects.merge(code, 1L, Long::sum);
    if (code == 3008) {
      slowDisconnects++;
    }
  }
}
