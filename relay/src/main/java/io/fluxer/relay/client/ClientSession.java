package io.fluxer.relay.client;

import io.fluxer.relay.auth.ConnectToken;
import io.fluxer.relay.auth.TokenException;
import io.fluxer.relay.auth.TokenVerifier;
import io.fluxer.relay.channel.ChannelName;
import io.fluxer.relay.channel.Namespaces;
import io.fluxer.relay.channel.TagFilter;
import io.fluxer.relay.client.command.ChannelSubscription;
import io.fluxer.relay.client.command.Commands;
import io.fluxer.relay.client.command.Session;
import io.fluxer.relay.client.command.Subscribing;
import io.fluxer.relay.client.command.SubscriptionSpec;
import io.fluxer.relay.config.ClientOptions;
import io.fluxer.relay.config.NamespaceOptions;
import io.fluxer.relay.config.Role;
import io.fluxer.relay.engine.Broker;
import io.fluxer.relay.engine.EngineException;
import io.fluxer.relay.engine.FailureLog;
import io.fluxer.relay.engine.HistoryFilter;
import io.fluxer.relay.engine.PresenceManager;
import io.fluxer.relay.engine.PublishOptions;
import io.fluxer.relay.engine.UnrecoverablePositionException;
import io.fluxer.relay.protocol.ClientCodec;
import io.fluxer.relay.protocol.ClientInfo;
import io.fluxer.relay.protocol.Command;
import io.fluxer.relay.protocol.ConnectResult;
import io.fluxer.relay.protocol.Disconnect;
import io.fluxer.relay.protocol.JsonCodec;
import io.fluxer.relay.protocol.ProtocolError;
import io.fluxer.relay.protocol.ProtocolException;
import io.fluxer.relay.protocol.Publication;
import io.fluxer.relay.protocol.Request;
import io.fluxer.relay.protocol.StreamPosition;
import io.fluxer.relay.protocol.SubscribeResult;
import io.fluxer.relay.protocol.Unsubscribe;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * One client connection: the protocol state machine from connect to close, and the connection's
 * state (user, expiry, subscriptions, timers, rate limits). The rules every command passes first
 * (connect comes first, an id, the rate limit) are here; what each command does is in its handler in
 * {@link io.fluxer.relay.client.command}, found through {@link Commands}, which sees the session
 * through {@link Session}. Lives on one event loop and is only touched from it; engine results hop
 * back to that loop before they touch state.
 */
public final class ClientSession {
  private static final System.Logger LOG = System.getLogger(ClientSession.class.getName());
  private static final FailureLog UNEXPECTED = new FailureLog(LOG, "client command failed", 10_000);
  private static final Commands COMMANDS = Commands.standard();

  /** CONNECTING: waiting for connect; AUTHENTICATED: connect accepted, its reply not sent yet. */
  private enum State { CONNECTING, AUTHENTICATED, CONNECTED, CLOSED }

  private final RelayContext relay;
  private final ClientOptions options;
  private final Vertx vertx;
  private final Context context;
  private final Hub hub;
  private final Transport transport;
  /** The encoding the connection agreed on (JSON or Protobuf): every command and reply goes through it. */
  private final ClientCodec codec;
  private final String clientId = UUID.randomUUID().toString();
  /** Most sessions have one subscription: a {@link CompactMap} holds it without a {@code HashMap}. */
  private final Map<String, Subscription> subs = new CompactMap<>();
  /** Commands that arrived while the connect reply was pending; run after it, in order. */
  private List<Command> deferred;
  private State state = State.CONNECTING;
  private String user = "";
  private String connInfo;
  /** The highest ops role the connection token grants, or {@code null}. */
  private Role role;
  /** The role the token grants as an ops credential (dashboard sessions), or {@code null}. */
  private Role opsRole;
  private Long expiresAt;
  private long staleTimer = -1;
  /** This session's place among its loop's server pings (from connect to close). */
  private final PingWheel.Entry pings = new PingWheel.Entry(new Keepalive());
  /** A ping went out and no message has arrived since it was sent. */
  private boolean pongDue;
  /** The connection's expiry check among the loop's {@link Deadlines}; made when it first has an expiry. */
  private ExpiryCheck expiry;
  private boolean heardSincePing;
  /** What publications to channels this client is not subscribed to carry; see {@link #info}. */
  private ClientInfo ownInfo;
  /** The options of the last publish, reused while they fit (see {@code publishOptions}). */
  private PublishOptions lastPublish;
  /** Set once this connection counts against its user's connection limit. */
  private boolean countedForUser;
  /** One bucket per {@link Commands.Bucket}, made on first use; {@code null} until a command is rate limited. */
  private TokenBucket[] buckets;
  /** What the command handlers see of this session. */
  private final Session handlerView = new HandlerView();

  /** This client's subscription to one channel; the hub delivers to it directly. */
  private final class Subscription implements Subscriber, StreamOrder.Sink, ChannelSubscription {
    final String channel;
    final NamespaceOptions ns;
    final boolean pushJoinLeave;
    final String chanInfo;
    /** The client's tags filter: only publications whose tags match it are sent; {@code null}: all. */
    final TagFilter filter;
    /** Delta compression was negotiated: publications go in the delta form ({@link Delivery#deltaFrame}). */
    final boolean delta;
    /** With {@link #delta}: the last publication the client got, what the next delta is against. */
    Publication previous;
    /** What this subscription's publications, joins and presence carry; see {@link #info}. */
    ClientInfo info;
    final StreamOrder order = new StreamOrder(this);
    Long expiresAt;
    long expireTimer = -1;
    /** Set once the subscription left the hub; a delivery loop may still hold it for one round. */
    boolean removed;

    Subscription(SubscriptionSpec spec) {
      this.channel = spec.channel();
      this.filter = spec.filter();
      this.delta = spec.delta();
      this.ns = spec.ns();
      this.pushJoinLeave = spec.pushJoinLeave();
      this.chanInfo = spec.chanInfo();
      this.expiresAt = spec.expiresAt();
    }

    @Override
    public String channel() {
      return channel;
    }

    @Override
    public boolean delta() {
      return delta;
    }

    @Override
    public boolean current() {
      return !removed && subs.get(channel) == this;
    }

    /** After the reply that told the client about it: release what arrived meanwhile, in order, without repeats. */
    @Override
    public void activate() {
      if (current()) {
        order.activate();
      }
    }

    @Override
    public Long expiresAt() {
      return expiresAt;
    }

    @Override
    public void expireAt(Long epochSeconds) {
      expiresAt = epochSeconds;
      scheduleSubExpiry(this);
    }

    @Override
    public void deliverPublication(Delivery d) {
      if (!removed) {
        order.offer(d);
      }
    }

    @Override
    public void deliverPosition(Delivery d) {
      if (!removed) {
        order.expect(d.epoch(), d.offset());
      }
    }

    @Override
    public void deliverJoinLeave(Delivery d) {
      if (!removed && order.active() && pushJoinLeave) {
        ClientSession.this.send(d.frame(codec));
      }
    }

    /**
     * A publication in stream order. One the filter drops still moved the stream position on (in
     * {@link StreamOrder}), so the order and gap checks see every offset; the client sees offsets
     * with holes, as a Centrifugo client with a filter does.
     */
    @Override
    public void send(Delivery d) {
      if (!d.passes(filter)) {
        return;
      }
      if (delta) {
        ClientSession.this.send(d.deltaFrame(codec, previous));
        previous = d.publication();
      } else {
        ClientSession.this.send(d.frame(codec));
      }
    }

    @Override
    public void lost() {
      close(Disconnect.INSUFFICIENT_STATE);
    }

    @Override
    public boolean closed() {
      return state == State.CLOSED;
    }

    @Override
    public long setTimer(long delayMillis, Runnable action) {
      return vertx.setTimer(delayMillis, t -> action.run());
    }

    @Override
    public void cancelTimer(long id) {
      vertx.cancelTimer(id);
    }
  }

  /** A session of the JSON protocol. */
  public ClientSession(RelayContext relay, Vertx vertx, Context context, Hub hub, Transport transport) {
    this(relay, vertx, context, hub, transport, JsonCodec.INSTANCE);
  }

  public ClientSession(RelayContext relay, Vertx vertx, Context context, Hub hub, Transport transport,
                       ClientCodec codec) {
    this.relay = relay;
    this.codec = codec;
    this.options = relay.client();
    this.vertx = vertx;
    this.context = context;
    this.hub = hub;
    this.transport = transport;
    transport.closeHandler(this::cleanUp);
    hub.addSession(this);
    staleTimer = vertx.setTimer(options.staleDelay().toMillis(), t -> {
      staleTimer = -1;
      if (state == State.CONNECTING) {
        close(Disconnect.STALE);
      }
    });
  }

  public String clientId() {
    return clientId;
  }

  public String user() {
    return user;
  }

  public boolean connected() {
    return state == State.CONNECTED;
  }

  // ---- inbound

  /** Handles one inbound text message (a WebSocket text frame): one or more commands. */
  public void handleMessage(String frame) {
    if (state == State.CLOSED) {
      return;
    }
    heardSincePing = true;
    List<Command> commands;
    try {
      commands = codec.decode(frame);
    } catch (ProtocolException e) {
      rejectMessage(e);
      return;
    }
    handleCommands(commands, frame.length());
  }

  /** Handles one inbound binary message (a WebSocket binary frame): one or more commands. */
  public void handleMessage(byte[] frame) {
    if (state == State.CLOSED) {
      return;
    }
    heardSincePing = true;
    List<Command> commands;
    try {
      commands = codec.decode(frame);
    } catch (ProtocolException e) {
      rejectMessage(e);
      return;
    }
    handleCommands(commands, frame.length);
  }

  /** A message that is not valid protocol closes the connection with 3501. */
  private void rejectMessage(ProtocolException e) {
    LOG.log(Level.DEBUG, "client {0}: {1}", clientId, e.getMessage());
    close(Disconnect.BAD_REQUEST);
  }

  /** The commands of one message of {@code size} bytes (or chars): counted, limited, then dispatched. */
  private void handleCommands(List<Command> commands, int size) {
    hub.stats().in(commands.size(), size);
    if (commands.size() > options.limits().maxCommandsPerFrame()) {
      rejectMessage(new ProtocolException(commands.size() + " commands in one frame"));
      return;
    }
    for (int i = 0; i < commands.size(); i++) { // indexed: no iterator per message
      Command c = commands.get(i);
      if (state == State.CLOSED) {
        return;
      }
      if (state == State.AUTHENTICATED) {
        if (deferred.size() >= options.limits().maxQueuedCommands()) {
          LOG.log(Level.DEBUG, "client {0}: too many commands while connecting", clientId);
          close(Disconnect.TOO_MANY_REQUESTS);
          return;
        }
        deferred.add(c);
      } else {
        dispatchGuarded(c);
      }
    }
  }

  /** {@link #dispatch}, answering what it throws (a bug) with error 100 and a fixed text. */
  private void dispatchGuarded(Command c) {
    try {
      dispatch(c);
    } catch (RuntimeException e) {
      UNEXPECTED.logThrottled(e);
      if (c.id() != 0 && state != State.CLOSED) {
        reply(codec.error(c.id(), ProtocolError.INTERNAL));
      }
    }
  }

  /**
   * A pong needs nothing; a command without an id (other than {@code send}) or before connect closes
   * with 3501; past the rate limit: 111, or 3013; the rest goes to its handler.
   */
  private void dispatch(Command c) {
    if (c.isPong()) {
      return;
    }
    Request r = c.request();
    if (c.id() == 0 && !(r instanceof Request.Send)) {
      close(Disconnect.BAD_REQUEST);
      return;
    }
    if (state == State.CONNECTING && !(r instanceof Request.Connect)) {
      close(Disconnect.BAD_REQUEST);
      return;
    }
    long id = c.id();
    if (!withinRate(COMMANDS.bucket(r))) {
      if (options.limits().disconnectOnRateLimit()) {
        close(Disconnect.TOO_MANY_REQUESTS);
      } else if (id != 0) {
        reply(codec.error(id, ProtocolError.TOO_MANY_REQUESTS));
      }
      return;
    }
    COMMANDS.dispatch(handlerView, id, r);
  }

  // ---- connection expiry

  private void setExpiry(Long at) {
    expiresAt = at;
    hub.deadlines().remove(expiry);
    if (at != null) {
      if (expiry == null) {
        expiry = new ExpiryCheck();
      }
      hub.deadlines().schedule(expiry, Deadlines.nowMillis() + delayUntil(at) + options.expiredCloseDelay().toMillis());
    }
  }

  /** Closes the connection (3005) once its expiry has passed without a refresh. */
  private final class ExpiryCheck extends Deadlines.Entry {
    @Override
    protected void fire() {
      if (state != State.CLOSED && expiresAt != null && expiresAt <= relay.tokens().now()) {
        close(Disconnect.CONNECTION_EXPIRED);
      }
    }
  }

  // ---- subscriptions

  /**
   * Joins the hub (buffering what arrives meanwhile), waits until the node gets the channel's
   * publications (the broker's subscribe), then reads the stream position or the missed
   * publications, and registers presence. The caller replies and then calls {@link #activate}.
   */
  private Future<SubscribeResult> startSubscription(Subscription sub, Request.Subscribe position, boolean recoverable) {
    subs.put(sub.channel, sub);
    hub.subscribe(sub.channel, sub);
    Future<Void> delivered = here(relay.broker().subscribe(sub.channel));
    scheduleSubExpiry(sub);
    boolean recovering = recoverable && position != null && position.recover();
    // the position is read only once every later publication reaches this node: none falls in between
    Future<Recovery> read = delivered.compose(v -> subs.get(sub.channel) != sub ? Future.succeededFuture(null)
        : recoverable ? here(readPosition(sub.channel, recovering ? position : null))
        : Future.succeededFuture(null));
    return read.compose(rec -> {
      if (subs.get(sub.channel) != sub) {
        return Future.failedFuture(new EngineException("unsubscribed while subscribing", false));
      }
      if (recovering && !rec.recovered && position.rejectUnrecovered()) {
        // the client keeps its own state (getState) and wants an error, not a fresh stream
        return Future.failedFuture(new UnrecoverablePositionException("publications since the position are gone"));
      }
      if (rec != null) {
        sub.order.position(rec.position.epoch(), rec.position.offset());
      }
      ClientInfo info = info(sub);
      Future<Void> presence = sub.ns.presence()
          ? here(relay.presence().addPresence(sub.channel, clientId, info)) : Future.succeededFuture();
      return presence.map(v -> {
        if (sub.ns.joinLeave()) {
          relay.broker().publishJoin(sub.channel, info);
        }
        long ttl = sub.expiresAt == null ? 0 : ttl(sub.expiresAt);
        if (sub.delta && rec != null && !rec.publications.isEmpty()) {
          sub.previous = rec.publications.get(rec.publications.size() - 1); // the client's base after the reply
        }
        return rec == null
            ? new SubscribeResult(sub.expiresAt != null, ttl, false, "", 0, false, List.of(), false, false, null)
            : new SubscribeResult(sub.expiresAt != null, ttl, true, rec.position.epoch(), rec.position.offset(),
                false, passing(rec.publications, sub.filter), rec.recovered, recovering, null);
      });
    }).onFailure(e -> {
      if (subs.get(sub.channel) == sub) {
        subs.remove(sub.channel);
        sub.removed = true;
        leaveHub(sub);
        cancel(sub.expireTimer);
        sub.order.stop();
      }
    });
  }

  /** Ends what {@link #startSubscription} began in the hub and the broker; once per subscription. */
  private void leaveHub(Subscription sub) {
    hub.unsubscribe(sub.channel, sub);
    relay.broker().unsubscribe(sub.channel);
  }

  private record Recovery(StreamPosition position, List<Publication> publications, boolean recovered) {}

  /** The recovered publications a tags filter lets through (recovery shows what the live stream would). */
  private static List<Publication> passing(List<Publication> publications, TagFilter filter) {
    if (filter == null || publications.isEmpty()) {
      return publications;
    }
    return publications.stream().filter(p -> filter.matches(p.tags())).toList();
  }

  /**
   * The current stream position, plus, when recovering, every publication after the client's
   * position: all of the gap or none of it ({@code recovered:false}).
   */
  private Future<Recovery> readPosition(String channel, Request.Subscribe from) {
    if (from == null || from.epoch().isEmpty()) {
      return relay.broker().history(channel, HistoryFilter.positionOnly())
          .map(h -> new Recovery(h.position(), List.of(), false));
    }
    StreamPosition since = new StreamPosition(from.offset(), from.epoch());
    int max = options.recoveryMaxPublications();
    return relay.broker().history(channel, HistoryFilter.since(since, max))
        .map(h -> {
          List<Publication> pubs = h.publications();
          long top = h.position().offset();
          boolean whole = pubs.isEmpty()
              ? top == since.offset()
              : pubs.get(0).offset() == since.offset() + 1 && pubs.get(pubs.size() - 1).offset() == top;
          return whole ? new Recovery(h.position(), pubs, true) : new Recovery(h.position(), List.of(), false);
        })
        .recover(e -> e instanceof UnrecoverablePositionException
            ? readPosition(channel, null)
            : Future.failedFuture(e));
  }

  private void removeSubscription(Subscription sub) {
    subs.remove(sub.channel);
    sub.removed = true;
    leaveHub(sub);
    cancel(sub.expireTimer);
    sub.order.stop();
    ClientInfo info = info(sub);
    if (sub.ns.presence()) {
      relay.presence().removePresence(sub.channel, clientId, user);
    }
    if (sub.ns.joinLeave()) {
      relay.broker().publishLeave(sub.channel, info);
    }
  }

  /** An expired token answers 109 so the client fetches a new one; any other problem closes with 3500. */
  private void rejectToken(long id, Throwable failure) {
    if (!(failure instanceof TokenException e)) {
      UNEXPECTED.logThrottled(failure);
      close(Disconnect.INVALID_TOKEN);
      return;
    }
    if (e.reason() == TokenException.Reason.EXPIRED && transport.unidirectional()) {
      close(Disconnect.CONNECTION_EXPIRED); // no error replies on a unidirectional transport (Centrifugo: 3005)
    } else if (e.reason() == TokenException.Reason.EXPIRED) {
      reply(codec.error(id, ProtocolError.TOKEN_EXPIRED));
    } else {
      LOG.log(Level.DEBUG, "client {0}: token rejected: {1}", clientId, e.getMessage());
      close(Disconnect.INVALID_TOKEN);
    }
  }

  private void scheduleSubExpiry(Subscription sub) {
    cancel(sub.expireTimer);
    sub.expireTimer = -1;
    if (sub.expiresAt == null) {
      return;
    }
    sub.expireTimer = vertx.setTimer(delayUntil(sub.expiresAt) + options.expiredCloseDelay().toMillis(), t -> {
      sub.expireTimer = -1;
      if (subs.get(sub.channel) == sub && sub.expiresAt != null && sub.expiresAt <= relay.tokens().now()) {
        removeSubscription(sub);
        send(codec.unsubscribe(sub.channel, Unsubscribe.EXPIRED));
      }
    });
  }

  // ---- server-side commands (server API)

  /**
   * Re-adds this client's presence in every subscribed channel that keeps presence, so that entries
   * which expire unless refreshed (Redis) stay while the client does. Called periodically by the
   * server verticle.
   */
  public void refreshPresence() {
    if (state != State.CONNECTED) {
      return;
    }
    for (Subscription sub : subs.values()) {
      if (sub.ns.presence()) {
        relay.presence().addPresence(sub.channel, clientId, info(sub))
            .onFailure(e -> LOG.log(System.Logger.Level.DEBUG, "presence refresh failed: " + e.getMessage()));
      }
    }
  }

  /**
   * Subscribes this connection to {@code channel} on the server's behalf, without permission
   * checks, and tells the client with a {@code subscribe} push. Does nothing for an unknown channel
   * or one the client is already in.
   */
  public void serverSubscribe(String channel) {
    NamespaceOptions ns = relay.namespaces().resolve(ChannelName.parse(channel));
    if (state != State.CONNECTED || ns == null || subs.containsKey(channel)) {
      return;
    }
    Subscription sub = new Subscription(SubscriptionSpec.serverSide(channel, ns));
    startSubscription(sub, null, ns.recoverable(true)).onSuccess(result -> {
      if (state == State.CONNECTED) {
        send(codec.subscribePush(channel, result));
        sub.activate();
      }
    });
  }

  /** Ends this connection's subscription to {@code channel} and tells the client (code 2000). */
  public void serverUnsubscribe(String channel) {
    Subscription sub = subs.get(channel);
    if (sub != null && state == State.CONNECTED) {
      removeSubscription(sub);
      send(codec.unsubscribe(channel, Unsubscribe.SERVER));
    }
  }

  /**
   * Sets when this connection expires, on the server's behalf: {@code expireAt} epoch seconds,
   * {@code null} for never; an {@code expired} connection is closed at once with 3005.
   */
  public void serverRefresh(boolean expired, Long expireAt) {
    if (state != State.CONNECTED) {
      return;
    }
    if (expired) {
      close(Disconnect.CONNECTION_EXPIRED);
    } else {
      setExpiry(expireAt);
      send(codec.refreshPush(expireAt != null, ttl(expireAt)));
    }
  }

  /** Channels this connection is subscribed to (including ones still subscribing). */
  public java.util.Set<String> channels() {
    return java.util.Collections.unmodifiableSet(subs.keySet());
  }

  // ---- outbound

  /** A publication for a channel this session is in the hub for. */
  private void reply(byte[] message) {
    if (state != State.CLOSED) {
      send(message);
    }
  }

  private void send(byte[] message) {
    hub.stats().out(message.length);
    transport.write(message);
  }

  /** What the loop's {@link PingWheel} does with this session. */
  private final class Keepalive implements PingWheel.Pinged {
    @Override
    public void ping() {
      if (state == State.CLOSED) {
        return;
      }
      heardSincePing = false;
      pongDue = !transport.unidirectional();
      send(codec.ping());
    }

    @Override
    public void checkPong() {
      if (pongDue && !heardSincePing) {
        close(Disconnect.NO_PONG);
      }
      pongDue = false;
    }
  }

  /** Closes the connection with a disconnect code; cleanup follows through the transport's close handler. */
  public void close(Disconnect disconnect) {
    if (state != State.CLOSED) {
      transport.close(disconnect);
      cleanUp(disconnect.code());
    }
  }

  /** @param code the close code the server sent, 0 when the client closed */
  private void cleanUp(int code) {
    if (state == State.CLOSED) {
      return;
    }
    hub.stats().disconnect(code);
    state = State.CLOSED;
    cancel(staleTimer);
    hub.pings().remove(pings);
    hub.deadlines().remove(expiry);
    for (Subscription sub : new ArrayList<>(subs.values())) {
      removeSubscription(sub);
    }
    hub.removeSession(this);
    if (countedForUser) {
      new UserConnections(vertx).release(user);
    }
  }

  /** Takes a token from the command's bucket; true when rate limits are off or the bucket is {@code NONE}. */
  private boolean withinRate(Commands.Bucket bucket) {
    int rate = options.limits().commandRate();
    if (rate == 0 || bucket == Commands.Bucket.NONE) {
      return true;
    }
    int kind = bucket.ordinal();
    long now = System.nanoTime();
    if (buckets == null) {
      buckets = new TokenBucket[Commands.Bucket.values().length];
    }
    if (buckets[kind] == null) {
      buckets[kind] = new TokenBucket(rate, options.limits().commandBurst(), now);
    }
    return buckets[kind].tryTake(now);
  }

  // ---- helpers

  /**
   * The client's info for a channel ({@code sub} {@code null}: one it is not subscribed to). Built
   * once and shared, as publications in history keep it for minutes; built again when a refresh
   * changed the connection's info.
   */
  private ClientInfo info(Subscription sub) {
    ClientInfo cached = sub == null ? ownInfo : sub.info;
    if (cached == null || !Objects.equals(cached.connInfo(), connInfo)) {
      cached = new ClientInfo(user, clientId, connInfo, sub == null ? null : sub.chanInfo);
      if (sub == null) {
        ownInfo = cached;
      } else {
        sub.info = cached;
      }
    }
    return cached;
  }

  /** The future, completing on this session's event loop whatever thread the engine completes on. */
  private <T> Future<T> here(Future<T> f) {
    if (f.isComplete() && Vertx.currentContext() == context) {
      return f; // already done, and already here (the memory engines): nothing to hand over
    }
    Promise<T> p = Promise.promise();
    f.onComplete(ar -> {
      if (Vertx.currentContext() == context) {
        p.handle(ar);
      } else {
        context.runOnContext(v -> p.handle(ar));
      }
    });
    return p.future();
  }

  private long delayUntil(long epochSeconds) {
    return Math.max(1, (epochSeconds - relay.tokens().now()) * 1000);
  }

  private long ttl(Long at) {
    return at == null ? 0 : Math.max(1, at - relay.tokens().now());
  }

  private void cancel(long timer) {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  /** What the command handlers see of this session and may do with it. */
  private final class HandlerView implements Session {
    @Override
    public String clientId() {
      return clientId;
    }

    @Override
    public String user() {
      return user;
    }

    @Override
    public Role role() {
      return role;
    }

    @Override
    public Role opsRole() {
      return opsRole;
    }

    @Override
    public ClientOptions options() {
      return options;
    }

    @Override
    public String version() {
      return relay.version();
    }

    @Override
    public Namespaces namespaces() {
      return relay.namespaces();
    }

    @Override
    public TokenVerifier tokens() {
      return relay.tokens();
    }

    @Override
    public Broker broker() {
      return relay.broker();
    }

    @Override
    public PresenceManager presence() {
      return relay.presence();
    }

    @Override
    public Vertx vertx() {
      return vertx;
    }

    @Override
    public ClientCodec codec() {
      return codec;
    }

    @Override
    public boolean connecting() {
      return state == State.CONNECTING;
    }

    @Override
    public boolean connected() {
      return state == State.CONNECTED;
    }

    @Override
    public boolean closed() {
      return state == State.CLOSED;
    }

    @Override
    public void reply(byte[] message) {
      ClientSession.this.reply(message);
    }

    @Override
    public void close(Disconnect disconnect) {
      ClientSession.this.close(disconnect);
    }

    @Override
    public <T> Future<T> onLoop(Future<T> future) {
      return here(future);
    }

    @Override
    public void rejectToken(long id, Throwable failure) {
      ClientSession.this.rejectToken(id, failure);
    }

    @Override
    public void holdCommands() {
      state = State.AUTHENTICATED;
      deferred = new ArrayList<>();
    }

    @Override
    public boolean stopHolding() {
      boolean held = !deferred.isEmpty();
      state = State.CONNECTING;
      deferred = null;
      return held;
    }

    @Override
    public boolean admit(ConnectToken token) {
      // with no limit there is nothing to count (and no entry per user in the node's shared map)
      if (!token.user().isEmpty() && options.limits().userConnectionLimit() > 0) {
        if (!new UserConnections(vertx).tryAcquire(token.user(), options.limits().userConnectionLimit())) {
          LOG.log(Level.DEBUG, "client {0}: user over client.limits.user_connection_limit", clientId);
          ClientSession.this.close(Disconnect.CONNECTION_LIMIT);
          return false;
        }
        countedForUser = true;
      }
      state = State.AUTHENTICATED;
      if (deferred == null) {
        deferred = new ArrayList<>();
      }
      cancel(staleTimer);
      user = token.user();
      connInfo = token.info();
      role = Role.highest(token.roles());
      opsRole = token.opsRole();
      hub.connected(ClientSession.this);
      setExpiry(token.expiresAt());
      return true;
    }

    @Override
    public void open(long id, Map<String, SubscribeResult> subscribed) {
      if (state != State.AUTHENTICATED) {
        return;
      }
      state = State.CONNECTED;
      int ping = (int) Math.max(1, options.pingInterval().toSeconds());
      // unidirectional: a connect push (no id), and no pongs expected
      boolean uni = transport.unidirectional();
      String node = transport.node() != null ? transport.node() : uni ? null : relay.nodeName();
      ClientSession.this.reply(codec.connect(uni ? 0 : id, new ConnectResult(clientId, relay.version(),
          expiresAt != null, ttl(expiresAt), null, subscribed, ping, !uni, transport.session(), node)));
      subscribed.keySet().forEach(channel -> {
        Subscription sub = subs.get(channel);
        if (sub != null) {
          sub.activate();
        }
      });
      hub.pings().add(pings);
      List<Command> waiting = deferred;
      deferred = null;
      for (Command c : waiting) {
        if (state != State.CONNECTED) {
          return;
        }
        dispatchGuarded(c);
      }
    }

    @Override
    public void refreshed(String info, Long at) {
      connInfo = info != null ? info : connInfo;
      setExpiry(at);
    }

    @Override
    public Long expiresAt() {
      return expiresAt;
    }

    @Override
    public ChannelSubscription subscription(String channel) {
      return subs.get(channel);
    }

    @Override
    public int subscriptionCount() {
      return subs.size();
    }

    @Override
    public Subscribing subscribe(SubscriptionSpec spec, Request.Subscribe position, boolean recoverable) {
      Subscription sub = new Subscription(spec);
      return new Subscribing(sub, startSubscription(sub, position, recoverable));
    }

    @Override
    public void unsubscribe(String channel) {
      Subscription sub = subs.get(channel);
      if (sub != null) {
        removeSubscription(sub);
      }
    }

    @Override
    public ClientInfo infoIn(String channel) {
      return info(subs.get(channel));
    }

    @Override
    public PublishOptions publishOptions(String channel, NamespaceOptions ns) {
      ClientInfo info = infoIn(channel);
      int historySize = ns.historySize();
      Duration ttl = historySize > 0 ? ns.historyTtl() : Duration.ZERO;
      PublishOptions last = lastPublish;
      if (last == null || last.info() != info || last.historySize() != historySize || !last.historyTtl().equals(ttl)
          || last.delta() != ns.deltaPublish()) {
        last = new PublishOptions(info, Map.of(), historySize, ttl, PublishOptions.DEFAULT_HISTORY_META_TTL, null,
            ns.deltaPublish());
        lastPublish = last;
      }
      return last;
    }
  }
}
