package io.fluxer.relay.client;

import io.fluxer.relay.config.ClientOptions;
import io.fluxer.relay.protocol.Disconnect;
import io.fluxer.relay.protocol.ProtocolEncoder;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.ContextInternal;
import java.util.List;
import java.util.UUID;
import java.util.function.IntConsumer;

/**
 * {@code /connection/uni_websocket}, as Centrifugo serves it: the connect request
 * ({@code {"token": …}}) comes in the {@code cf_connect} query parameter or as the first message;
 * the server then sends plain pushes, one per text frame, starting with {@code {"connect": …}}.
 * Messages after the connect request are read and ignored (Centrifugo does the same); a first
 * message that is not a connect request closes with 3501. A disconnect is a {@code disconnect} push
 * followed by the close frame.
 */
final class UniWebSocket implements Transport {
  private final WebSocketTransport socket;
  private final String session = UUID.randomUUID().toString();

  private UniWebSocket(WebSocketTransport socket) {
    this.socket = socket;
  }

  static void accept(ServerWebSocket ws, RelayContext relay, Vertx vertx, ContextInternal context, Hub hub,
                     FlushScheduler flusher) {
    ClientOptions c = relay.client();
    ClientSession[] session = new ClientSession[1];
    boolean[] connected = new boolean[1];
    UniWebSocket[] self = new UniWebSocket[1];
    // One message per frame (a batch of one): a uni client reads each frame as one push.
    WebSocketTransport socket = WebSocketTransport.attach(ws, context, flusher, c.writeQueueMaxSize(), 1,
        c.maxMessageSize(), message -> {
          if (!connected[0]) {
            connected[0] = true;
            self[0].connect(session[0], message);
          }
        });
    self[0] = new UniWebSocket(socket);
    session[0] = new ClientSession(relay, vertx, context, hub, self[0]);
    List<String> inQuery = new QueryStringDecoder(ws.uri()).parameters().get(StreamEndpoints.CONNECT_PARAM);
    if (inQuery != null && !inQuery.isEmpty()) {
      connected[0] = true;
      self[0].connect(session[0], inQuery.get(0));
    }
  }

  private void connect(ClientSession session, String request) {
    String command = StreamEndpoints.uniConnect(request);
    if (command == null) {
      session.close(Disconnect.BAD_REQUEST);
    } else {
      session.handleMessage(command);
    }
  }

  @Override
  public void write(byte[] message) {
    socket.write(UniPush.unwrap(message));
  }

  @Override
  public void close(Disconnect disconnect) {
    socket.write(UniPush.unwrap(ProtocolEncoder.disconnectPush(disconnect)));
    socket.close(disconnect);
  }

  @Override
  public void closeHandler(IntConsumer handler) {
    socket.closeHandler(handler);
  }

  @Override
  public String remoteAddress() {
    return socket.remoteAddress();
  }

  @Override
  public boolean unidirectional() {
    return true;
  }

  @Override
  public String session() {
    return session;
  }
}
