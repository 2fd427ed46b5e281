package io.fluxer.relay.client.command;

import io.fluxer.relay.engine.FailureLog;
import io.fluxer.relay.engine.UnrecoverablePositionException;
import io.fluxer.relay.protocol.ProtocolError;
import io.vertx.core.Future;
import java.util.function.Function;

/** Replying with what an engine returns, or with the error its failure maps to. */
final class Replies {
  private static final System.Logger LOG = System.getLogger(Replies.class.getName());
  private static final FailureLog FAILURES = new FailureLog(LOG, "engine operation failed", 10_000);

  private Replies() {}

  /** Replies with the encoded result, or with the error the failure maps to, on the session's loop. */
  static <T> void whenDone(Session s, long id, Future<T> f, Function<T, byte[]> encode) {
    s.onLoop(f).onComplete(ar -> s.reply(ar.succeeded() ? encode.apply(ar.result())
        : s.codec().error(id, toError(ar.cause()))));
  }

  /**
   * Replies with the empty result of {@code method} once {@code f} succeeds, as {@link #whenDone}
   * does, with one lambda less per command (publish replies this way to every publication).
   */
  static void emptyWhenDone(Session s, long id, Future<?> f, String method) {
    Future<?> here = s.onLoop(f);
    if (here.isComplete()) {
      // the memory engine's publish: replied to now, without a completion lambda per publication
      replyEmpty(s, id, here, method);
    } else {
      here.onComplete(ar -> replyEmpty(s, id, here, method));
    }
  }

  private static void replyEmpty(Session s, long id, Future<?> done, String method) {
    s.reply(done.succeeded() ? s.codec().empty(id, method) : s.codec().error(id, toError(done.cause())));
  }

  /**
   * The error a client is told for an engine failure: 112 for a position the stream no longer
   * has, else 100 with a fixed text (the failure is logged, never sent).
   */
  static ProtocolError toError(Throwable e) {
    if (e instanceof UnrecoverablePositionException) {
      return ProtocolError.UNRECOVERABLE_POSITION;
    }
    FAILURES.log(e);
    return ProtocolError.INTERNAL;
  }

  /** Seconds from now until {@code at} (epoch seconds), at least 1; 0 when {@code at} is {@code null}. */
  static long ttl(Session s, Long at) {
    return at == null ? 0 : Math.max(1, at - s.tokens().now());
  }
}
