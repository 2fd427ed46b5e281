package io.fluxer.common.store;

import static io.fluxer.relay.testing.TestRelay.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.fluxer.common.store.Migrations.Migration;
import io.fluxer.relay.store.RelaySchema;
import io.fluxer.relay.testing.PgTestServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The versioned schema: applied once, in order, atomically, and safely from several nodes at once. */
@ExtendWith(VertxExtension.class)
class MigrationsTest {
  private Vertx vertx;
  private String url;
  private final List<Pool> pools = new ArrayList<>();

  @BeforeEach
  void freshDatabase(Vertx vertx) {
    this.vertx = vertx;
    url = PgTestServer.freshDatabase(vertx);
  }

  @AfterEach
  void dropDatabase() {
    pools.forEach(p -> await(p.close()));
    PgTestServer.dropDatabase(vertx, url);
  }

  private Pool pool() {
    Pool p = PgTestServer.pool(vertx, url);
    pools.add(p);
    return p;
  }

  private List<Integer> recordedVersions(Pool pool) {
    List<Integer> versions = new ArrayList<>();
    for (Row row : await(pool.query("SELECT version FROM schema_migrations ORDER BY version").execute())) {
      versions.add(row.getInteger(0));
    }
    return versions;
  }

  private boolean tableExists(Pool pool, String table) {
    return await(pool.query("SELECT to_regclass('public." + table + "') IS NOT NULL").execute())
        .iterator().next().getBoolean(0);
  }

  @Test
  @DisplayName("The relay's migrations apply once and are recorded; a second run applies nothing")
  void appliesOnceThenNothing() {
    Pool pool = pool();
    Migrations migrations = await(RelaySchema.load(vertx));

    assertThat(await(migrations.migrate(pool))).containsExactly(1, 2);
    assertThat(recordedVersions(pool)).containsExactly(1, 2);
    assertThat(tableExists(pool, "namespaces")).isTrue();
    assertThat(tableExists(pool, "seeds")).isTrue();
    assertThat(tableExists(pool, "api_keys")).isTrue();

    assertThat(await(migrations.migrate(pool))).isEmpty();
    assertThat(recordedVersions(pool)).containsExactly(1, 2);
  }

  @Test
  @DisplayName("Runs from several pools at once all succeed; exactly one of them applies each version")
  void concurrentRunsDoNotRace() {
    Migrations migrations = await(RelaySchema.load(vertx));
    List<Pool> nodes = List.of(pool(), pool(), pool());

    List<Future<List<Integer>>> runs = nodes.stream().map(migrations::migrate).toList();
    await(Future.all(runs));

    List<Integer> applied = runs.stream().flatMap(f -> f.result().stream()).toList();
    assertThat(applied).containsExactlyInAnyOrder(1, 2);
    assertThat(recordedVersions(nodes.get(0))).containsExactly(1, 2);
  }

  @Test
  @DisplayName("Later versions apply on top of earlier ones, in version order")
  void laterVersionsApplyInOrder() {
    Pool pool = pool();
    Migration v1 = new Migration(1, "a", "CREATE TABLE a (n integer)");
    Migration v2 = new Migration(2, "b", "INSERT INTO a VALUES (2)");
    Migration v3 = new Migration(3, "c", "UPDATE a SET n = n * 10; CREATE TABLE c (n integer)");

    assertThat(await(new Migrations(RelaySchema.SCHEMA, List.of(v1)).migrate(pool))).containsExactly(1);
    assertThat(await(new Migrations(RelaySchema.SCHEMA, List.of(v1, v2, v3)).migrate(pool))).containsExactly(2, 3);

    assertThat(await(pool.query("SELECT n FROM a").execute()).iterator().next().getInteger(0)).isEqualTo(20);
    assertThat(tableExists(pool, "c")).isTrue();
    assertThat(recordedVersions(pool)).containsExactly(1, 2, 3);
  }

  @Test
  @DisplayName("A failing migration rolls the whole run back and names its version")
  void failureRollsBackTheRun() {
    Pool pool = pool();
    Migration v1 = new Migration(1, "a", "CREATE TABLE a (n integer)");
    Migration bad = new Migration(2, "broken", "CREATE TABLE broken (n no_such_type)");

    Future<List<Integer>> run = new Migrations(RelaySchema.SCHEMA, List.of(v1, bad)).migrate(pool);
    Throwable failure = failureOf(run);

    assertThat(failure).isInstanceOf(StoreException.class).hasMessageContaining("V2 (broken)");
    assertThat(tableExists(pool, "a")).isFalse();
    assertThat(tableExists(pool, "schema_migrations")).isFalse();

    assertThat(await(new Migrations(RelaySchema.SCHEMA, List.of(v1)).migrate(pool))).containsExactly(1);
  }

  @Test
  @DisplayName("Every SQL file in the migrations folder is listed, in version order")
  void everyFileIsListed() throws Exception {
    URL folder = Migrations.class.getClassLoader().getResource(RelaySchema.FOLDER);
    assertThat(folder).isNotNull();
    List<String> files;
    try (Stream<Path> list = Files.list(Path.of(folder.toURI()))) {
      files = list.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")).sorted().toList();
    }
    assertThat(RelaySchema.FILES).containsExactlyInAnyOrderElementsOf(files);
    List<Integer> versions = Migrations.fromClasspath(RelaySchema.SCHEMA).all().stream().map(Migration::version).toList();
    assertThat(versions).isSorted().doesNotHaveDuplicates();
  }

  private static Throwable failureOf(Future<?> future) {
    try {
      future.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("expected a failure");
  }
}
