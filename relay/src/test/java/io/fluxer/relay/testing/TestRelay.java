package io.fluxer.relay.testing;

import io.fluxer.relay.Main;
import io.fluxer.relay.auth.JwtSigner;
import io.fluxer.relay.client.Hub;
import io.fluxer.relay.config.RelayConfig;
import io.fluxer.relay.node.RelayNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A real relay node for tests: listens on a free port of 127.0.0.1 with two event loops, signs
 * tokens with a test HMAC secret. Start with {@link #start}, stop with {@link #close}.
 */
public final class TestRelay implements AutoCloseable {
  public static final String SECRET = "test-secret-0123456789-abcdefghij";
  public static final String ADMIN_KEY = "test-admin-key-0123456789";
  public static final String OPS_KEY = "test-ops-key-0123456789";
  public static final String VIEWER_KEY = "test-viewer-key-0123456789";

  private final Vertx vertx;
  private final RelayNode node;
  private final JwtSigner signer = JwtSigner.hmac("HS256", SECRET.getBytes(StandardCharsets.UTF_8));

  private TestRelay(Vertx vertx, RelayNode node) {
    this.vertx = vertx;
    this.node = node;
  }

  /** The default test config: namespace {@code chat} (history, recovery, presence, join/leave, open to clients). */
  public static JsonObject defaultConfig() {
    JsonObject chat = new JsonObject()
        .put("name", "chat")
        .put("history_size", 100)
        .put("history_ttl", "5m")
        .put("force_recovery", true)
        .put("presence", true)
        .put("join_leave", true)
        .put("force_push_join_leave", true)
        .put("allow_subscribe_for_client", true)
        .put("allow_publish_for_client", true)
        .put("allow_history_for_client", true)
        .put("allow_presence_for_client", true);
    return new JsonObject()
        .put("server", new JsonObject().put("host", "127.0.0.1").put("port", 0).put("instances", 2).put("node_name", "test")
            .put("shutdown_drain", "0s"))
        .put("client", new JsonObject())
        .put("token", new JsonObject().put("hmac_secret_key", SECRET))
        .put("api", new JsonObject().put("keys", new JsonArray()
            .add(new JsonObject().put("name", "admin").put("key", ADMIN_KEY).put("role", "admin"))
            .add(new JsonObject().put("name", "ops").put("key", OPS_KEY).put("role", "ops"))
            .add(new JsonObject().put("name", "viewer").put("key", VIEWER_KEY).put("role", "viewer"))))
        .put("channel", new JsonObject().put("namespaces", new JsonArray().add(chat)));
  }

  /** Starts a node with the default config, changed by {@code customize}. */
  public static TestRelay start(Vertx vertx, Consumer<JsonObject> customize) {
    JsonObject json = defaultConfig();
    customize.accept(json);
    return start(vertx, RelayConfig.fromJson(json));
  }

  public static TestRelay start(Vertx vertx, RelayConfig config) {
    return new TestRelay(vertx, await(Main.startNode(vertx, config)));
  }

  public int port() {
    return node.port();
  }

  public RelayNode node() {
    return node;
  }

  /** Sessions on each event loop, connected or not, counted on the loops themselves. */
  public List<Integer> sessionsPerLoop() {
    return await(node.loops().inspect(Hub::sessionCount));
  }

  /** Sessions on the node, connected or not ({@link #sessionsPerLoop} summed). */
  public int sessionCount() {
    return sessionsPerLoop().stream().mapToInt(Integer::intValue).sum();
  }

  /** Base URL of the HTTP APIs, e.g. {@code http://127.0.0.1:PORT}. */
  public String httpUrl() {
    return "http://127.0.0.1:" + port();
  }

  public String wsUrl() {
    return "ws://127.0.0.1:" + port() + "/connection/websocket";
  }

  /** A connection token for {@code user}, valid for an hour. */
  public String token(String user) {
    return token(new JsonObject().put("sub", user).put("exp", Instant.now().getEpochSecond() + 3600));
  }

  /** A connection token for {@code user} that expires after {@code ttl}. */
  public String token(String user, Duration ttl) {
    return token(new JsonObject().put("sub", user).put("exp", Instant.now().getEpochSecond() + ttl.toSeconds()));
  }

  /**
   * An ops token for {@code user} with these roles, valid for ten minutes: the default ops audience
   * ({@code token.ops.audience}) and the roles in {@code roles}.
   */
  public String opsToken(String user, String... roles) {
    long now = Instant.now().getEpochSecond();
    return token(new JsonObject().put("sub", user).put("aud", io.fluxer.relay.config.OpsTokenOptions.DEFAULT_AUDIENCE)
        .put("iat", now).put("exp", now + 600).put("roles", new io.vertx.core.json.JsonArray(java.util.List.of((Object[]) roles))));
  }

  /** Signs arbitrary claims with the test secret. */
  public String token(JsonObject claims) {
    return signer.sign(claims);
  }

  @Override
  public void close() {
    await(node.stop());
  }

  public Vertx vertx() {
    return vertx;
  }

  public static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("future did not complete: " + e, e);
    }
  }
}
