package io.fluxer.relay.client;

import centrifugal.centrifuge.protocol.Client;
import com.google.protobuf.InvalidProtocolBufferException;
import io.fluxer.relay.config.ClientOptions;
import io.fluxer.relay.config.ServerOptions;
import io.fluxer.relay.protocol.Command;
import io.fluxer.relay.protocol.ClientCodec;
import io.fluxer.relay.protocol.CommandDecoder;
import io.fluxer.relay.protocol.ProtobufCodec;
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
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * The HTTP transports of one server instance: SSE and HTTP streaming (emulated: later commands come
 * through {@code POST /emulation}), their unidirectional forms, and {@code /emulation} itself.
 *
 * <p>Every endpoint checks the method and the {@code Origin} first, then (the connecting ones) the
 * connection rate of the client's address, and reads a body only after that, into memory and at
 * most {@code client.max_message_size} bytes (413 past it). Credentials are checked by the connect
 * command, as on WebSocket. Answers to refused requests carry a status and no body, except 415.
 *
 * <p>Encodings: a POST with {@code Content-Type: application/octet-stream} speaks Protobuf, as
 * Centrifugo's and the SDKs' Protobuf builds do. On HTTP streaming its body is varint-length-delimited
 * {@code Command}s and the stream varint-length-delimited {@code Reply}s; on {@code /emulation} its
 * body is an {@code EmulationRequest} whose {@code data} holds the commands. SSE and the
 * unidirectional transports are JSON only: a Protobuf request there is answered 415 with a short
 * text saying so, and an SSE connect whose command is not a JSON object (what a Protobuf build of
 * the SDK puts in {@code cf_connect}) 400 with the same text.
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
  /** The request content type of the Protobuf encoding. */
  static final String PROTOBUF = "application/octet-stream";
  /** The text of the answers that refuse Protobuf on a JSON-only transport. */
  static final String JSON_ONLY = "this transport carries JSON only; Protobuf clients use " + HTTP_STREAM
      + " or WebSocket\n";

  private final RelayContext relay;
  private final ServerOptions server;
  private final Vertx vertx;
  private final Context context;
  private final Hub hub;
  private final FlushScheduler flusher;
  private final OriginCheck origins;
  private final ConnectionRateLimiter connectionRate;
  private final EmulationRegistry emulation;
  private final ClientCodec protobuf;

  StreamEndpoints(RelayContext relay, ServerOptions server, Vertx vertx, Context context, Hub hub,
                  FlushScheduler flusher, OriginCheck origins, ConnectionRateLimiter connectionRate,
                  EmulationRegistry emulation, ClientCodec protobuf) {
    this.relay = relay;
    this.server = server;
    this.vertx = vertx;
    this.context = context;
    this.hub = hub;
    this.flusher = flusher;
    this.origins = origins;
    this.connectionRate = connectionRate;
    this.emulation = emulation;
    this.protobuf = protobuf;
  }

  /** Adds the routes; call before any route that would match these paths. */
  void mount(Router router) {
    BodyHandler body = BodyHandler.create(false).setBodyLimit(relay.client().maxMessageSize());
    route(router, SSE, Set.of(HttpMethod.GET, HttpMethod.POST), false, true, false, body,
        rc -> connect(rc, StreamFraming.SSE, false));
    route(router, HTTP_STREAM, Set.of(HttpMethod.POST), true, true, true, body,
        rc -> connect(rc, isProtobuf(rc.request()) ? StreamFraming.PROTOBUF : StreamFraming.JSON_LINES, false));
    route(router, UNI_SSE, Set.of(HttpMethod.GET, HttpMethod.POST), false, true, false, body,
        rc -> connect(rc, StreamFraming.SSE, true));
    route(router, UNI_HTTP_STREAM, Set.of(HttpMethod.POST), true, true, false, body,
        rc -> connect(rc, StreamFraming.JSON_LINES, true));
    route(router, EMULATION, Set.of(HttpMethod.POST), true, false, true, body, this::emulate);
  }

  /**
   * One endpoint: method, origin, encoding and (for {@code connecting} ones) connection rate, then
   * the body of a POST, then {@code handler}. OPTIONS answers a preflight where {@code preflight};
   * a Protobuf request is answered 415 unless {@code protobufToo}.
   */
  private void route(Router router, String path, Set<HttpMethod> methods, boolean preflight, boolean connecting,
                     boolean protobufToo, BodyHandler body, io.vertx.core.Handler<RoutingContext> handler) {
    router.route(path)
        .handler(rc -> admit(rc, methods, preflight, connecting, protobufToo))
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

  private void admit(RoutingContext rc, Set<HttpMethod> methods, boolean preflight, boolean connecting,
                     boolean protobufToo) {
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
    if (!protobufToo && isProtobuf(request)) {
      // As in Centrifugo: SSE and the unidirectional transports carry JSON only.
      rc.response().setStatusCode(415).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
          .end(JSON_ONLY);
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

  /** Whether a request speaks Protobuf: its {@code Content-Type} is {@code application/octet-stream}. */
  static boolean isProtobuf(HttpServerRequest request) {
    String type = request.getHeader(HttpHeaders.CONTENT_TYPE);
    if (type == null) {
      return false;
    }
    int parameters = type.indexOf(';');
    return (parameters < 0 ? type : type.substring(0, parameters)).strip().toLowerCase(Locale.ROOT).equals(PROTOBUF);
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
    if (framing == StreamFraming.PROTOBUF) {
      connectProtobuf(rc);
      return;
    }
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
    } else if (framing == StreamFraming.SSE && !data.strip().startsWith("{")) {
      // What an SDK's Protobuf build puts in cf_connect (its binary command, as text) is no JSON
      // command: say so, rather than start a stream only to close it with 3501.
      rc.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8")
          .end(JSON_ONLY);
      return;
    } else {
      commands = data;
    }
    ClientSession owner = open(rc, framing, unidirectional, null);
    owner.handleMessage(commands);
  }

  /** HTTP streaming with Protobuf: the body holds the connect command, varint-length-delimited. */
  private void connectProtobuf(RoutingContext rc) {
    byte[] commands = rc.body().buffer() == null ? new byte[0] : rc.body().buffer().getBytes();
    if (commands.length == 0) {
      status(rc, 400);
      return;
    }
    // Malformed commands are answered on the stream (a disconnect push, 3501), as on WebSocket.
    open(rc, StreamFraming.PROTOBUF, false, protobuf).handleMessage(commands);
  }

  /**
   * Starts the response stream and a session on it (registered for {@code /emulation} unless
   * unidirectional); {@code codec} {@code null} is JSON.
   */
  private ClientSession open(RoutingContext rc, StreamFraming framing, boolean unidirectional, ClientCodec codec) {
    ClientOptions c = relay.client();
    String session = UUID.randomUUID().toString();
    HttpStreamTransport transport = new HttpStreamTransport(rc.response(), context, flusher, framing,
        codec == null ? ProtocolEncoder::disconnectPush : ProtobufCodec::disconnectPush, c.writeQueueMaxSize(),
        c.maxBatchSize(), unidirectional, session, unidirectional ? null : emulation.nodeId(),
        String.valueOf(rc.request().remoteAddress()), () -> emulation.unregister(session));
    ClientSession owner = codec == null ? new ClientSession(relay, vertx, context, hub, transport)
        : new ClientSession(relay, vertx, context, hub, transport, codec);
    if (!unidirectional) {
      emulation.register(session, context, owner::handleMessage);
    }
    return owner;
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
    if (isProtobuf(rc.request())) {
      emulateProtobuf(rc);
      return;
    }
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
    deliver(rc, node, session, data.getBytes(StandardCharsets.UTF_8));
  }

  /** {@code /emulation} with Protobuf: the body is an {@code EmulationRequest{node, session, data}}. */
  private void emulateProtobuf(RoutingContext rc) {
    Client.EmulationRequest request;
    try {
      request = rc.body().buffer() == null ? null : Client.EmulationRequest.parseFrom(rc.body().buffer().getBytes());
    } catch (InvalidProtocolBufferException e) {
      request = null;
    }
    if (request == null || request.getSession().isEmpty() || request.getNode().isEmpty()) {
      status(rc, 400);
      return;
    }
    deliver(rc, request.getNode(), request.getSession(), request.getData().toByteArray());
  }

  private void deliver(RoutingContext rc, String node, String session, byte[] commands) {
    emulation.deliver(node, session, commands).onComplete(ar -> {
      if (!rc.response().ended() && !rc.response().closed()) {
        status(rc, ar.succeeded() ? ar.result() : EmulationRegistry.UNAVAILABLE);
      }
    });
  }
}
