package io.fluxer.control.api;

import io.fluxer.control.store.ControlStore;
import io.fluxer.control.store.TestStore;
import io.fluxer.relay.testing.HttpTestClient;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the control API tests run against: a fresh PostgreSQL database ({@link #store}), the
 * {@link ControlApi} a test registers on the event bus ({@link #register}), and a real relay whose
 * gateway forwards the control routes to it ({@link #http}). Everything is made again for each test.
 */
abstract class ControlApiTestBase {
  static final Map<String, String> ADMIN = HttpTestClient.apiKey(TestRelay.ADMIN_KEY);
  static final Map<String, String> OPS = HttpTestClient.apiKey(TestRelay.OPS_KEY);
  static final Map<String, String> VIEWER = HttpTestClient.apiKey(TestRelay.VIEWER_KEY);

  final Vertx vertx = Vertx.vertx();
  ControlStore store;
  HttpTestClient http;
  TestStore db;
  TestRelay relay;

  /** The API this test class talks to, registered before the relay starts: the plain one by default. */
  ControlApi register(ControlStore store) {
    return new ControlApi(store);
  }

  @BeforeEach
  void startControlApi() {
    db = TestStore.fresh(vertx);
    store = db.store();
    await(register(store).register(vertx.eventBus()));
    relay = TestRelay.start(vertx, config -> { });
    http = new HttpTestClient(vertx, relay.httpUrl());
  }

  @AfterEach
  void stopControlApi() {
    http.close();
    relay.close();
    db.close();
    await(vertx.close());
  }

  static <T> T await(Future<T> f) {
    return TestRelay.await(f);
  }
}
