package io.fluxer.bench.ceiling;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * One event loop of the ceiling server: its HTTP server (sharing the port) and the channel →
 * connections map of the connections it accepted. Touched only from its own loop.
 */
final class CeilingVerticle extends VerticleBase {
  private static final CeilingConnection[] NONE = new CeilingConnection[0];
  private static final int MAX_MESSAGE_SIZE = 65536;

  private final CeilingServer server;
  private final String host;
  private final int port;
  private final Map<String, Set<CeilingConnection>> subscribers = new HashMap<>();
  /** Array copies of the subscriber sets, made on first delivery after a change (as in the relay's hub). */
  private final Map<String, CeilingConnection[]> snapshots = new HashMap<>();
  private HttpServer http;

  CeilingVerticle(CeilingServer server, String host, int port) {
    this.server = server;
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    http = vertx.createHttpServer(new HttpServerOptions()
            .setHost(host)
            .setPort(port)
            .setMaxWebSocketFrameSize(MAX_MESSAGE_SIZE)
            .setMaxWebSocketMessageSize(MAX_MESSAGE_SIZE)
            .setTcpNoDelay(true))
        .webSocketHandshakeHandler(hs -> {
          if (CeilingServer.PATH.equals(hs.path())) {
            hs.accept();
          } else {
            hs.reject(404);
          }
        })
        .webSocketHandler(ws -> new CeilingConnection(ws, context, this))
        .requestHandler(req -> req.response().setStatusCode(404).end());
    return http.listen();
  }

  @Override
  public Future<?> stop() {
    return http == null ? Future.succeededFuture() : http.close();
  }

  Context context() {
    return context;
  }

  int actualPort() {
    return http.actualPort();
  }

  void subscribe(String channel, CeilingConnection c) {
    if (subscribers.computeIfAbsent(channel, k -> new LinkedHashSet<>()).add(c)) {
      snapshots.remove(channel);
    }
  }

  void unsubscribe(String channel, CeilingConnection c) {
    Set<CeilingConnection> set = subscribers.get(channel);
    if (set != null && set.remove(c)) {
      snapshots.remove(channel);
      if (set.isEmpty()) {
        subscribers.remove(channel);
      }
    }
  }

  void publish(String channel, byte[] frame) {
    server.broadcast(this, channel, frame);
  }

  long nextOffset(String channel) {
    return server.nextOffset(channel);
  }

  void deliver(String channel, byte[] frame) {
    CeilingConnection[] snapshot = snapshots.get(channel);
    if (snapshot == null) {
      Set<CeilingConnection> set = subscribers.get(channel);
      if (set == null) {
        return;
      }
      snapshot = set.toArray(NONE);
      snapshots.put(channel, snapshot);
    }
    for (CeilingConnection c : snapshot) {
      c.write(frame);
    }
  }
}
