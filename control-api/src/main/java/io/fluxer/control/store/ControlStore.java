package io.fluxer.control.store;

import io.fluxer.control.docker.RegistryAuth;
import io.fluxer.common.store.Migrations;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * What control-api keeps in PostgreSQL: stacks with every revision of their stack file (the
 * environment encrypted by {@link EnvCipher}), deployments with their timeline, and the audit log.
 * Every method is non-blocking (Vert.x PG client) and returns a future; a deployment's state only
 * moves along {@link DeploymentState#next()}.
 */
public final class ControlStore {
  /** control-api's own migrations table and lock, beside the relay's in the same database. */
  public static final Migrations.Schema SCHEMA = new Migrations.Schema("control_schema_migrations",
      0x666C_7578_6572_0002L, "io/fluxer/control/store/migrations/", List.of("V1__control.sql", "V2__files_tags_hooks.sql",
      "V3__hook_deliveries.sql", "V4__registries.sql"));

  /**
   * One revision of a stack: its file, with its environment and files decrypted, and the image tags
   * a webhook set over the file's images ({@code {"web": "2.1"}}, by service key).
   */
  public record Revision(String stack, int revision, String stackFile, Map<String, String> env,
                         Map<String, String> files, Map<String, String> imageTags, String createdBy,
                         OffsetDateTime createdAt) {
    public Revision {
      env = Map.copyOf(env);
      files = Map.copyOf(files);
      imageTags = Map.copyOf(imageTags);
    }
  }

  /** A deployment as listed; {@link #timeline} is empty unless read with {@link #deployment}. */
  public record Deployment(UUID id, String stack, Integer revision, String kind, String trigger,
                           DeploymentState state, String requestedBy, OffsetDateTime createdAt,
                           OffsetDateTime updatedAt, OffsetDateTime finishedAt, List<Event> timeline) {
    public JsonObject toJson() {
      JsonObject json = new JsonObject().put("id", id.toString()).put("stack", stack).put("revision", revision)
          .put("kind", kind).put("trigger", trigger).put("state", state.id()).put("requested_by", requestedBy)
          .put("created_at", createdAt.toString()).put("updated_at", updatedAt.toString())
          .put("finished_at", finishedAt == null ? null : finishedAt.toString());
      if (!timeline.isEmpty()) {
        JsonArray events = new JsonArray();
        timeline.forEach(e -> events.add(e.toJson()));
        json.put("timeline", events);
      }
      return json;
    }
  }

  /** One entry of a deployment's timeline: a state change or a note (task transitions). */
  public record Event(int seq, OffsetDateTime at, DeploymentState state, String message, JsonObject detail) {
    public JsonObject toJson() {
      return new JsonObject().put("seq", seq).put("at", at.toString()).put("state", state.id())
          .put("message", message).put("detail", detail);
    }
  }

  /** A state change that {@link DeploymentState#next()} does not allow. */
  public static final class IllegalTransitionException extends IllegalStateException {
    public IllegalTransitionException(String message) {
      super(message);
    }
  }

  private final Pool pool;
  private final EnvCipher cipher;
  private final SecureRandom random = new SecureRandom();

  private ControlStore(Pool pool, EnvCipher cipher) {
    this.pool = pool;
    this.cipher = cipher;
  }

  /** Migrates control-api's schema (under its own lock), then serves from {@code pool}. */
  public static Future<ControlStore> start(Vertx vertx, Pool pool, EnvCipher cipher) {
    return Migrations.load(vertx, SCHEMA).compose(m -> m.migrate(pool)).map(v -> new ControlStore(pool, cipher));
  }

  // ---- stacks and revisions

  /** Stores the next revision of {@code stack} with no files and no image tags. */
  public Future<Revision> addRevision(String stack, String stackFile, Map<String, String> env, String actor) {
    return addRevision(stack, stackFile, env, Map.of(), Map.of(), actor);
  }

  /**
   * Stores the next revision of {@code stack} (created on first use); revisions count from 1.
   *
   * @param files the texts of the files the stack file reads, by the path it names them with
   * @param imageTags tags set over the file's images, by service key
   */
  public Future<Revision> addRevision(String stack, String stackFile, Map<String, String> env,
                                      Map<String, String> files, Map<String, String> imageTags, String actor) {
    return pool.withTransaction(conn -> insertRevision(conn, stack, stackFile, env, files, imageTags, actor));
  }

  /**
   * Stores the next revision of {@code stack} unless the store manages it already ({@link #manages}):
   * how a stack deployed by other means is taken over. Checked and stored in one transaction.
   *
   * @return the revision, or empty when the stack is managed already (nothing stored)
   */
  public Future<Optional<Revision>> adoptRevision(String stack, String stackFile, Map<String, String> env,
                                                  Map<String, String> files, String actor) {
    return pool.withTransaction(conn -> conn
        .preparedQuery("INSERT INTO control_stacks (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
        .execute(Tuple.of(stack))
        .compose(v -> conn.preparedQuery(MANAGED + " FOR UPDATE").execute(Tuple.of(stack)))
        .compose(rows -> rows.iterator().next().getBoolean(0)
            ? Future.succeededFuture(Optional.<Revision>empty())
            : insertRevision(conn, stack, stackFile, env, files, Map.of(), actor).map(Optional::of)));
  }

  /** Whether the store manages {@code stack}: it has revisions and was not removed since. */
  public Future<Boolean> manages(String stack) {
    return pool.preparedQuery(MANAGED).execute(Tuple.of(stack))
        .map(rows -> rows.size() == 1 && rows.iterator().next().getBoolean(0));
  }

  private static final String MANAGED = "SELECT s.removed_at IS NULL AND EXISTS "
      + "(SELECT 1 FROM control_stack_revisions r WHERE r.stack = s.name) FROM control_stacks s WHERE s.name = $1";

  private Future<Revision> insertRevision(SqlConnection conn, String stack, String stackFile, Map<String, String> env,
                                          Map<String, String> files, Map<String, String> imageTags, String actor) {
    JsonObject tags = new JsonObject();
    imageTags.forEach(tags::put);
    return conn.preparedQuery("INSERT INTO control_stacks (name) VALUES ($1) "
            + "ON CONFLICT (name) DO UPDATE SET removed_at = NULL RETURNING name")
        .execute(Tuple.of(stack))
        // the stack's row is locked until commit: concurrent revisions of one stack queue up
        .compose(v -> conn.preparedQuery("SELECT coalesce(max(revision), 0) + 1 FROM control_stack_revisions "
            + "WHERE stack = $1").execute(Tuple.of(stack)))
        .compose(rows -> {
          int next = rows.iterator().next().getInteger(0);
          String sealedFiles = files.isEmpty() ? null : cipher.encrypt(files, filesContext(stack, next));
          return conn.preparedQuery("INSERT INTO control_stack_revisions "
                  + "(stack, revision, stack_file, env, files, image_tags, created_by) "
                  + "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING created_at")
              .execute(Tuple.of(stack, next, stackFile, cipher.encrypt(env, stack, next), sealedFiles, tags, actor))
              .map(r -> new Revision(stack, next, stackFile, env, files, imageTags, actor,
                  r.iterator().next().getOffsetDateTime(0)));
        });
  }

  /** Revision {@code n} of {@code stack}, or empty. */
  public Future<Optional<Revision>> revision(String stack, int n) {
    return pool.preparedQuery(REVISION_COLUMNS + " WHERE stack = $1 AND revision = $2")
        .execute(Tuple.of(stack, n)).map(this::firstRevision);
  }

  /**
   * Revision {@code n} of {@code stack} without its secrets, or empty: {@code {"stack", "revision",
   * "created_by", "created_at", "stack_file"}}. The stack file is stored as written (its {@code ${VAR}}
   * uninterpolated), so nothing sealed is read or opened: the environment and files stay sealed, and
   * a revision sealed with another key still shows its file.
   */
  public Future<Optional<JsonObject>> revisionFile(String stack, int n) {
    return pool.preparedQuery("SELECT stack_file, created_by, created_at FROM control_stack_revisions "
            + "WHERE stack = $1 AND revision = $2")
        .execute(Tuple.of(stack, n)).map(rows -> {
          if (rows.size() == 0) {
            return Optional.empty();
          }
          Row r = rows.iterator().next();
          return Optional.of(new JsonObject().put("stack", stack).put("revision", n).put("created_by", r.getString(1))
              .put("created_at", r.getOffsetDateTime(2).toString()).put("stack_file", r.getString(0)));
        });
  }

  /** The newest revision of {@code stack}, or empty. */
  public Future<Optional<Revision>> latestRevision(String stack) {
    return pool.preparedQuery(REVISION_COLUMNS + " WHERE stack = $1 ORDER BY revision DESC LIMIT 1")
        .execute(Tuple.of(stack)).map(this::firstRevision);
  }

  /** Every revision number of {@code stack} with who made it and when, newest first. */
  public Future<JsonArray> revisions(String stack) {
    return pool.preparedQuery("SELECT revision, created_by, created_at FROM control_stack_revisions "
            + "WHERE stack = $1 ORDER BY revision DESC")
        .execute(Tuple.of(stack)).map(rows -> {
          JsonArray out = new JsonArray();
          for (Row r : rows) {
            out.add(new JsonObject().put("revision", r.getInteger(0)).put("created_by", r.getString(1))
                .put("created_at", r.getOffsetDateTime(2).toString()));
          }
          return out;
        });
  }

  /** Stacks not removed, by name, with their newest revision and their last deployment's state. */
  public Future<JsonArray> stacks() {
    return pool.query("SELECT s.name, s.created_at, "
            + "(SELECT max(revision) FROM control_stack_revisions r WHERE r.stack = s.name), "
            + "(SELECT state FROM control_deployments d WHERE d.stack = s.name ORDER BY created_at DESC LIMIT 1) "
            + "FROM control_stacks s WHERE s.removed_at IS NULL ORDER BY s.name")
        .execute().map(rows -> {
          JsonArray out = new JsonArray();
          for (Row r : rows) {
            out.add(new JsonObject().put("name", r.getString(0)).put("created_at", r.getOffsetDateTime(1).toString())
                .put("revision", r.getInteger(2)).put("last_deployment_state", r.getString(3)));
          }
          return out;
        });
  }

  /** Marks a stack removed (its revisions and deployments stay, for the record and for a redeploy). */
  public Future<Boolean> markRemoved(String stack) {
    return pool.preparedQuery("UPDATE control_stacks SET removed_at = now() WHERE name = $1 AND removed_at IS NULL")
        .execute(Tuple.of(stack)).map(r -> r.rowCount() == 1);
  }

  private static final String REVISION_COLUMNS = "SELECT stack, revision, stack_file, env, files, image_tags, "
      + "created_by, created_at FROM control_stack_revisions";

  private Optional<Revision> firstRevision(RowSet<Row> rows) {
    if (rows.size() == 0) {
      return Optional.empty();
    }
    Row r = rows.iterator().next();
    String stack = r.getString(0);
    int n = r.getInteger(1);
    String sealedFiles = r.getString(4);
    Map<String, String> files = sealedFiles == null ? Map.of()
        : cipher.decrypt(sealedFiles, filesContext(stack, n), "the files of " + stack + " revision " + n);
    Map<String, String> tags = new LinkedHashMap<>();
    ((JsonObject) r.getValue(5)).forEach(e -> tags.put(e.getKey(), String.valueOf(e.getValue())));
    return Optional.of(new Revision(stack, n, r.getString(2), cipher.decrypt(r.getString(3), stack, n), files, tags,
        r.getString(6), r.getOffsetDateTime(7)));
  }

  private static EnvCipher.Context filesContext(String stack, int revision) {
    return EnvCipher.Context.files(stack, revision);
  }

  // ---- webhook secrets

  /**
   * Gives {@code stack} a new random webhook secret (64 hex digits), replacing any it had: the old
   * one stops working at once. The stack must exist (have a revision or a deployment).
   *
   * @return the new secret, which is stored sealed and never shown again
   */
  public Future<Optional<String>> rotateHookSecret(String stack, String actor) {
    return rotateHookSecret(stack, null, actor);
  }

  /**
   * As {@link #rotateHookSecret(String, String)}, and GitHub and GitLab pushes redeploy only for
   * {@code ref} (e.g. {@code refs/heads/main}; {@code null}: any).
   */
  public Future<Optional<String>> rotateHookSecret(String stack, String ref, String actor) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    String secret = HexFormat.of().formatHex(bytes);
    String sealed = cipher.encrypt(Map.of("secret", secret), hookContext(stack));
    return pool.preparedQuery("INSERT INTO control_stack_hooks (stack, secret, created_by, ref) "
            + "SELECT name, $2, $3, $4 FROM control_stacks WHERE name = $1 "
            + "ON CONFLICT (stack) DO UPDATE SET secret = excluded.secret, created_at = now(), "
            + "created_by = excluded.created_by, ref = excluded.ref")
        .execute(Tuple.of(stack, sealed, actor, ref))
        .map(r -> r.rowCount() == 1 ? Optional.of(secret) : Optional.empty());
  }

  /** The webhook secret of {@code stack}, or empty when it has none. */
  public Future<Optional<String>> hookSecret(String stack) {
    return hook(stack).map(hook -> hook.map(Hook::secret));
  }

  /** A stack's webhook: its secret and the only ref pushes redeploy for ({@code null}: any). */
  public record Hook(String secret, String ref) {
    @Override
    public String toString() {
      return "Hook[ref=" + ref + "]";
    }
  }

  /** The webhook of {@code stack}, or empty when it has none. */
  public Future<Optional<Hook>> hook(String stack) {
    return pool.preparedQuery("SELECT secret, ref FROM control_stack_hooks WHERE stack = $1").execute(Tuple.of(stack))
        .map(rows -> {
          if (rows.size() == 0) {
            return Optional.empty();
          }
          Row row = rows.iterator().next();
          return Optional.of(new Hook(cipher.decrypt(row.getString(0), hookContext(stack),
              "the webhook secret of " + stack).get("secret"), row.getString(1)));
        });
  }

  /**
   * Records that {@code stack}'s hook accepted {@code delivery}, first forgetting every delivery
   * older than {@code retention}.
   *
   * @return false when that delivery was recorded before (a replay), and nothing changes
   */
  public Future<Boolean> claimHookDelivery(String stack, String delivery, Duration retention) {
    return pool.preparedQuery("DELETE FROM control_hook_deliveries WHERE seen_at < now() - $1 * interval '1 millisecond'")
        .execute(Tuple.of(retention.toMillis()))
        .compose(v -> pool.preparedQuery("INSERT INTO control_hook_deliveries (stack, delivery) VALUES ($1, $2) "
            + "ON CONFLICT (stack, delivery) DO NOTHING").execute(Tuple.of(stack, delivery)))
        .map(r -> r.rowCount() == 1);
  }

  /** Removes the webhook secret of {@code stack}: its webhook answers 401 from then on. */
  public Future<Boolean> removeHookSecret(String stack) {
    return pool.preparedQuery("DELETE FROM control_stack_hooks WHERE stack = $1").execute(Tuple.of(stack))
        .map(r -> r.rowCount() == 1);
  }

  private static EnvCipher.Context hookContext(String stack) {
    return EnvCipher.Context.hookSecret(stack);
  }

  // ---- registry credentials

  /**
   * Stores the credentials of registry {@code host} (as {@link io.fluxer.control.docker.RegistryHost#parse}
   * answers it), replacing any it had; the password is sealed, bound to host and user name.
   *
   * @return true when the host had none before (created), false when they were replaced
   */
  public Future<Boolean> putRegistry(String host, String username, String password, String actor) {
    String sealed = cipher.encrypt(Map.of("password", password), EnvCipher.Context.registryPassword(host, username));
    return pool.preparedQuery("INSERT INTO control_registries (host, username, password, created_by, updated_by) "
            + "VALUES ($1, $2, $3, $4, $4) ON CONFLICT (host) DO UPDATE SET username = excluded.username, "
            + "password = excluded.password, updated_at = now(), updated_by = excluded.updated_by "
            + "RETURNING (xmax = 0)")
        .execute(Tuple.of(host, username, sealed, actor))
        .map(rows -> rows.iterator().next().getBoolean(0));
  }

  /**
   * Every registry with credentials, by host: {@code {"host", "username", "created_at", "created_by",
   * "updated_at", "updated_by"}}. The password is neither read nor opened.
   */
  public Future<JsonArray> registries() {
    return pool.query("SELECT host, username, created_at, created_by, updated_at, updated_by FROM control_registries "
            + "ORDER BY host")
        .execute().map(rows -> {
          JsonArray out = new JsonArray();
          for (Row r : rows) {
            out.add(new JsonObject().put("host", r.getString(0)).put("username", r.getString(1))
                .put("created_at", r.getOffsetDateTime(2).toString()).put("created_by", r.getString(3))
                .put("updated_at", r.getOffsetDateTime(4).toString()).put("updated_by", r.getString(5)));
          }
          return out;
        });
  }

  /**
   * The credentials of registry {@code host}, opened, or empty when it has none (or {@code host} is
   * null). Fails with {@link EnvCipher.StoreCryptoException} when they were sealed with another key.
   */
  public Future<Optional<RegistryAuth>> registryAuth(String host) {
    if (host == null) {
      return Future.succeededFuture(Optional.empty());
    }
    return pool.preparedQuery("SELECT username, password FROM control_registries WHERE host = $1")
        .execute(Tuple.of(host)).map(rows -> {
          if (rows.size() == 0) {
            return Optional.empty();
          }
          Row r = rows.iterator().next();
          String username = r.getString(0);
          String password = cipher.decrypt(r.getString(1), EnvCipher.Context.registryPassword(host, username),
              "the password of registry " + host).get("password");
          return Optional.of(new RegistryAuth(host, username, password));
        });
  }

  /** Forgets the credentials of registry {@code host}; false when it had none. */
  public Future<Boolean> removeRegistry(String host) {
    return pool.preparedQuery("DELETE FROM control_registries WHERE host = $1").execute(Tuple.of(host))
        .map(r -> r.rowCount() == 1);
  }

  // ---- deployments

  /** A new deployment in state {@code queued}, with that as the first entry of its timeline. */
  public Future<Deployment> createDeployment(String stack, Integer revision, String kind, String trigger,
                                             String actor) {
    UUID id = UUID.randomUUID();
    // A stack's services may be scaled or restarted before any revision of it was stored here.
    return pool.withTransaction(conn -> conn
        .preparedQuery("INSERT INTO control_stacks (name) VALUES ($1) ON CONFLICT (name) DO NOTHING")
        .execute(Tuple.of(stack))
        .compose(v -> conn.preparedQuery("INSERT INTO control_deployments (id, stack, revision, kind, trigger, state, requested_by) "
            + "VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .execute(Tuple.of(id, stack, revision, kind, trigger, DeploymentState.QUEUED.id(), actor)))
        .compose(v -> insertEvent(conn, id, 1, DeploymentState.QUEUED, kind + " requested by " + actor,
            new JsonObject())))
        .compose(v -> deployment(id)).map(Optional::orElseThrow);
  }

  /**
   * Moves a deployment to {@code state} and records it in the timeline; fails with
   * {@link IllegalTransitionException} (and changes nothing) when the state machine does not allow it.
   */
  public Future<Deployment> transition(UUID id, DeploymentState state, String message, JsonObject detail) {
    return pool.withTransaction(conn -> conn
        .preparedQuery("SELECT state FROM control_deployments WHERE id = $1 FOR UPDATE").execute(Tuple.of(id))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(new IllegalArgumentException("no deployment " + id));
          }
          DeploymentState from = DeploymentState.of(rows.iterator().next().getString(0));
          if (!from.canMoveTo(state)) {
            return Future.failedFuture(new IllegalTransitionException(
                "deployment " + id + " cannot go from " + from.id() + " to " + state.id()));
          }
          return conn.preparedQuery("UPDATE control_deployments SET state = $2, updated_at = now(), "
                  + "finished_at = CASE WHEN $3 THEN now() ELSE NULL END WHERE id = $1")
              .execute(Tuple.of(id, state.id(), state.finished()))
              .compose(v -> appendEvent(conn, id, state, message, detail));
        }))
        .compose(v -> deployment(id)).map(Optional::orElseThrow);
  }

  /**
   * Fails every deployment still queued, updating or converging, with {@code message} in its
   * timeline: what a control-api that starts does with the ones a stopped one left unfinished (the
   * control plane runs as one replica). Completes with the deployments failed.
   */
  public Future<List<Deployment>> failUnfinished(String message) {
    return pool.preparedQuery("SELECT id FROM control_deployments WHERE state = ANY($1) ORDER BY created_at")
        .execute(Tuple.of(new String[] {DeploymentState.QUEUED.id(), DeploymentState.UPDATING.id(),
            DeploymentState.CONVERGING.id()}))
        .compose(rows -> {
          List<Deployment> failed = new ArrayList<>();
          Future<Void> chain = Future.succeededFuture();
          for (Row r : rows) {
            UUID id = r.getUUID(0);
            chain = chain.compose(v -> transition(id, DeploymentState.FAILED, message, new JsonObject())
                .map(d -> {
                  failed.add(d);
                  return (Void) null;
                }));
          }
          return chain.map(v -> failed);
        });
  }

  /** The deployments still queued, updating or converging, oldest first: what a control plane taking over carries on with. */
  public Future<List<Deployment>> unfinished() {
    return pool.preparedQuery("SELECT id FROM control_deployments WHERE state = ANY($1) ORDER BY created_at")
        .execute(Tuple.of(new String[] {DeploymentState.QUEUED.id(), DeploymentState.UPDATING.id(),
            DeploymentState.CONVERGING.id()}))
        .compose(rows -> {
          List<Future<Optional<Deployment>>> all = new ArrayList<>();
          rows.forEach(r -> all.add(deployment(r.getUUID(0))));
          return Future.all(all).map(v -> all.stream().map(Future::result).flatMap(Optional::stream).toList());
        });
  }

  /** Adds a note to a deployment's timeline in its current state (a task started, failed, ...). */
  public Future<Void> note(UUID id, String message, JsonObject detail) {
    return pool.withTransaction(conn -> conn
        .preparedQuery("SELECT state FROM control_deployments WHERE id = $1 FOR UPDATE").execute(Tuple.of(id))
        .compose(rows -> rows.size() == 0
            ? Future.failedFuture(new IllegalArgumentException("no deployment " + id))
            : appendEvent(conn, id, DeploymentState.of(rows.iterator().next().getString(0)), message, detail)));
  }

  /** One deployment with its whole timeline, or empty. */
  public Future<Optional<Deployment>> deployment(UUID id) {
    return pool.preparedQuery(DEPLOYMENT_COLUMNS + " WHERE id = $1").execute(Tuple.of(id)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(Optional.empty());
      }
      Row d = rows.iterator().next();
      return pool.preparedQuery("SELECT seq, at, state, message, detail FROM control_deployment_events "
              + "WHERE deployment = $1 ORDER BY seq")
          .execute(Tuple.of(id)).map(events -> {
            List<Event> timeline = new ArrayList<>();
            for (Row e : events) {
              timeline.add(new Event(e.getInteger(0), e.getOffsetDateTime(1), DeploymentState.of(e.getString(2)),
                  e.getString(3), (JsonObject) e.getValue(4)));
            }
            return Optional.of(deployment(d, timeline));
          });
    });
  }

  /** The newest deployments first, of one stack or (with {@code null}) of all, at most {@code limit}. */
  public Future<List<Deployment>> deployments(String stack, int limit) {
    return pool.preparedQuery(DEPLOYMENT_COLUMNS + " WHERE ($1::text IS NULL OR stack = $1) "
            + "ORDER BY created_at DESC LIMIT $2")
        .execute(Tuple.of(stack, limit)).map(rows -> {
          List<Deployment> out = new ArrayList<>();
          rows.forEach(r -> out.add(deployment(r, List.of())));
          return out;
        });
  }

  private static final String DEPLOYMENT_COLUMNS = "SELECT id, stack, revision, kind, trigger, state, requested_by, "
      + "created_at, updated_at, finished_at FROM control_deployments";

  private static Deployment deployment(Row r, List<Event> timeline) {
    return new Deployment(r.getUUID(0), r.getString(1), r.getInteger(2), r.getString(3), r.getString(4),
        DeploymentState.of(r.getString(5)), r.getString(6), r.getOffsetDateTime(7), r.getOffsetDateTime(8),
        r.getOffsetDateTime(9), timeline);
  }

  private static Future<Void> appendEvent(SqlConnection conn, UUID id, DeploymentState state, String message,
                                          JsonObject detail) {
    return conn.preparedQuery("SELECT coalesce(max(seq), 0) + 1 FROM control_deployment_events WHERE deployment = $1")
        .execute(Tuple.of(id))
        .compose(rows -> insertEvent(conn, id, rows.iterator().next().getInteger(0), state, message, detail));
  }

  private static Future<Void> insertEvent(SqlConnection conn, UUID id, int seq, DeploymentState state, String message,
                                          JsonObject detail) {
    return conn.preparedQuery("INSERT INTO control_deployment_events (deployment, seq, state, message, detail) "
            + "VALUES ($1, $2, $3, $4, $5)")
        .execute(Tuple.of(id, seq, state.id(), message, detail)).mapEmpty();
  }

  // ---- audit

  /** Records who did what to which target, and how it ended. */
  public Future<Void> audit(String actor, String action, String target, String result, JsonObject detail) {
    return pool.preparedQuery("INSERT INTO control_audit (actor, action, target, result, detail) "
            + "VALUES ($1, $2, $3, $4, $5)")
        .execute(Tuple.of(actor, action, target, result, detail == null ? new JsonObject() : detail)).mapEmpty();
  }

  /**
   * Which audit records to read, newest first: each field null for any. {@code action} matches the
   * action or its prefix up to a dot ({@code stack} matches {@code stack.deploy}); {@code stack}
   * matches a stack's own actions on it and any action whose detail names it (a service's).
   */
  public record AuditFilter(String actor, String action, String stack, Long before, int limit) {}

  /** The newest audit records first that pass {@code filter}, at most its limit. */
  public Future<JsonArray> audit(AuditFilter filter) {
    return pool.preparedQuery("SELECT id, at, actor, action, target, result, detail FROM control_audit "
            + "WHERE ($1::text IS NULL OR actor = $1) "
            + "AND ($2::text IS NULL OR action = $2 OR starts_with(action, $2 || '.')) "
            + "AND ($3::text IS NULL OR (target = $3 AND starts_with(action, 'stack.')) OR detail->>'stack' = $3) "
            + "AND ($4::bigint IS NULL OR id < $4) "
            + "ORDER BY id DESC LIMIT $5")
        .execute(Tuple.of(filter.actor(), filter.action(), filter.stack(), filter.before(), filter.limit()))
        .map(rows -> {
          JsonArray out = new JsonArray();
          for (Row r : rows) {
            out.add(new JsonObject().put("id", r.getLong(0)).put("at", r.getOffsetDateTime(1).toString())
                .put("actor", r.getString(2)).put("action", r.getString(3)).put("target", r.getString(4))
                .put("result", r.getString(5)).put("detail", r.getValue(6)));
          }
          return out;
        });
  }

  /** The newest audit records first, at most {@code limit}. */
  public Future<JsonArray> audit(int limit) {
    return audit(new AuditFilter(null, null, null, null, limit));
  }

}
