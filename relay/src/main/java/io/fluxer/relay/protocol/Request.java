package io.fluxer.relay.protocol;

import io.fluxer.relay.channel.TagFilter;
import java.util.Map;

/**
 * The parameters of one client command. Raw JSON fields ({@code data}) keep the client's exact
 * text; absent strings are empty, absent data is {@code null}.
 */
public sealed interface Request {
  /** {@code connect {token, data, name, version, subs}}; {@code subs} carries recovery positions. */
  record Connect(String token, String data, String name, String version, Map<String, Subscribe> subs)
      implements Request {
    public Connect {
      subs = subs == null ? Map.of() : Map.copyOf(subs);
    }
  }

  /**
   * {@code subscribe}; {@code flag} is the client's feature bits ({@link #REJECT_UNRECOVERED}),
   * {@code type} the subscription kind (0: a stream, the only kind served), {@code tf} the tags
   * filter ({@code null}: none) and {@code delta} the delta compression asked for ({@code ""}: none).
   */
  record Subscribe(String channel, String token, boolean recover, long offset, String epoch,
                   boolean positioned, boolean recoverable, boolean joinLeave, String data, long flag, int type,
                   TagFilter tf, String delta)
      implements Request {
    /** Flag bit: answer error 112 rather than subscribing with {@code recovered: false} (centrifuge-js getState). */
    public static final long REJECT_UNRECOVERED = 1L << 1;

    public Subscribe(String channel, String token, boolean recover, long offset, String epoch, boolean positioned,
                     boolean recoverable, boolean joinLeave, String data) {
      this(channel, token, recover, offset, epoch, positioned, recoverable, joinLeave, data, 0, 0, null, "");
    }

    public boolean rejectUnrecovered() {
      return (flag & REJECT_UNRECOVERED) != 0;
    }
  }

  record Unsubscribe(String channel) implements Request {}

  record Publish(String channel, String data) implements Request {}

  record Presence(String channel) implements Request {}

  record PresenceStats(String channel) implements Request {}

  /** {@code since} is {@code null} when absent; {@code limit} 0 means position only. */
  record History(String channel, int limit, StreamPosition since, boolean reverse) implements Request {}

  record Rpc(String method, String data) implements Request {}

  record Send(String data) implements Request {}

  record Refresh(String token) implements Request {}

  record SubRefresh(String channel, String token) implements Request {}

  /** A command whose fields could not be read; answered with error 107. */
  record Invalid(String method, String problem) implements Request {}

  /** A command with an id but no method this server knows; answered with error 104. */
  record Unknown() implements Request {}
}
