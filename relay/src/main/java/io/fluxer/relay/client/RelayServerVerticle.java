package io.fluxer.relay.client;

import io.fluxer.relay.config.ClientOptions;
import io.fluxer.relay.config.ServerLimitOptions;
import io.fluxer.relay.config.ServerOptions;
import io.fluxer.relay.protocol.Disconnect;
import io.fluxer.relay.protocol.ProtobufCodec;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.internal.ContextInternal;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The HTTP/WebSocket server, one instance per event loop. Each instance owns the sessions accepted
 * on its loop and their {@link Hub}, and consumes the node's publications from the event bus.
 */
public final class RelayServerVerticle extends VerticleBase {
  public static final String WEBSOCKET_PATH = "/connection/websocket";
  /** The WebSocket subprotocol of the Protobuf client protocol; without it a connection speaks JSON. */
  public static final String PROTOBUF_SUBPROTOCOL = "centrifuge-protobuf";
  public static final String UNI_WEBSOCKET_PATH = "/connection/uni_websocket";
  private static final Set<String> INTERNAL_PATHS = Set.of("/metrics", "/health", "/ready");
  /** Presence is refreshed in this many slices of the refresh period (engine.presence_ttl / 3). */
  private static final int PRESENCE_SLICES = 10;

  private final RelayContext relay;
  private final ServerOptions serverOptions;
  private final OriginCheck origins;
  private final Hub hub;
  private final Consumer<Router> routes;
  private final EmulationRegistry emulation;
  private final LocalFanout fanout;
  private LocalFanout.Registration deliveries;
  private FlushScheduler flusher;
  private ProtobufCodec protobuf;
  private HttpServer server;
  private HttpServer internalServer;
  private ConnectionRateLimiter connectionRate;
  /** Header-deadline timers of connections that have not sent a whole request head yet, by peer. */
  private final Map<String, Long> headerTimers = new HashMap<>();

  /**
   * @param routes adds the node's HTTP routes (server API, ops API, health, metrics) to this
   *     instance's router
   * @param emulation the node's sessions on emulated transports ({@code /emulation})
   * @param fanout what hands the node's deliveries to this instance's hub
   */
  public RelayServerVerticle(RelayContext relay, ServerOptions serverOptions, Consumer<Router> routes,
                             EmulationRegistry emulation, LocalFanout fanout) {
    this.relay = relay;
    this.serverOptions = serverOptions;
    this.origins = new OriginCheck(relay.client().allowedOrigins());
    this.routes = routes;
    this.emulation = emulation;
    this.fanout = fanout;
    this.hub = new Hub(relay.client().pingInterval(), relay.client().pongTimeout());
  }

  @Override
  public Future<?> start() {
    flusher = new FlushScheduler(context, relay.client().writeDelay().toMillis());
    protobuf = new ProtobufCodec(relay.client().maxMessageSize());
    ServerLimitOptions limits = serverOptions.limits();
    connectionRate = ConnectionRateLimiter.of(vertx, limits.connectionRate(), limits.connectionBurst());
    Router router = Router.router(vertx);
    // The HTTP transports first, so that no route of the APIs (their CORS rules) sees them.
    new StreamEndpoints(relay, serverOptions, vertx, context, hub, flusher, origins, connectionRate,
        emulation, protobuf).mount(router);
    routes.accept(router);
    if (limits.internalPort() != 0) {
      router.route().order(-1).handler(rc -> servedOnInternalPortOnly(rc, true));
    }

    deliveries = fanout.register(context, hub::deliver);
    vertx.setPeriodic(PingWheel.TICK_MILLIS, t -> hub.tick());

    ClientOptions c = relay.client();
    HttpServerOptions options = new HttpServerOptions()
        .setHost(serverOptions.host())
        .setPort(serverOptions.port())
        .setMaxWebSocketFrameSize(c.maxMessageSize())
        .setMaxWebSocketMessageSize(c.maxMessageSize())
        // No compression: a deflate context per connection costs memory and CPU on every frame
        // (Centrifugo leaves it off by default too), and WebSocketTransport writes frames itself.
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        // Offered by Protobuf clients; the handshake agrees on it when asked, JSON clients ask for none.
        .setWebSocketSubProtocols(List.of(PROTOBUF_SUBPROTOCOL))
        .setTcpNoDelay(true)
        .setHttp2ClearTextEnabled(false)
        .setIdleTimeout((int) limits.idleTimeout().toMillis())
        .setIdleTimeoutUnit(TimeUnit.MILLISECONDS);
    // Upgrades go to the server's own WebSocket handlers (not the router, whose wrapper would hide
    // the Vert.x WebSocket that WebSocketTransport takes over).
    server = vertx.createHttpServer(options)
        .webSocketHandshakeHandler(this::handshake)
        .webSocketHandler(this::accept)
        .connectionHandler(this::startHeaderDeadline)
        .requestHandler(request -> {
          headersArrived(request.connection().remoteAddress());
          router.handle(request);
        });
    long refresh = relay.presenceRefresh().toMillis();
    if (refresh > 0) {
      // A tenth of the sessions every tenth of the period, not thousands of engine calls in one turn
      SlicedRounds<ClientSession> rounds = new SlicedRounds<>(PRESENCE_SLICES, hub::liveSessions,
          ClientSession::refreshPresence);
      vertx.setPeriodic(Math.max(1, refresh / PRESENCE_SLICES), t -> rounds.tick());
    }
    Future<?> internal = Future.succeededFuture();
    if (limits.internalPort() != 0) {
      Router internalRouter = Router.router(vertx);
      routes.accept(internalRouter);
      internalRouter.route().order(-1).handler(rc -> servedOnInternalPortOnly(rc, false));
      internalServer = vertx.createHttpServer(new HttpServerOptions().setHost(serverOptions.host())
          .setPort(limits.internalPort()).setHttp2ClearTextEnabled(false)
          .setIdleTimeout((int) limits.idleTimeout().toMillis()).setIdleTimeoutUnit(TimeUnit.MILLISECONDS))
          .requestHandler(internalRouter);
      internal = internalServer.listen().recover(e -> cannotListen("server.internal_port", limits.internalPort(), e));
    }
    // on failure Vert.x closes what this deployment opened (servers, timers); the fan-out
    // registration goes with the node that failed to start
    return internal.compose(v -> server.listen().recover(e -> cannotListen("server.port", serverOptions.port(), e)));
  }

  /** A bind failure that names the address and the config key, as the operator needs it. */
  private Future<HttpServer> cannotListen(String key, int port, Throwable e) {
    return Future.failedFuture(new IllegalStateException("cannot listen on " + serverOptions.host() + ":" + port
        + " (" + key + "): " + e.getMessage(), e));
  }

  @Override
  public Future<?> stop() {
    if (deliveries != null) {
      deliveries.close();
    }
    for (ClientSession s : hub.sessions()) {
      s.close(Disconnect.SHUTDOWN);
    }
    Future<Void> internal = internalServer == null ? Future.succeededFuture() : internalServer.close();
    return server == null ? internal : Future.all(internal, server.close());
  }

  /** The port actually bound (useful when configured with 0). */
  public int actualPort() {
    return server.actualPort();
  }

  public Hub hub() {
    return hub;
  }

  /** Runs {@code action} with this instance's hub on its event loop. */
  public <T> Future<T> onLoop(Function<Hub, T> action) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> {
      try {
        promise.complete(action.apply(hub));
      } catch (RuntimeException e) {
        promise.fail(e);
      }
    });
    return promise.future();
  }

  /**
   * With {@code server.internal_port} set: on the public port ({@code publicPort}) {@code /metrics}
   * answers 404; on the internal port only {@code /metrics}, {@code /health} and {@code /ready} exist.
   */
  private static void servedOnInternalPortOnly(RoutingContext rc, boolean publicPort) {
    String path = rc.normalizedPath();
    boolean pass = publicPort ? !path.equals("/metrics") : INTERNAL_PATHS.contains(path);
    if (pass) {
      rc.next();
    } else {
      rc.response().setStatusCode(404).end();
    }
  }

  /** Closes a new connection that has not sent a whole request head within {@code server.header_timeout}. */
  private void startHeaderDeadline(HttpConnection connection) {
    long timeout = serverOptions.limits().headerTimeout().toMillis();
    if (timeout == 0) {
      return;
    }
    String peer = connection.remoteAddress().toString();
    long timer = vertx.setTimer(timeout, t -> {
      if (headerTimers.remove(peer) != null) {
        connection.close();
      }
    });
    headerTimers.put(peer, timer);
    connection.closeHandler(v -> headersArrived(connection.remoteAddress()));
  }

  private void headersArrived(SocketAddress peer) {
    Long timer = headerTimers.remove(peer.toString());
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
  }

  /** The address a connection's rate limit is counted against: the TCP peer. */
  /** The TCP peer, or what a trusted proxy's {@code X-Forwarded-For} names ({@code server.trusted_proxies}). */
  private String clientAddress(ServerWebSocketHandshake handshake) {
    return ClientAddress.of(handshake.remoteAddress(), handshake.headers(), serverOptions.trustedProxies());
  }

  private void handshake(ServerWebSocketHandshake handshake) {
    headersArrived(handshake.remoteAddress());
    if (!WEBSOCKET_PATH.equals(handshake.path()) && !UNI_WEBSOCKET_PATH.equals(handshake.path())) {
      handshake.reject(404);
    } else if (!origins.allows(handshake.headers().get(HttpHeaders.ORIGIN),
        handshake.headers().get(HttpHeaders.HOST))) {
      handshake.reject(403);
    } else if (!connectionRate.tryAcquire(clientAddress(handshake))) {
      handshake.reject(503);
    } else {
      handshake.accept();
    }
  }

  /**
   * Whether a WebSocket speaks the Protobuf encoding: it agreed on the subprotocol, or (as
   * Centrifugo also accepts, for SDKs and tools that cannot offer a subprotocol) its URL says
   * {@code format=protobuf} or {@code cf_protocol=protobuf}.
   */
  static boolean wantsProtobuf(String subProtocol, String query) {
    if (PROTOBUF_SUBPROTOCOL.equals(subProtocol)) {
      return true;
    }
    if (query == null || query.isEmpty()) {
      return false;
    }
    Map<String, List<String>> params = new QueryStringDecoder(query, false).parameters();
    return params.getOrDefault("format", List.of()).contains("protobuf")
        || params.getOrDefault("cf_protocol", List.of()).contains("protobuf");
  }

  private void accept(ServerWebSocket ws) {
    ClientOptions c = relay.client();
    if (UNI_WEBSOCKET_PATH.equals(ws.path())) {
      UniWebSocket.accept(ws, relay, vertx, (ContextInternal) context, hub, flusher);
      return;
    }
    ClientSession[] session = new ClientSession[1];
    if (wantsProtobuf(ws.subProtocol(), ws.query())) {
      WebSocketTransport transport = WebSocketTransport.attachBinary(ws, (ContextInternal) context, flusher,
          c.writeQueueMaxSize(), c.maxBatchSize(), c.maxMessageSize(), message -> session[0].handleMessage(message));
      session[0] = new ClientSession(relay, vertx, context, hub, transport, protobuf);
      return;
    }
    WebSocketTransport transport = WebSocketTransport.attach(ws, (ContextInternal) context, flusher,
        c.writeQueueMaxSize(), c.maxBatchSize(), c.maxMessageSize(), message -> session[0].handleMessage(message));
    session[0] = new ClientSession(relay, vertx, context, hub, transport);
  }
}
