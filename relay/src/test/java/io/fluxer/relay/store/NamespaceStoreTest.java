package io.fluxer.relay.store;

import static io.fluxer.relay.testing.TestRelay.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.re2j.Pattern;
import io.fluxer.common.config.PostgresOptions;
import io.fluxer.common.store.StoreException;
import io.fluxer.relay.config.NamespaceOptions;
import io.fluxer.relay.config.Role;
import io.fluxer.relay.testing.PgTestServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@link NamespaceStore} against a real PostgreSQL, each test in an empty database. */
@ExtendWith(VertxExtension.class)
class NamespaceStoreTest {
  private Vertx vertx;
  private String url;
  private NamespaceStore store;
  private Pool look;

  @BeforeEach
  void migratedStore(Vertx vertx) {
    this.vertx = vertx;
    url = PgTestServer.freshDatabase(vertx);
    store = NamespaceStore.create(vertx, new PostgresOptions(url, 2, Duration.ZERO));
    look = PgTestServer.pool(vertx, url);
    await(store.migrate());
  }

  @AfterEach
  void dropDatabase() {
    await(store.close());
    await(look.close());
    PgTestServer.dropDatabase(vertx, url);
  }

  private static NamespaceOptions open(String name) {
    return NamespaceOptions.parse(new JsonObject().put("allow_subscribe_for_client", true), name);
  }

  @Test
  @DisplayName("Every option survives a round trip through PostgreSQL")
  void roundTrip() {
    NamespaceOptions all = new NamespaceOptions("full", 50, Duration.ofMinutes(2), true, true, true, true, true,
        true, true, true, true, true, true, true, true, Pattern.compile("[a-z]+"), Role.OPS, true, true,
        Set.of("fossil"), true);

    await(store.upsert(all));
    NamespaceOptions back = await(store.loadAll()).get("full");

    assertThat(back.toJson()).isEqualTo(all.toJson());
    assertThat(back.channelRegex().pattern()).isEqualTo("[a-z]+");
    JsonObject row = await(look.query("SELECT options FROM namespaces WHERE name = 'full'").execute())
        .iterator().next().getJsonObject(0);
    assertThat(row.containsKey("name")).as("the name is the row's key, not part of the options").isFalse();
  }

  @Test
  @DisplayName("upsert tells created from replaced and counts versions; delete tells whether it existed")
  void upsertAndDelete() {
    assertThat(await(store.upsert(open("news")))).isTrue();
    assertThat(await(store.upsert(NamespaceOptions.closed("news")))).isFalse();
    Row row = await(look.query("SELECT version, options FROM namespaces WHERE name = 'news'").execute())
        .iterator().next();
    assertThat(row.getLong("version")).isEqualTo(2);
    assertThat(row.getJsonObject("options")).isEqualTo(new JsonObject());
    assertThat(await(store.loadAll())).containsOnlyKeys("news");

    assertThat(await(store.delete("news"))).isTrue();
    assertThat(await(store.delete("news"))).isFalse();
    assertThat(await(store.loadAll())).isEmpty();
    assertThat(await(store.upsert(open("news")))).as("created again").isTrue();
  }

  @Test
  @DisplayName("The config file's namespaces seed a database once; later seeds change nothing, even after deletes")
  void seedsOnce() {
    assertThat(await(store.seedOnce(List.of(open("chat"), open("news"))))).isTrue();
    assertThat(await(store.loadAll())).containsOnlyKeys("chat", "news");

    assertThat(await(store.seedOnce(List.of(open("other"))))).isFalse();
    await(store.delete("chat"));
    await(store.delete("news"));
    assertThat(await(store.seedOnce(List.of(open("chat"))))).isFalse();

    assertThat(await(store.loadAll())).isEmpty();
  }

  @Test
  @DisplayName("Seeding an empty list still marks the database as seeded")
  void emptySeedCounts() {
    assertThat(await(store.seedOnce(List.of()))).isTrue();
    assertThat(await(store.seedOnce(List.of(open("chat"))))).isFalse();
    assertThat(await(store.loadAll())).isEmpty();
  }

  @Test
  @DisplayName("A stored row whose options do not parse is left out; the others load")
  void badRowLeftOut() {
    await(store.upsert(open("good")));
    await(look.query("INSERT INTO namespaces (name, options) VALUES ('bad', '{\"history_size\":\"lots\"}')")
        .execute());

    Map<String, NamespaceOptions> loaded = await(store.loadAll());

    assertThat(loaded).containsOnlyKeys("good");
  }

  @Test
  @DisplayName("Without a reachable PostgreSQL every call fails with a StoreException saying what failed")
  void unreachable() {
    NamespaceStore nowhere = NamespaceStore.create(vertx,
        new PostgresOptions("postgresql://postgres:secret-pw@127.0.0.1:1/postgres", 1, Duration.ZERO));
    try {
      Throwable failure = failure(nowhere.upsert(open("x")).mapEmpty());
      assertThat(failure).isInstanceOf(StoreException.class)
          .hasMessageContaining("storing namespace 'x'").hasMessageNotContaining("secret-pw");
      assertThat(failure(nowhere.loadAll().mapEmpty())).isInstanceOf(StoreException.class);
      assertThat(failure(nowhere.migrate().mapEmpty())).isInstanceOf(StoreException.class)
          .hasMessageContaining("migrating");
    } finally {
      await(nowhere.close());
    }
  }

  private static Throwable failure(io.vertx.core.Future<Void> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(20, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected a failure");
  }
}
