package io.fluxer.control.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Webhook delivery ids in PostgreSQL: a repeat is refused per stack, and old ids are pruned. */
class HookDeliveriesTest {
  private final Vertx vertx = Vertx.vertx();
  private TestStore db;

  @BeforeEach
  void start() {
    db = TestStore.fresh(vertx);
  }

  @AfterEach
  void stop() {
    db.close();
    TestRelay.await(vertx.close());
  }

  @Test
  @DisplayName("A delivery id is accepted once per stack; past the retention it is forgotten (pruned)")
  void onceThenPruned() {
    ControlStore store = db.store();
    Duration day = Duration.ofHours(24);
    assertThat(TestRelay.await(store.claimHookDelivery("shop", "d-1", day))).isTrue();
    assertThat(TestRelay.await(store.claimHookDelivery("shop", "d-1", day))).as("a replay").isFalse();
    assertThat(TestRelay.await(store.claimHookDelivery("blog", "d-1", day))).as("another stack").isTrue();
    int rows = TestRelay.await(db.pool().query("SELECT count(*) FROM control_hook_deliveries").execute())
        .iterator().next().getInteger(0);
    assertThat(rows).isEqualTo(2);
    // a retention of zero forgets every earlier delivery before recording this one
    assertThat(TestRelay.await(store.claimHookDelivery("shop", "d-2", Duration.ZERO))).isTrue();
    assertThat(TestRelay.await(db.pool().query("SELECT delivery FROM control_hook_deliveries").execute()))
        .singleElement().satisfies(row -> assertThat(row.getString(0)).isEqualTo("d-2"));
    assertThat(TestRelay.await(store.claimHookDelivery("shop", "d-1", day))).as("pruned, so new again").isTrue();
  }
}
