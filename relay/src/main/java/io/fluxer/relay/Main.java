package io.fluxer.relay;

import io.fluxer.relay.auth.JwtSigner;
import io.fluxer.relay.config.ConfigException;
import io.fluxer.relay.config.ConfigLoader;
import io.fluxer.relay.config.RelayConfig;
import io.fluxer.relay.metrics.VertxMetricsSetup;
import io.fluxer.relay.node.RelayNode;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * Command line: {@code fluxer [--dev] [--config FILE]}. The config file may also come from
 * {@code FLUXER_CONFIG}; {@code FLUXER_*} variables override it. {@code --dev} starts from the
 * embedded dev defaults and prints a token for user {@code dev}.
 */
public final class Main {
  /** The dev API key (admin) in the embedded dev defaults. */
  static final String DEV_API_KEY = "fluxer-dev-api-key-not-for-production";

  private Main() {}

  public static void main(String[] args) throws Exception {
    boolean dev = false;
    String configFile = System.getenv("FLUXER_CONFIG");
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--dev" -> dev = true;
        case "--config" -> {
          if (i + 1 >= args.length) {
            exit("--config needs a file");
          }
          configFile = args[++i];
        }
        case "-h", "--help" -> {
          System.out.println("usage: fluxer [--dev] [--config FILE]");
          return;
        }
        default -> exit("unknown argument: " + args[i] + " (usage: fluxer [--dev] [--config FILE])");
      }
    }
    // Vert.x's own metrics (HTTP, WebSocket, event bus, pools, event loops, JVM) go to a Prometheus
    // registry, which the node adds its fluxer_* meters to and serves on /metrics.
    Vertx vertx = VertxMetricsSetup.create(new VertxOptions());
    RelayConfig config;
    try {
      JsonObject base = dev ? devDefaults() : new JsonObject();
      config = ConfigLoader.load(vertx, base, configFile).toCompletionStage().toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      exit(cause instanceof ConfigException ? cause.getMessage() : "cannot read configuration: " + cause);
      return;
    }
    RelayNode node;
    try {
      node = RelayNode.start(vertx, config).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      vertx.close();
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      exit("cannot start: " + cause.getMessage());
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        node.stop().eventually(vertx::close).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // exiting anyway
      }
    }, "fluxer-shutdown"));
    System.out.printf("Fluxer relay %s listening on ws://%s:%d/connection/websocket (%d event loops)%n",
        RelayNode.VERSION, config.server().host(), node.port(), config.server().instances());
    if (dev) {
      System.out.println("FLUXER_DEV_TOKEN=" + devToken(config));
      System.out.println("FLUXER_DEV_API_KEY=" + DEV_API_KEY);
    }
    System.out.flush();
  }

  /** A token for user {@code dev}, valid for 24 hours, signed with the configured HMAC secret. */
  static String devToken(RelayConfig config) {
    if (config.token().hmacSecret() == null) {
      throw new ConfigException("token.hmac_secret_key", "dev mode needs an HMAC secret to sign the dev token");
    }
    long now = Instant.now().getEpochSecond();
    JsonObject claims = new JsonObject()
        .put("sub", "dev")
        .put("iat", now)
        .put("exp", now + Duration.ofHours(24).toSeconds())
        .put("roles", new JsonArray().add("admin"));
    return JwtSigner.hmac("HS256", config.token().hmacSecret().getBytes(StandardCharsets.UTF_8)).sign(claims);
  }

  static JsonObject devDefaults() throws IOException {
    try (InputStream in = Main.class.getResourceAsStream("/fluxer-dev.json")) {
      if (in == null) {
        throw new IOException("fluxer-dev.json missing from the classpath");
      }
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
  }

  private static void exit(String message) {
    System.err.println("fluxer: " + message);
    System.exit(2);
  }
}
