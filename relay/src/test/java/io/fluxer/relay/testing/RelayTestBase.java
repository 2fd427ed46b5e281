package io.fluxer.relay.testing;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Shared plumbing of the tests that run against a real relay node: a fresh {@link Vertx} per test
 * (from {@link VertxExtension}), a {@link TestRelay} started on demand, raw protocol clients and an
 * {@link HttpTestClient} that are closed after the test, unique channel names and config helpers.
 */
@ExtendWith(VertxExtension.class)
public abstract class RelayTestBase {
  /** Deadline for things that should happen promptly. */
  protected static final Duration SHORT = Duration.ofSeconds(5);

  protected Vertx vertx;
  private TestRelay relay;
  private HttpTestClient http;
  private final List<WsTestClient> clients = new ArrayList<>();

  @BeforeEach
  void keepVertx(Vertx vertx) {
    this.vertx = vertx;
  }

  @AfterEach
  void closeClientsAndRelay() {
    clients.forEach(WsTestClient::close);
    clients.clear();
    if (http != null) {
      http.close();
      http = null;
    }
    if (relay != null) {
      relay.close();
      relay = null;
    }
  }

  /** Starts this test's relay with the default test config changed by {@code customize}. */
  protected TestRelay startRelay(Consumer<JsonObject> customize) {
    if (relay != null) {
      throw new IllegalStateException("relay already started");
    }
    relay = TestRelay.start(vertx, customize);
    return relay;
  }

  /** This test's relay; started with the default config on first use. */
  protected TestRelay relay() {
    return relay != null ? relay : startRelay(config -> { });
  }

  /** Forgets the relay without stopping it (a test stopped it itself). */
  protected void forgetRelay() {
    relay = null;
  }

  /** An HTTP client of this test's relay, created on first use and closed after the test. */
  protected HttpTestClient http() {
    if (http == null) {
      http = new HttpTestClient(vertx, relay().httpUrl());
    }
    return http;
  }

  /** An open connection that has not sent connect yet. */
  protected WsTestClient open() {
    return track(WsTestClient.open(vertx, relay().wsUrl()));
  }

  /** A connection with an {@code Origin} header. */
  protected WsTestClient open(String origin) {
    return track(WsTestClient.open(vertx, relay().wsUrl(), origin));
  }

  /** A connection that has connected as {@code user} with a token valid for an hour. */
  protected WsTestClient connected(String user) {
    WsTestClient c = open();
    c.connectWith(relay().token(user));
    return c;
  }

  /** Closes {@code c} after the test. */
  protected WsTestClient track(WsTestClient c) {
    clients.add(c);
    return c;
  }

  /** A channel name in namespace {@code chat} that no other test uses. */
  protected static String chat(String name) {
    return "chat:" + unique(name);
  }

  protected static String unique(String name) {
    return name + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  /** Adds a namespace to a config tree. */
  protected static void addNamespace(JsonObject config, JsonObject namespace) {
    config.getJsonObject("channel").getJsonArray("namespaces").add(namespace);
  }

  /** The default {@code chat} namespace of a config tree, to change its options. */
  protected static JsonObject chatNamespace(JsonObject config) {
    JsonArray namespaces = config.getJsonObject("channel").getJsonArray("namespaces");
    for (int i = 0; i < namespaces.size(); i++) {
      if ("chat".equals(namespaces.getJsonObject(i).getString("name"))) {
        return namespaces.getJsonObject(i);
      }
    }
    throw new IllegalStateException("no chat namespace");
  }

  /** The {@code client} section of a config tree. */
  protected static JsonObject clientSection(JsonObject config) {
    return config.getJsonObject("client");
  }

  protected static long nowSeconds() {
    return System.currentTimeMillis() / 1000;
  }
}
