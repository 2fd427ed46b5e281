package io.fluxer.relay.testing;

import io.vertx.core.Vertx;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * The set-up the official-SDK tests share: one relay with the default test config for the whole
 * class (starting one per test would cost seconds each and isolate nothing the tests need: each
 * uses channels and users of its own), stopped after the last test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class SdkTestBase {
  private Vertx vertx;
  private TestRelay relay;

  @BeforeAll
  void startRelay() {
    vertx = Vertx.vertx();
    relay = TestRelay.start(vertx, config -> { });
  }

  @AfterAll
  void stopRelay() {
    try {
      if (relay != null) {
        relay.close();
      }
    } finally {
      TestRelay.await(vertx.close());
    }
  }

  /** The class's relay. */
  protected TestRelay relay() {
    return relay;
  }

  /** A name no other test uses: {@code prefix-} and 8 hex digits. */
  protected static String unique(String prefix) {
    return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
  }
}
