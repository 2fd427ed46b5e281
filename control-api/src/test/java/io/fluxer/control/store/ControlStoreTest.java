package io.fluxer.control.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fluxer.common.store.Migrations;
import io.fluxer.control.store.ControlStore.Deployment;
import io.fluxer.control.store.ControlStore.Event;
import io.fluxer.control.store.ControlStore.Revision;
import io.fluxer.relay.store.RelaySchema;
import io.fluxer.relay.testing.TestRelay;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** control-api's PostgreSQL store, against a real PostgreSQL (a fresh database per test). */
class ControlStoreTest {
  private final Vertx vertx = Vertx.vertx();
  private TestStore db;
  private Pool pool;
  private ControlStore store;
  private final byte[] key = new byte[32];

  @BeforeEach
  void start() {
    new SecureRandom().nextBytes(key);
    db = TestStore.fresh(vertx, new EnvCipher(key));
    pool = db.pool();
    store = db.store();
  }

  @AfterEach
  void stop() {
    db.close();
    await(vertx.close());
  }

  private static <T> T await(Future<T> f) {
    return TestRelay.await(f);
  }

  @Test
  void aStackIsAdoptedOnlyWhileTheStoreDoesNotManageIt() {
    assertThat(await(store.manages("cli"))).isFalse();
    await(store.createDeployment("cli", null, "scale", "api", "bob")); // known, but no revision: not managed
    assertThat(await(store.manages("cli"))).isFalse();

    Revision adopted = await(store.adoptRevision("cli", "services: {web: {image: a}}", Map.of("PW", "s3cret"),
        Map.of("./motd.txt", "hi"), "alice")).orElseThrow();
    assertThat(adopted.revision()).isEqualTo(1);
    assertThat(await(store.revision("cli", 1)).orElseThrow().files()).containsEntry("./motd.txt", "hi");
    Row sealed = await(pool.query("SELECT env, files FROM control_stack_revisions").execute()).iterator().next();
    assertThat(sealed.getString(0) + sealed.getString(1)).startsWith("v2:").doesNotContain("s3cret")
        .doesNotContain("motd");
    assertThat(await(store.manages("cli"))).isTrue();
    assertThat(await(store.adoptRevision("cli", "services: {}", Map.of(), Map.of(), "eve"))).isEmpty();
    assertThat(await(store.revisions("cli"))).hasSize(1);

    // removed: adopted again as its next revision
    await(store.markRemoved("cli"));
    assertThat(await(store.manages("cli"))).isFalse();
    assertThat(await(store.adoptRevision("cli", "services: {}", Map.of(), Map.of(), "alice")).orElseThrow().revision())
        .isEqualTo(2);
    assertThat(await(store.manages("cli"))).isTrue();
  }

  @Test
  void revisionsCountFromOneAndKeepTheirFileAndEnvironment() {
    Revision r1 = await(store.addRevision("shop", "services: {web: {image: a}}", Map.of("TAG", "1"), "alice"));
    Revision r2 = await(store.addRevision("shop", "services: {web: {image: b}}", Map.of("TAG", "2", "DB_PASSWORD",
        "s3cret"), "bob"));

    assertThat(r1.revision()).isEqualTo(1);
    assertThat(r2.revision()).isEqualTo(2);
    Revision read = await(store.revision("shop", 1)).orElseThrow();
    assertThat(read.stackFile()).isEqualTo("services: {web: {image: a}}");
    assertThat(read.env()).containsExactly(Map.entry("TAG", "1"));
    assertThat(read.createdBy()).isEqualTo("alice");
    assertThat(await(store.latestRevision("shop")).orElseThrow().env())
        .containsEntry("DB_PASSWORD", "s3cret").containsEntry("TAG", "2");
    assertThat(await(store.revision("shop", 3))).isEmpty();
    assertThat(await(store.latestRevision("nope"))).isEmpty();
    assertThat(await(store.revisions("shop"))).extracting(o -> ((JsonObject) o).getInteger("revision"))
        .containsExactly(2, 1);
  }

  @Test
  void aRevisionKeepsItsFilesSealedAndItsImageTags() {
    await(store.addRevision("shop", "x", Map.of(), Map.of("./db.pw", "hunter2-in-a-file"), Map.of("web", "2.1"),
        "webhook"));
    Revision read = await(store.revision("shop", 1)).orElseThrow();
    assertThat(read.files()).containsExactly(Map.entry("./db.pw", "hunter2-in-a-file"));
    assertThat(read.imageTags()).containsExactly(Map.entry("web", "2.1"));
    Row row = await(pool.query("SELECT files FROM control_stack_revisions").execute()).iterator().next();
    assertThat(row.getString(0)).startsWith("v2:").doesNotContain("hunter2");
    // an older revision without files reads back empty
    await(store.addRevision("shop", "y", Map.of(), "alice"));
    assertThat(await(store.revision("shop", 2)).orElseThrow().files()).isEmpty();
  }

  @Test
  void deploymentsLeftUnfinishedAreFailedAtStart() {
    Deployment queued = await(store.createDeployment("shop", null, "scale", "api", "alice"));
    Deployment converging = await(store.createDeployment("shop", null, "restart", "api", "alice"));
    await(store.transition(converging.id(), DeploymentState.UPDATING, "u", new JsonObject()));
    await(store.transition(converging.id(), DeploymentState.CONVERGING, "c", new JsonObject()));
    Deployment done = await(store.createDeployment("shop", null, "scale", "api", "alice"));
    await(store.transition(done.id(), DeploymentState.UPDATING, "u", new JsonObject()));
    await(store.transition(done.id(), DeploymentState.CONVERGING, "c", new JsonObject()));
    await(store.transition(done.id(), DeploymentState.SUCCEEDED, "s", new JsonObject()));

    List<Deployment> failed = await(store.failUnfinished("control-api stopped"));

    assertThat(failed).extracting(Deployment::id).containsExactly(queued.id(), converging.id());
    Deployment read = await(store.deployment(converging.id())).orElseThrow();
    assertThat(read.state()).isEqualTo(DeploymentState.FAILED);
    assertThat(read.finishedAt()).isNotNull();
    assertThat(read.timeline().get(read.timeline().size() - 1).message()).isEqualTo("control-api stopped");
    assertThat(await(store.deployment(done.id())).orElseThrow().state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(await(store.failUnfinished("again"))).isEmpty();
  }

  @Test
  void aWebhookSecretIsSealedRotatedAndRemoved() {
    assertThat(await(store.rotateHookSecret("nope", "alice"))).as("no such stack").isEmpty();
    await(store.addRevision("shop", "x", Map.of(), "alice"));
    assertThat(await(store.hookSecret("shop"))).isEmpty();
    String first = await(store.rotateHookSecret("shop", "alice")).orElseThrow();
    assertThat(first).matches("[0-9a-f]{64}");
    assertThat(await(store.hookSecret("shop"))).contains(first);
    String second = await(store.rotateHookSecret("shop", "bob")).orElseThrow();
    assertThat(second).isNotEqualTo(first);
    assertThat(await(store.hookSecret("shop"))).contains(second);
    Row row = await(pool.query("SELECT secret FROM control_stack_hooks").execute()).iterator().next();
    assertThat(row.getString(0)).doesNotContain(second);
    // sealed for its stack: moved to another stack's row it does not open
    await(store.addRevision("other", "x", Map.of(), "alice"));
    await(pool.query("INSERT INTO control_stack_hooks (stack, secret, created_by) "
        + "SELECT 'other', secret, 'mallory' FROM control_stack_hooks WHERE stack = 'shop'").execute());
    assertThatThrownBy(() -> await(store.hookSecret("other"))).hasMessageContaining("webhook secret of other");
    assertThat(await(store.removeHookSecret("shop"))).isTrue();
    assertThat(await(store.hookSecret("shop"))).isEmpty();
    assertThat(await(store.removeHookSecret("shop"))).isFalse();
  }

  @Test
  void theEnvironmentIsNeverStoredInPlainText() {
    await(store.addRevision("shop", "x", Map.of("DB_PASSWORD", "hunter2-very-secret"), "alice"));

    Row row = await(pool.query("SELECT env FROM control_stack_revisions").execute()).iterator().next();
    assertThat(row.getString(0)).startsWith("v2:").doesNotContain("hunter2").doesNotContain("DB_PASSWORD");
  }

  @Test
  void anotherKeyCannotReadIt() {
    await(store.addRevision("shop", "x", Map.of("A", "1"), "alice"));
    byte[] other = key.clone();
    other[0] ^= 1;
    ControlStore wrongKey = await(ControlStore.start(vertx, pool, new EnvCipher(other)));

    assertThatThrownBy(() -> await(wrongKey.revision("shop", 1)))
        .hasMessageContaining("cannot decrypt the environment of shop revision 1");
  }

  @Test
  void concurrentRevisionsOfOneStackGetDistinctNumbers() {
    List<Future<Revision>> all = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      all.add(store.addRevision("busy", "file " + i, Map.of(), "ci"));
    }
    await(Future.all(all));

    assertThat(all).extracting(f -> f.result().revision()).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7, 8);
  }

  @Test
  void aDeploymentMovesAlongTheStateMachineAndKeepsItsTimeline() {
    await(store.addRevision("shop", "x", Map.of(), "alice"));
    Deployment d = await(store.createDeployment("shop", 1, "deploy", "api", "alice"));
    assertThat(d.state()).isEqualTo(DeploymentState.QUEUED);

    await(store.transition(d.id(), DeploymentState.UPDATING, "updating 2 services", new JsonObject()));
    await(store.note(d.id(), "task shop_web.1 running", new JsonObject().put("node", "n1").put("state", "running")));
    await(store.transition(d.id(), DeploymentState.CONVERGING, "waiting for 2 tasks", new JsonObject()));
    Deployment done = await(store.transition(d.id(), DeploymentState.SUCCEEDED, "converged", new JsonObject()));

    assertThat(done.state()).isEqualTo(DeploymentState.SUCCEEDED);
    assertThat(done.finishedAt()).isNotNull();
    assertThat(done.timeline()).extracting(Event::seq).containsExactly(1, 2, 3, 4, 5);
    assertThat(done.timeline()).extracting(e -> e.state().id())
        .containsExactly("queued", "updating", "updating", "converging", "succeeded");
    assertThat(done.timeline().get(2).detail().getString("node")).isEqualTo("n1");
    assertThat(done.toJson().getJsonArray("timeline")).hasSize(5);
  }

  @Test
  void anIllegalTransitionFailsAndChangesNothing() {
    Deployment d = await(store.createDeployment("shop", null, "scale", "api", "alice"));
    await(store.transition(d.id(), DeploymentState.UPDATING, "scaling", new JsonObject()));

    assertThatThrownBy(() -> await(store.transition(d.id(), DeploymentState.ROLLED_BACK, "?", new JsonObject())))
        .hasRootCauseInstanceOf(ControlStore.IllegalTransitionException.class)
        .hasMessageContaining("from updating to rolled_back");
    Deployment after = await(store.deployment(d.id())).orElseThrow();
    assertThat(after.state()).isEqualTo(DeploymentState.UPDATING);
    assertThat(after.timeline()).hasSize(2);

    await(store.transition(d.id(), DeploymentState.FAILED, "deadline passed", new JsonObject()));
    Deployment rolledBack = await(store.transition(d.id(), DeploymentState.ROLLED_BACK, "back to revision 1",
        new JsonObject()));
    assertThat(rolledBack.state()).isEqualTo(DeploymentState.ROLLED_BACK);
  }

  @Test
  void deploymentsAndStacksAreListedNewestFirst() {
    await(store.addRevision("a", "x", Map.of(), "alice"));
    await(store.addRevision("b", "x", Map.of(), "alice"));
    Deployment first = await(store.createDeployment("a", 1, "deploy", "api", "alice"));
    Deployment second = await(store.createDeployment("a", 1, "deploy", "webhook", "hook:a"));
    await(store.createDeployment("b", 1, "deploy", "api", "alice"));
    await(store.transition(second.id(), DeploymentState.FAILED, "image missing", new JsonObject()));

    assertThat(await(store.deployments("a", 10))).extracting(Deployment::id).containsExactly(second.id(), first.id());
    assertThat(await(store.deployments(null, 10))).hasSize(3);
    assertThat(await(store.deployments(null, 1))).hasSize(1);
    JsonArray stacks = await(store.stacks());
    assertThat(stacks).extracting(o -> ((JsonObject) o).getString("name")).containsExactly("a", "b");
    assertThat(stacks.getJsonObject(0).getString("last_deployment_state")).isEqualTo("failed");

    assertThat(await(store.markRemoved("b"))).isTrue();
    assertThat(await(store.stacks())).hasSize(1);
    await(store.addRevision("b", "y", Map.of(), "alice")); // deployed again
    assertThat(await(store.stacks())).hasSize(2);
    assertThat(await(store.deployment(UUID.randomUUID()))).isEmpty();
  }

  @Test
  void auditRecordsWhoDidWhat() {
    await(store.audit("alice", "stack.deploy", "shop", "accepted", new JsonObject().put("revision", 1)));
    await(store.audit("hook:shop", "webhook", "shop", "refused: bad signature", null));

    JsonArray audit = await(store.audit(10));
    assertThat(audit).hasSize(2);
    assertThat(audit.getJsonObject(0).getString("actor")).isEqualTo("hook:shop");
    assertThat(audit.getJsonObject(1).getJsonObject("detail").getInteger("revision")).isEqualTo(1);
  }

  @Test
  void itsMigrationsLiveBesideTheRelays() {
    List<Integer> relay = await(RelaySchema.load(vertx).compose(m -> m.migrate(pool)));
    assertThat(relay).containsExactly(1, 2);
    List<Integer> control = await(Migrations.load(vertx, ControlStore.SCHEMA).compose(m -> m.migrate(pool)));
    assertThat(control).as("applied when the store started").isEmpty();

    Row tables = await(pool.query("SELECT count(*) FROM information_schema.tables WHERE table_name IN "
        + "('schema_migrations', 'control_schema_migrations', 'namespaces', 'api_keys', 'control_stacks')").execute())
        .iterator().next();
    assertThat(tables.getLong(0)).isEqualTo(5);
  }
}
