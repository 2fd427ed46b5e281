package io.fluxer.bench.ceiling;

import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The ceiling: what Vert.x alone does with the relay's framing and none of its logic. It accepts
 * WebSockets on {@code /connection/websocket}, answers {@code connect} and {@code subscribe} with
 * minimal replies (no token check, no history, no presence), and hands each published message,
 * encoded once, to every subscriber of its channel, coalescing what is queued for a connection in
 * one event-loop turn into one {@code \n}-joined frame, as the relay does. The load generator runs
 * the same scenarios against it and the relay, so the relay's figures read as a share of this.
 *
 * <p>Command line: {@code CeilingServer [--host 127.0.0.1] [--port 8100] [--instances 1]}.
 */
public final class CeilingServer {
  public static final String PATH = "/connection/websocket";

  private final Vertx vertx;
  private final List<CeilingVerticle> verticles = new CopyOnWriteArrayList<>();
  private final List<String> deployments = new ArrayList<>();
  private final ConcurrentHashMap<String, AtomicLong> offsets = new ConcurrentHashMap<>();
  private int port;

  private CeilingServer(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Starts {@code instances} server verticles (one per event loop) sharing one port; 0 picks a free port. */
  public static Future<CeilingServer> start(Vertx vertx, String host, int port, int instances) {
    CeilingServer server = new CeilingServer(vertx);
    // As in the relay: several instances share a random port only when each asks for it as -1.
    int bindPort = port == 0 && instances > 1 ? -1 : port;
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < instances; i++) {
      chain = chain.compose(v -> {
        CeilingVerticle verticle = new CeilingVerticle(server, host, bindPort);
        return vertx.deployVerticle(verticle, new DeploymentOptions()).map(id -> {
          server.deployments.add(id);
          server.verticles.add(verticle);
          return null;
        });
      });
    }
    return chain.map(v -> {
      server.port = server.verticles.get(0).actualPort();
      return server;
    });
  }

  public int port() {
    return port;
  }

  public Future<Void> stop() {
    List<Future<Void>> undeploys = new ArrayList<>();
    for (String id : deployments) {
      undeploys.add(vertx.undeploy(id));
    }
    deployments.clear();
    verticles.clear();
    return Future.join(undeploys).mapEmpty();
  }

  /** Next offset of a channel (the relay's broker assigns one per publication too). */
  long nextOffset(String channel) {
    return offsets.computeIfAbsent(channel, c -> new AtomicLong()).incrementAndGet();
  }

  /** Hands an encoded push to every instance: directly on the caller's, by a task on the others. */
  void broadcast(CeilingVerticle from, String channel, byte[] frame) {
    for (CeilingVerticle v : verticles) {
      if (v == from) {
        v.deliver(channel, frame);
      } else {
        v.context().runOnContext(x -> v.deliver(channel, frame));
      }
    }
  }

  public static void main(String[] args) throws Exception {
    String host = "127.0.0.1";
    int port = 8100;
    int instances = 1;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--host" -> host = args[i + 1];
        case "--port" -> port = Integer.parseInt(args[i + 1]);
        case "--instances" -> instances = Integer.parseInt(args[i + 1]);
        default -> {
          System.err.println("usage: CeilingServer [--host H] [--port P] [--instances N]");
          System.exit(2);
        }
      }
    }
    Vertx vertx = Vertx.vertx();
    CeilingServer server = start(vertx, host, port, instances).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        server.stop().eventually(vertx::close).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // exiting anyway
      }
    }, "ceiling-shutdown"));
    System.out.printf("ceiling listening on ws://%s:%d%s (%d event loops)%n", host, server.port(), PATH, instances);
    System.out.flush();
  }
}
