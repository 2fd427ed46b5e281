package io.fluxer.relay.node;

import io.fluxer.relay.auth.TokenVerifier;
import io.fluxer.relay.channel.Namespaces;
import io.fluxer.relay.client.BusEventHandler;
import io.fluxer.relay.client.DeliveryCodec;
import io.fluxer.relay.client.RelayContext;
import io.fluxer.relay.client.RelayServerVerticle;
import io.fluxer.relay.config.RelayConfig;
import io.fluxer.relay.config.TokenOptions;
import io.fluxer.relay.engine.Broker;
import io.fluxer.relay.engine.PresenceManager;
import io.fluxer.relay.engine.memory.MemoryBroker;
import io.fluxer.relay.engine.memory.MemoryPresenceManager;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * One relay node: the engines, the token verifier and one {@link RelayServerVerticle} per event loop,
 * all listening on the same port.
 */
public final class RelayNode {
  public static final String VERSION = "0.1.0";

  private final Vertx vertx;
  private final RelayConfig config;
  private final RelayContext relay;
  private final List<RelayServerVerticle> servers = new ArrayList<>();
  private final List<String> deployments = new ArrayList<>();
  private int port;

  private RelayNode(Vertx vertx, RelayConfig config, RelayContext relay) {
    this.vertx = vertx;
    this.config = config;
    this.relay = relay;
  }

  /** Starts a node on {@code vertx}; the future fails with the reason when the port or config is bad. */
  public static Future<RelayNode> start(Vertx vertx, RelayConfig config) {
    RelayNode node;
    try {
      registerCodec(vertx);
      Broker broker = new MemoryBroker();
      broker.setEventHandler(new BusEventHandler(vertx.eventBus()));
      PresenceManager presence = new MemoryPresenceManager();
      RelayContext relay = new RelayContext(config.server().nodeName(), VERSION, config.client(),
          new Namespaces(config.channel()), verifier(config.token()), broker, presence);
      node = new RelayNode(vertx, config, relay);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    return node.deployServers().map(node);
  }

  private Future<Void> deployServers() {
    // Instances share one listening port. Vert.x shares a random port only when every instance
    // asks for it as a negative number, so port 0 becomes -1 here.
    int bindPort = config.server().port() == 0 ? -1 : config.server().port();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < config.server().instances(); i++) {
      chain = chain.compose(v -> deployServer(bindPort).mapEmpty());
    }
    return chain.onSuccess(v -> port = servers.get(0).actualPort());
  }

  private Future<RelayServerVerticle> deployServer(int onPort) {
    RelayServerVerticle verticle = new RelayServerVerticle(relay, config.server().withPort(onPort));
    return vertx.deployVerticle(verticle, new DeploymentOptions()).map(id -> {
      deployments.add(id);
      servers.add(verticle);
      return verticle;
    });
  }

  /** Closes every client with 3001 (shutdown) and stops listening. */
  public Future<Void> stop() {
    List<Future<Void>> undeploys = new ArrayList<>();
    for (String id : deployments) {
      undeploys.add(vertx.undeploy(id));
    }
    deployments.clear();
    return Future.join(undeploys).compose(v -> relay.broker().close())
        .compose(v -> relay.presence().close()).mapEmpty();
  }

  public int port() {
    return port;
  }

  public RelayConfig config() {
    return config;
  }

  public RelayContext context() {
    return relay;
  }

  /** Sessions connected to this node, across its event loops. */
  public int sessionCount() {
    return servers.stream().mapToInt(s -> s.hub().sessionCount()).sum();
  }

  /**
   * Sessions per server instance (event loop). A snapshot read from outside the loops: for
   * tests and stats, not for decisions.
   */
  public List<Integer> sessionsPerInstance() {
    return servers.stream().map(s -> s.hub().sessionCount()).toList();
  }

  private static TokenVerifier verifier(TokenOptions token) {
    if (token.hasAnyKey()) {
      return TokenVerifier.create(token);
    }
    // Anonymous-only node: a random secret nobody knows, so no token can ever verify.
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    return TokenVerifier.create(new TokenOptions(Base64.getEncoder().encodeToString(secret), null, null,
        null, null, 0));
  }

  private static void registerCodec(Vertx vertx) {
    try {
      vertx.eventBus().registerCodec(new DeliveryCodec());
    } catch (IllegalStateException alreadyRegistered) {
      // another node on the same Vert.x instance (tests) registered it
    }
  }
}
