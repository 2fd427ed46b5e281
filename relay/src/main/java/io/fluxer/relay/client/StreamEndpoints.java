package io.fluxer.relay.client;

import io.fluxer.relay.config.ClientOptions;
import io.fluxer.relay.config.ServerOptions;
import io.fluxer.relay.http.ClientAddress;
import io.fluxer.relay.protocol.Command;
import io.fluxer.relay.protocol.CommandDecoder;
import io.fluxer.relay.protocol.ProtocolEncoder;
import io.fluxer.relay.protocol.ProtocolException;
import io.fluxer.relay.protocol.Request;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.HttpException;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The HTTP transports of one server instance: SSE and HTTP streaming (emulated: later commands come
 * through {@code POST /emulation}), their unidirectional forms, and {@code /emulation} itself.
 *
 * <p>Every endpoint checks the method and the {@code Origin} first, then (the connecting ones) the
 * connection rate of the client's address, and reads a body only after that, into memory and at
 * most {@code client.max_message_size} bytes (413 past it). Credentials are checked by the connect
 * command, as on WebSocket. Answers to refused requests carry a status and no body.
 */
final class StreamEndpoints {
  static final String SSE = "/connection/sse";
  static final String HTTP_STREAM = "/connection/http_stream";
  static final String UNI_SSE = "/connection/uni_sse";
  static final String UNI_HTTP_STREAM = "/connection/uni_http_stream";
  static final String EMULATION = "/emulation";
  /** The query parameter holding the connect command (SSE) or request (uni_sse, uni_websocket). */
  static final String CONNECT_PARAM = "cf_connect";
  /** How long a browser may cache a preflight's answer (Centrifugo's value). */
  static final String PREFLIGHT_MAX_AGE = "300";

  private final RelayContext relay;
  private final ServerOptions server;
  private final Vertx vertx;
  private final Context context;
  private final Hub hub;
  private final FlushScheduler flusher;
  private final OriginCheck origins;
  private final ConnectionRateLimiter connectionRate;
  private final EmulationRegistry emulation;

  StreamEndpoints(RelayContext relay, ServerOptions server, Vertx vertx, Context context, Hub hub,
                  FlushScheduler flusher, OriginCheck origins, ConnectionRateLimiter connectionRate,
                  EmulationRegistry emulation) {
    this.relay = relay;
    this.server = server;
    this.vertx = vertx;
    this.context = context;
    this.hub = hub;
    this.flusher = flusher;
    this.origins = origins;
    this.connectionRate = connectionRate;
    this.emulation = emulation;
  }

  /** Adds the routes; call before any route that would match these paths. */
  void mount(Router router) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(relay.client().maxMessageSize());
    route(router, SSE, Set.of(HttpMethod.GET, HttpMethod.POST), false, true, body,
        rc -> connect(rc, StreamFraming.SSE, false));
    route(router, HTTP_STREAM, Set.of(HttpMethod.POST), true, true, body,
        rc -> connect(rc, StreamFraming.JSON_LINES, false));
    route(router, UNI_SSE, Set.of(HttpMethod.GET, HttpMethod.POST), false, true, body,
        rc -> connect(rc, StreamFraming.SSE, true));
    route(router, UNI_HTTP_STREAM, Set.of(HttpMethod.POST), true, true, body,
        rc -> connect(rc, StreamFraming.JSON_LINES, true));
    route(router, EMULATION, Set.of(HttpMethod.POST), true, false, body, this::emulate);
  }

  /**
   * One endpoint: method, origin and (for {@code connecting} ones) connection rate, then the body of
   * a POST, then {@code handler}. OPTIONS answers a preflight where {@code preflight}.
   */
  private void route(Router router, String path, Set<HttpMethod> methods, boolean preflight, boolean connecting,
                     BodyHandler body, io.vertx.core.Handler<RoutingContext> handler) {
    router.route(path)
        .handler(rc -> admit(rc, methods, preflight, connecting))
        .handler(rc -> {
          if (rc.request().method() == HttpMethod.POST) {
            body.handle(rc);
          } else {
            rc.next();
          }
        })
        .handler(handler)
        .failureHandler(StreamEndpoints::failed);
  }

  private void admit(RoutingContext rc, Set<HttpMethod> methods, boolean preflight, boolean connecting) {
    HttpServerRequest request = rc.request();
    String origin = request.getHeader(HttpHeaders.ORIGIN);
    if (!origins.allows(origin, request.getHeader(HttpHeaders.HOST))) {
      status(rc, 403);
      return;
    }
    if (origin != null) {
      // As Centrifugo: an allowed origin is echoed, with credentials (the SDK sends same-origin ones).
      rc.response().putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, origin)
          .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
    }
    if (request.method() == HttpMethod.OPTIONS && preflight) {
      rc.response().putHeader(HttpHeaders.ACCESS_CONTROL_MAX_AGE, PREFLIGHT_MAX_AGE)
          .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_METHODS, "POST, OPTIONS")
          .putHeader(HttpHeaders.ACCESS_CONTROL_ALLOW_HEADERS, "Content-Type");
      status(rc, 204);
      return;
    }
    if (!methods.contains(request.method())) {
      status(rc, 405);
      return;
    }
    if ("application/octet-stream".equals(request.getHeader(HttpHeaders.CONTENT_TYPE))) {
      status(rc, 415); // Protobuf: not on these transports yet
      return;
    }
    if (connecting && request.version() == HttpVersion.HTTP_1_0) {
      status(rc, 505); // a stream needs chunked transfer encoding
      return;
    }
    if (connecting && !connectionRate.tryAcquire(
        ClientAddress.of(request.remoteAddress(), request.headers(), server.trustedProxies()))) {
      status(rc, 503);
      return;
    }
    rc.next();
  }

  /** Answers a failed route (413 from the body limit) with its status only. */
  private static void failed(RoutingContext rc) {
    int code = rc.statusCode() >= 400 ? rc.statusCode()
        : rc.failure() instanceof HttpException h ? h.getStatusCode() : 500;
    if (!rc.response().ended() && !rc.response().closed() && !rc.response().headWritten()) {
      status(rc, code);
    }
  }

  private static void status(RoutingContext rc, int code) {
    rc.response().setStatusCode(code).end();
  }

  /** What the client sent to connect: the body of a POST, else the {@code cf_connect} parameter. */
  private static String connectData(RoutingContext rc) {
    if (rc.request().method() == HttpMethod.POST) {
      return rc.body().asString();
    }
    return rc.request().getParam(CONNECT_PARAM);
  }

  private void connect(RoutingContext rc, StreamFraming framing, boolean unidirectional) {
    String data = connectData(rc);
    String commands;
    if (unidirectional) {
      commands = uniConnect(data == null || data.isBlank() ? "{}" : data);
      if (commands == null) {
        status(rc, 400);
        return;
      }
    } else if (data == null || data.isBlank()) {
      status(rc, 400);
      return;
    } else {
      commands = data;
    }
    ClientOptions c = relay.client();
    String session = UUID.randomUUID().toString();
    ClientSession[] owner = new ClientSession[1];
    HttpStreamTransport transport = new HttpStreamTransport(rc.response(), context, flusher, framing,
        ProtocolEncoder::disconnectPush, c.writeQueueMaxSize(), c.maxBatchSize(), unidirectional, session,
        unidirectional ? null : emulation.nodeId(), String.valueOf(rc.request().remoteAddress()),
        () -> emulation.unregister(session));
    owner[0] = new ClientSession(relay, vertx, context, hub, transport);
    if (!unidirectional) {
      emulation.register(session, context, owner[0]::handleMessage);
    }
    owner[0].handleMessage(commands);
  }

  /**
   * The connect command for a unidirectional connect request ({@code {"token": …, "data": …}}, a
   * {@code ConnectRequest} as Centrifugo takes it), or {@code null} when it is not one.
   */
  static String uniConnect(String request) {
    String command = "{\"id\":1,\"connect\":" + request + "}";
    try {
      // Decoding the command checks the request: one object, of a connect's field types.
      List<Command> decoded = CommandDecoder.decode(command);
      return decoded.size() == 1 && decoded.get(0).id() == 1 && decoded.get(0).request() instanceof Request.Connect
          ? command : null;
    } catch (ProtocolException e) {
      return null;
    }
  }

  private void emulate(RoutingContext rc) {
    JsonObject body;
    try {
      body = rc.body().asJsonObject();
    } catch (RuntimeException e) {
      body = null;
    }
    if (body == null || !(body.getValue("session") instanceof String session)
        || !(body.getValue("node") instanceof String node) || !(body.getValue("data") instanceof String data)) {
      status(rc, 400);
      return;
    }
    emulation.deliver(node, session, data).onComplete(ar -> {
      if (!rc.response().ended() && !rc.response().closed()) {
        status(rc, ar.succeeded() ? ar.result() : EmulationRegistry.UNAVAILABLE);
      }
    });
  }
}
