package io.fluxer.control.api;

import io.fluxer.control.api.ControlApi.Reply;
import io.fluxer.control.deploy.DeployEvents;
import io.fluxer.control.deploy.Deployer;
import io.fluxer.control.deploy.DryRun;
import io.fluxer.control.docker.DockerEngineException;
import io.fluxer.control.docker.InspectedService;
import io.fluxer.control.docker.SwarmClient;
import io.fluxer.control.docker.TaskInfo;
import io.fluxer.control.stack.SpecHash;
import io.fluxer.control.stack.StackFile;
import io.fluxer.control.stack.StackFileException;
import io.fluxer.control.stack.StackPlan;
import io.fluxer.control.stack.StackPolicy;
import io.fluxer.control.stack.StackWarning;
import io.fluxer.control.store.ControlStore;
import io.fluxer.control.store.ControlStore.Deployment;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The operations that change stacks and services, and {@code stack.inspect}: each change is stored
 * as a deployment and answered {@code 202} with its id and the channel to watch, while
 * {@link Deployer} carries it out. Every change request is audited (actor, action, target, result),
 * refused ones too.
 */
public final class StackOps {
  private static final Set<String> DEPLOY_FIELDS = Set.of("stackFile", "env", "prune", "files");
  static final int MAX_REPLICAS = 10_000;

  private final ControlStore store;
  private final SwarmClient client;
  private final Deployer deployer;
  private final StackPolicy policy;

  public StackOps(ControlStore store, SwarmClient client, Deployer deployer, StackPolicy policy) {
    this.store = store;
    this.client = client;
    this.deployer = deployer;
    this.policy = policy;
  }

  /** Adds the operations to {@code api} (before it registers). */
  public ControlApi registerOn(ControlApi api) {
    return api
        .handle("stack.list", this::list)
        .handle("stack.inspect", this::inspect)
        .handle("stack.plan", this::plan)
        .handle("stack.deploy", Audited.by(store, r -> r.pathParam("name"), this::deploy))
        .handle("stack.adopt", Audited.by(store, r -> r.pathParam("name"), this::adopt))
        .handle("stack.remove", Audited.by(store, r -> r.pathParam("name"), this::remove))
        .handle("stack.rollback", Audited.by(store, r -> r.pathParam("name"), this::rollbackStack))
        .handle("service.scale", Audited.by(store, r -> r.pathParam("id"), this::scale))
        .handle("service.restart", Audited.by(store, r -> r.pathParam("id"), this::restart))
        .handle("service.rollback", Audited.by(store, r -> r.pathParam("id"), this::rollbackService));
  }

  // ---- stacks

  /**
   * The body of {@code PUT /api/v1/stacks/{name}} ({@code stackFile}, {@code env}, {@code files},
   * {@code prune}) or of an adopt (the same without {@code prune}), checked: any other field, a
   * missing file or a value of the wrong type is a 400.
   */
  record StackBody(String stackFile, Map<String, String> env, Map<String, String> files, boolean prune) {
    static StackBody of(JsonObject body, boolean withPrune) {
      String expected = withPrune ? "stackFile, env, prune, files" : "stackFile, env, files";
      if (body == null) {
        throw ControlError.badRequest("a body is required: {\"stackFile\": \"<YAML>\", \"env\": {...}"
            + (withPrune ? ", \"prune\": false}" : "}"));
      }
      for (String field : body.fieldNames()) {
        if (!DEPLOY_FIELDS.contains(field) || field.equals("prune") && !withPrune) {
          throw ControlError.badRequest("unknown field '" + field + "': expected " + expected);
        }
      }
      if (!(body.getValue("stackFile") instanceof String stackFile) || stackFile.isBlank()) {
        throw ControlError.badRequest("stackFile is required: the stack file's YAML text");
      }
      Object prune = body.getValue("prune", false);
      if (!(prune instanceof Boolean)) {
        throw ControlError.badRequest("prune must be true or false");
      }
      return new StackBody(stackFile, strings(body, "env"), strings(body, "files"), (Boolean) prune);
    }

    /** The file's plan under {@code policy} for the request's actor, or a 400 naming every problem. */
    StackPlan plan(String stack, StackPolicy policy, ControlRequest r) {
      return parse(stack, stackFile, env, files, Map.of(), policy, isAdmin(r), 400, "the stack file cannot be deployed");
    }

    /** The same reading as {@link #plan}, its problems thrown as they are (for the dry run). */
    StackPlan read(String stack, StackPolicy policy, ControlRequest r) {
      return StackFile.parse(stack, stackFile, env, bytes(files), policy, isAdmin(r));
    }
  }

  /**
   * The dry run of a deploy ({@code POST /api/v1/stacks/{name}/plan}, same body as the PUT): reads the
   * file exactly as {@link #deploy} would, then compares its plan with the swarm through read-only
   * listings ({@link DryRun}). Changes nothing, stores nothing, audits nothing. A file that cannot be
   * deployed is not an HTTP error here: 200 with its problems in {@code errors} (key path, line and
   * column) and the warnings found before them; a bad body is a 400 as for a deploy.
   */
  private Future<Reply> plan(ControlRequest r) {
    String stack = r.pathParam("name");
    StackBody body = StackBody.of(r.body(), true);
    JsonObject out = new JsonObject().put("stack", stack).put("prune", body.prune());
    return offLoop(() -> {
      try {
        return new Read(body.read(stack, policy, r), null);
      } catch (StackFileException e) {
        return new Read(null, e);
      }
    }).compose(read -> {
      if (read.plan() == null) {
        return Future.succeededFuture(Reply.ok(out.mergeIn(DryRun.unreadable(read.failure()))));
      }
      StackPlan plan = read.plan();
      return Future.all(client.listStackServices(stack), client.listNetworks(null),
              plan.secrets().isEmpty() ? Future.succeededFuture(new JsonArray()) : client.listSecrets(null),
              plan.configs().isEmpty() ? Future.succeededFuture(new JsonArray()) : client.listConfigs(null))
          .map(all -> Reply.ok(out.mergeIn(DryRun.of(plan, all.resultAt(0), all.resultAt(1), all.resultAt(2),
              all.resultAt(3), body.prune())).put("warnings", warnings(plan))));
    });
  }

  /** A stack file read for a dry run: its plan, or why it cannot be deployed. */
  private record Read(StackPlan plan, StackFileException failure) {}

  private Future<Reply> deploy(ControlRequest r) {
    String stack = r.pathParam("name");
    StackBody body = StackBody.of(r.body(), true);
    return offLoop(() -> body.plan(stack, policy, r)).compose(plan -> store.addRevision(stack, body.stackFile(),
            body.env(), body.files(), Map.of(), r.actorName())
        .compose(rev -> store.createDeployment(stack, rev.revision(), "deploy", "api", r.actorName()))
        .map(d -> {
          deployer.deployStack(d, plan, body.prune());
          return accepted(d).put("revision", d.revision()).put("warnings", warnings(plan));
        }))
        .map(json -> new Reply(202, json));
  }

  /**
   * Takes over a stack deployed by other means ({@code docker stack deploy}) from its file: stores it
   * as the stack's next revision and labels the running services the file describes as they run (a
   * deployment of kind {@code adopt}, finished when this answers). 404 when the swarm has no service
   * of the stack, 409 when the store manages it already.
   */
  private Future<Reply> adopt(ControlRequest r) {
    String stack = r.pathParam("name");
    StackBody body = StackBody.of(r.body(), false);
    return offLoop(() -> body.plan(stack, policy, r)).compose(plan -> adopt(r, stack, body, plan));
  }

  private Future<Reply> adopt(ControlRequest r, String stack, StackBody body, StackPlan plan) {
    return Future.all(store.manages(stack), client.listStackServices(stack)).compose(all -> {
      if (all.<Boolean>resultAt(0)) {
        throw managedAlready(stack);
      }
      if (all.<JsonArray>resultAt(1).isEmpty()) {
        throw ControlError.notFound("the swarm has no service of stack " + stack + " (labelled "
            + SwarmClient.STACK_NAMESPACE_LABEL + "=" + stack + ") to adopt");
      }
      return store.adoptRevision(stack, body.stackFile(), body.env(), body.files(), r.actorName());
    }).compose(rev -> store.createDeployment(stack, rev.orElseThrow(() -> managedAlready(stack)).revision(), "adopt",
        "api", r.actorName())).compose(d -> deployer.adoptStack(d, plan)
        .recover(e -> Future.failedFuture(new ControlError(500, "adopting " + stack + " failed: " + e.getMessage()
            + " (deployment " + d.id() + ")", null)))
        .map(outcome -> Reply.ok(accepted(d).put("stack", stack).put("revision", d.revision())
            .mergeIn(outcome.toJson()).put("warnings", warnings(plan)))));
  }

  private static ControlError managedAlready(String stack) {
    return new ControlError(409, "stack " + stack + " is managed already: deploy it with PUT /api/v1/stacks/" + stack,
        null);
  }

  private Future<Reply> rollbackStack(ControlRequest r) {
    String stack = r.pathParam("name");
    if (r.query().getString("revision") == null) {
      throw ControlError.badRequest("revision is required: POST /api/v1/stacks/" + stack + "/rollback?revision=N");
    }
    int n = r.queryInt("revision", 0, 1, Integer.MAX_VALUE);
    String pruneParam = r.query().getString("prune", "true");
    if (!pruneParam.equals("true") && !pruneParam.equals("false")) {
      throw ControlError.badRequest("prune must be true or false, got '" + pruneParam + "'");
    }
    return store.revision(stack, n).compose(found -> {
      ControlStore.Revision rev = found.orElseThrow(() -> ControlError.notFound("stack " + stack + " has no revision " + n));
      // a stored revision was checked when it was stored (an admin-only source then needed an admin):
      // it is checked again against the allowlists, its admin-only sources taken as accepted
      return offLoop(() -> parse(stack, rev.stackFile(), rev.env(), rev.files(), rev.imageTags(), policy, true, 409,
          "revision " + n + " of " + stack + " cannot be deployed any more"));
    }).compose(plan -> {
      return store.createDeployment(stack, n, "deploy", "rollback", r.actorName()).map(d -> {
        deployer.deployStack(d, plan, Boolean.parseBoolean(pruneParam));
        return new Reply(202, accepted(d).put("revision", n).put("warnings", warnings(plan)));
      });
    });
  }

  private Future<Reply> remove(ControlRequest r) {
    String stack = r.pathParam("name");
    return Future.all(client.listStackServices(stack), store.latestRevision(stack)).compose(all -> {
      JsonArray services = all.resultAt(0);
      Optional<?> revision = all.resultAt(1);
      if (services.isEmpty() && revision.isEmpty()) {
        throw ControlError.notFound("no stack " + stack);
      }
      return store.createDeployment(stack, null, "remove", "api", r.actorName()).map(d -> {
        deployer.removeStack(d);
        return new Reply(202, accepted(d));
      });
    });
  }

  /**
   * The stacks the store knows (not removed) and those on the swarm (services labelled
   * {@value SwarmClient#STACK_NAMESPACE_LABEL}), by name: {@code managed} when the store has revisions
   * of it, and how many services it has on the swarm. When the swarm does not answer, the store's
   * stacks with {@code services} null and a {@code swarm_error}.
   */
  private Future<Reply> list(ControlRequest r) {
    Future<JsonArray> stored = store.stacks();
    Future<JsonArray> onSwarm = client.listServices(SwarmClient.STACK_NAMESPACE_LABEL);
    return Future.join(stored, onSwarm).transform(ar -> {
      if (stored.failed()) {
        return Future.failedFuture(stored.cause());
      }
      JsonObject out = new JsonObject().put("stacks", listing(stored.result(), onSwarm.result()));
      if (onSwarm.failed()) {
        out.put("swarm_error", "the swarm's services could not be listed: " + onSwarm.cause().getMessage());
      }
      return Future.succeededFuture(Reply.ok(out));
    });
  }

  /** The store's stacks and the swarm's stack services (null when unknown) as one list, by name. */
  static JsonArray listing(JsonArray stored, JsonArray services) {
    Map<String, JsonObject> byName = new TreeMap<>();
    for (Object o : stored) {
      JsonObject s = ((JsonObject) o).copy();
      byName.put(s.getString("name"), s.put("managed", s.getValue("revision") != null)
          .put("services", services == null ? null : 0));
    }
    if (services != null) {
      for (Object o : services) {
        String name = ((JsonObject) o).getJsonObject("Spec", new JsonObject()).getJsonObject("Labels", new JsonObject())
            .getString(SwarmClient.STACK_NAMESPACE_LABEL);
        if (name == null || name.isEmpty()) {
          continue;
        }
        JsonObject entry = byName.computeIfAbsent(name, n -> new JsonObject().put("name", n).put("created_at", null)
            .put("revision", null).put("last_deployment_state", null).put("managed", false).put("services", 0));
        entry.put("services", entry.getInteger("services") + 1);
      }
    }
    return new JsonArray(new ArrayList<>(byName.values()));
  }

  private Future<Reply> inspect(ControlRequest r) {
    String stack = r.pathParam("name");
    // the tasks' nodes by hostname when the swarm says (a worker node answers no node list: IDs only)
    Future<Map<String, String>> hostnames = client.nodeHostnames().recover(e -> Future.succeededFuture(Map.of()));
    return Future.all(client.listStackServices(stack), store.revisions(stack), store.deployments(stack, 10),
            store.manages(stack), hostnames)
        .compose(all -> {
          JsonArray services = all.resultAt(0);
          JsonArray revisions = all.resultAt(1);
          List<Deployment> deployments = all.resultAt(2);
          boolean managed = all.resultAt(3);
          Map<String, String> nodes = all.resultAt(4);
          if (services.isEmpty() && revisions.isEmpty()) {
            throw ControlError.notFound("no stack " + stack);
          }
          List<Future<JsonObject>> described = new ArrayList<>();
          for (Object s : services) {
            described.add(describe((JsonObject) s, nodes));
          }
          return Future.all(described).map(v -> {
            JsonArray out = new JsonArray();
            described.stream().map(Future::result)
                .sorted(Comparator.comparing(j -> j.getString("name")))
                .forEach(out::add);
            JsonArray recent = new JsonArray();
            deployments.forEach(d -> recent.add(d.toJson()));
            return Reply.ok(new JsonObject().put("name", stack).put("managed", managed).put("services", out)
                .put("revisions", revisions).put("deployments", recent));
          });
        });
  }

  /** A service of {@code stack.inspect}, its tasks' {@code node} the hostname (the node ID when unknown). */
  private Future<JsonObject> describe(JsonObject service, Map<String, String> hostnames) {
    InspectedService s = InspectedService.fromJson(service);
    return client.listTasks(s.id()).map(tasks -> {
      JsonObject template = s.spec().getJsonObject("TaskTemplate", new JsonObject());
      JsonArray list = new JsonArray();
      tasks.stream()
          .sorted(Comparator.comparing((TaskInfo t) -> t.raw().getString("CreatedAt", "")).reversed())
          .forEach(t -> list.add(new JsonObject().put("id", t.id()).put("slot", t.slot()).put("node_id", t.nodeId())
              .put("node", t.nodeId() == null ? null : hostnames.getOrDefault(t.nodeId(), t.nodeId()))
              .put("state", t.state()).put("desired_state", t.desiredState()).put("message", t.message())
              .put("error", t.error()).put("exit_code", t.exitCode()).put("current_spec", t.runs(template))
              .put("updated_at", t.raw().getString("UpdatedAt"))));
      long running = tasks.stream().filter(t -> t.isRunning() && "running".equals(t.desiredState())).count();
      JsonObject labels = s.spec().getJsonObject("Labels", new JsonObject());
      return new JsonObject().put("id", s.id()).put("name", s.name())
          .put("image", template.getJsonObject("ContainerSpec", new JsonObject()).getString("Image"))
          .put("mode", s.replicas() == null ? "global" : "replicated").put("replicas", s.replicas())
          .put("running", running).put("version", s.version()).put("spec_hash", labels.getString(SpecHash.LABEL))
          .put("update_state", s.updateState()).put("has_previous_spec", s.previousSpec() != null)
          .put("tasks", list);
    });
  }

  // ---- services

  private Future<Reply> scale(ControlRequest r) {
    JsonObject body = r.body();
    Object replicas = body == null ? null : body.getValue("replicas");
    if (!(replicas instanceof Integer || replicas instanceof Long) || ((Number) replicas).longValue() < 0
        || ((Number) replicas).longValue() > MAX_REPLICAS) {
      throw ControlError.badRequest("replicas must be an integer between 0 and " + MAX_REPLICAS + ", got "
          + (body == null ? "no body" : body.getValue("replicas")));
    }
    long n = ((Number) replicas).longValue();
    return service(r).compose(s -> {
      if (s.replicas() == null) {
        throw new ControlError(409, "service " + s.name() + " is global (one task per node): it cannot be scaled", null);
      }
      return store.createDeployment(stackOf(s), null, "scale", "api", r.actorName()).map(d -> {
        deployer.scale(d, s.id(), n);
        return new Reply(202, accepted(d).put("service", s.name()).put("replicas", n));
      });
    });
  }

  private Future<Reply> restart(ControlRequest r) {
    return service(r).compose(s -> store.createDeployment(stackOf(s), null, "restart", "api", r.actorName()).map(d -> {
      deployer.restart(d, s.id());
      return new Reply(202, accepted(d).put("service", s.name()));
    }));
  }

  private Future<Reply> rollbackService(ControlRequest r) {
    return service(r).compose(s -> {
      if (s.previousSpec() == null) {
        throw new ControlError(409, "service " + s.name() + " has no previous spec to roll back to "
            + "(it was never updated)", null);
      }
      return store.createDeployment(stackOf(s), null, "rollback", "api", r.actorName()).map(d -> {
        deployer.rollbackService(d, s.id());
        return new Reply(202, accepted(d).put("service", s.name()));
      });
    });
  }

  private Future<InspectedService> service(ControlRequest r) {
    String id = r.pathParam("id");
    return client.inspectService(id).recover(e -> Future.failedFuture(
        e instanceof DockerEngineException de && de.isNotFound() ? ControlError.notFound("no service " + id) : e));
  }

  private static String stackOf(InspectedService s) {
    String stack = s.spec().getJsonObject("Labels", new JsonObject()).getString(SwarmClient.STACK_NAMESPACE_LABEL);
    if (stack == null || stack.isEmpty()) {
      throw new ControlError(409, "service " + s.name() + " belongs to no stack (no "
          + SwarmClient.STACK_NAMESPACE_LABEL + " label): Fluxer changes stack services only", null);
    }
    return stack;
  }

  // ---- helpers

  /**
   * Runs {@code work} (reading a stack file: up to a MiB of YAML, seconds on a busy host) on a worker
   * thread, never on the event loop that serves the bus; at once when called outside Vert.x.
   */
  static <T> Future<T> offLoop(Callable<T> work) {
    Context context = Vertx.currentContext();
    if (context != null) {
      return context.executeBlocking(work, false);
    }
    try {
      return Future.succeededFuture(work.call());
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
  }

  /** Whether the request's actor has the admin role (a webhook has no actor: never). */
  static boolean isAdmin(ControlRequest r) {
    return r.actor() != null && "admin".equals(r.actor().getString("role"));
  }

  /**
   * The plan of a stack file under {@code policy} ({@code admin}: its admin-only bind sources may be
   * used), or a {@link ControlError} with {@code status} naming every problem.
   */
  /**
   * The plan of a stored revision: checked by the policy when it was stored, so its admin-only sources
   * count as accepted (the allowlists still apply).
   */
  static StackPlan parse(String stack, ControlStore.Revision rev, StackPolicy policy, int status, String what) {
    return parse(stack, rev.stackFile(), rev.env(), rev.files(), rev.imageTags(), policy, true, status, what);
  }

  static StackPlan parse(String stack, String yaml, Map<String, String> env, Map<String, String> files,
                         Map<String, String> imageTags, StackPolicy policy, boolean admin, int status, String what) {
    StackPlan plan;
    try {
      plan = StackFile.parse(stack, yaml, env, bytes(files), policy, admin);
    } catch (StackFileException e) {
      throw new ControlError(status, what + ": " + e.getMessage(),
          new JsonObject().put("problems", e.toJson().getJsonArray("problems")));
    }
    try {
      return imageTags.isEmpty() ? plan : plan.withImageTags(imageTags);
    } catch (IllegalArgumentException e) {
      throw new ControlError(status, what + ": " + e.getMessage(), null);
    }
  }

  /**
   * Refuses (400) a change of image for a service that bind-mounts an admin-only host path: only an
   * admin's deploy may change what runs with the Docker socket.
   */
  static void keepAdminImages(StackPolicy policy, StackPlan plan, Set<String> retagged, String what) {
    List<String> refused = policy.adminOnlyServices(plan).stream().filter(retagged::contains).sorted().toList();
    if (!refused.isEmpty()) {
      JsonArray problems = new JsonArray();
      refused.forEach(key -> problems.add(new JsonObject().put("key", "services." + key + ".image")
          .put("message", "service " + key + " bind-mounts an admin-only host path (control.admin_bind_sources):"
              + " only an admin's deploy may change its image")));
      throw new ControlError(400, what + ": " + problems.getJsonObject(0).getString("key") + ": "
          + problems.getJsonObject(0).getString("message"), new JsonObject().put("problems", problems));
    }
  }

  private static Map<String, byte[]> bytes(Map<String, String> files) {
    Map<String, byte[]> bytes = new LinkedHashMap<>();
    files.forEach((path, text) -> bytes.put(path, text.getBytes(StandardCharsets.UTF_8)));
    return bytes;
  }

  static Map<String, String> strings(JsonObject body, String field) {
    Object value = body.getValue(field);
    if (value == null) {
      return Map.of();
    }
    if (!(value instanceof JsonObject object)) {
      throw ControlError.badRequest(field + " must be an object of strings");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (String key : object.fieldNames()) {
      if (!(object.getValue(key) instanceof String s)) {
        throw ControlError.badRequest(field + "." + key + " must be a string");
      }
      out.put(key, s);
    }
    return out;
  }

  static JsonObject accepted(Deployment d) {
    return new JsonObject().put("deployment", d.id().toString()).put("stack", d.stack())
        .put("channel", DeployEvents.channel(d.stack()));
  }

  static JsonArray warnings(StackPlan plan) {
    JsonArray out = new JsonArray();
    plan.warnings().stream().map(StackWarning::toJson).forEach(out::add);
    return out;
  }
}
