package io.fluxer.relay.client;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/** {@link EventLoops} over a node's {@link RelayServerVerticle}s, one per event loop, added as they deploy. */
public final class ServerLoops implements EventLoops {
  private final List<RelayServerVerticle> servers = new CopyOnWriteArrayList<>();

  /** Adds a deployed server instance. */
  public void add(RelayServerVerticle server) {
    servers.add(server);
  }

  /** Whether no instance was added yet. */
  public boolean isEmpty() {
    return servers.isEmpty();
  }

  /** The port the first instance listens on (they all share it). */
  public int port() {
    return servers.get(0).actualPort();
  }

  @Override
  public <T> Future<List<T>> inspect(Function<Hub, T> action) {
    List<Future<T>> results = new ArrayList<>();
    for (RelayServerVerticle s : servers) {
      results.add(s.onLoop(action));
    }
    return Future.all(results).map(all -> all.<T>list());
  }
}
