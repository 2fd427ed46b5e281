package io.fluxer.relay.client.command;

import io.fluxer.relay.protocol.ProtocolError;
import io.fluxer.relay.protocol.Request;
import java.util.HashMap;
import java.util.Map;

/**
 * The dispatch table: for each kind of client command, its handler and the rate-limit bucket it
 * takes a token from. Immutable and shared by every session; a request of a kind not in the table
 * is answered with 104.
 */
public final class Commands {
  /**
   * The rate-limit bucket of a command ({@code client.limits.command_rate}): each kind of traffic has
   * its own, so a burst of publishes does not hold up subscribes. {@link #NONE}: never limited.
   */
  public enum Bucket { NONE, SUBSCRIBE, PUBLISH, RPC, READ, OTHER }

  private record Entry(Bucket bucket, CommandHandler<Request> handler) {}

  private static final Entry NOT_FOUND = new Entry(Bucket.OTHER,
      (s, id, r) -> s.reply(s.codec().error(id, ProtocolError.METHOD_NOT_FOUND)));

  private static final Commands STANDARD = new Commands()
      .on(Request.Connect.class, Bucket.NONE, new ConnectHandler())
      .on(Request.Subscribe.class, Bucket.SUBSCRIBE, new SubscribeHandler())
      .on(Request.Unsubscribe.class, Bucket.OTHER, new UnsubscribeHandler())
      .on(Request.Publish.class, Bucket.PUBLISH, new PublishHandler())
      .on(Request.History.class, Bucket.READ, new HistoryHandler())
      .on(Request.Presence.class, Bucket.READ, new PresenceHandlers.Presence())
      .on(Request.PresenceStats.class, Bucket.READ, new PresenceHandlers.Stats())
      .on(Request.Refresh.class, Bucket.OTHER, new RefreshHandler())
      .on(Request.SubRefresh.class, Bucket.OTHER, new SubRefreshHandler())
      // no RPC methods are served yet
      .on(Request.Rpc.class, Bucket.RPC, NOT_FOUND.handler()::handle)
      // accepted and dropped: no handler for asynchronous messages yet
      .on(Request.Send.class, Bucket.RPC, (s, id, r) -> { })
      .on(Request.Invalid.class, Bucket.OTHER, (s, id, r) -> s.reply(s.codec().error(id,
          ProtocolError.BAD_REQUEST.withMessage("bad request: " + r.problem()))))
      .on(Request.Unknown.class, Bucket.OTHER, NOT_FOUND.handler()::handle);

  private final Map<Class<? extends Request>, Entry> entries = new HashMap<>();

  private Commands() {}

  /** The table of every command the relay serves. */
  public static Commands standard() {
    return STANDARD;
  }

  @SuppressWarnings("unchecked")
  private <R extends Request> Commands on(Class<R> kind, Bucket bucket, CommandHandler<? super R> handler) {
    entries.put(kind, new Entry(bucket, (CommandHandler<Request>) handler));
    return this;
  }

  /** The rate-limit bucket of {@code request}'s kind. */
  public Bucket bucket(Request request) {
    return entries.getOrDefault(request.getClass(), NOT_FOUND).bucket();
  }

  /** Hands the command to its kind's handler. */
  public void dispatch(Session session, long id, Request request) {
    entries.getOrDefault(request.getClass(), NOT_FOUND).handler().handle(session, id, request);
  }
}
