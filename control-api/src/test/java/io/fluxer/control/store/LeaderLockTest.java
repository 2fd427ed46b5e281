package io.fluxer.control.store;

import static io.fluxer.relay.testing.HttpTestClient.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.common.config.PostgresOptions;
import io.fluxer.relay.testing.PgTestServer;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The leader lock on the tests' PostgreSQL: one holder at a time, and a holder whose session ends knows it. */
class LeaderLockTest {
  private static final Duration RETRY = Duration.ofMillis(100);
  private static final Duration WITHIN = Duration.ofSeconds(10);

  private Vertx vertx;
  private String url;
  private Pool admin;

  @BeforeEach
  void database() {
    vertx = Vertx.vertx();
    url = PgTestServer.freshDatabase(vertx);
    admin = PgTestServer.pool(vertx, url);
  }

  @AfterEach
  void drop() {
    TestRelay.await(admin.close());
    PgTestServer.dropDatabase(vertx, url);
    TestRelay.await(vertx.close());
  }

  @Test
  void aHolderWhoseSessionEndsStopsAndTheStandbyTakesTheLock() throws InterruptedException {
    var options = new PostgresOptions(url, 1, Duration.ZERO).connectOptions();
    AtomicInteger lostA = new AtomicInteger();
    LeaderLock a = new LeaderLock(vertx, options, RETRY).onLost(lostA::incrementAndGet);
    LeaderLock b = new LeaderLock(vertx, options, RETRY);
    TestRelay.await(a.acquire());
    Future<Void> bAcquired = b.acquire();
    // b stands by for as long as a holds the lock (twenty retries' worth)
    long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    while (System.nanoTime() < until) {
      assertThat(bAcquired.isComplete()).isFalse();
      assertThat(a.held()).isTrue();
      Thread.sleep(100);
    }

    // PostgreSQL ends a's session (an operator, a failover, a cut network): a learns it, once, and b leads
    TestRelay.await(admin.query("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
        + "AND granted").execute());
    eventually(lostA::get, n -> n == 1, WITHIN);
    assertThat(a.held()).isFalse();
    eventually(bAcquired::isComplete, done -> done, WITHIN);
    assertThat(bAcquired.succeeded()).isTrue();
    assertThat(b.held()).isTrue();
    assertThat(lostA.get()).isEqualTo(1);
    TestRelay.await(Future.join(a.release(), b.release()));
  }
}
