package io.fluxer.control.deploy;

import io.fluxer.control.deploy.Convergence.Target;
import io.fluxer.control.deploy.Convergence.Watched;
import io.fluxer.control.deploy.DeploymentRun.Updated;
import io.fluxer.control.docker.DockerEngineException;
import io.fluxer.control.docker.RegistryAuth;
import io.fluxer.control.docker.RegistryHost;
import io.fluxer.control.docker.SwarmClient;
import io.fluxer.control.stack.NetworkPlan;
import io.fluxer.control.stack.ServicePlan;
import io.fluxer.control.stack.SpecHash;
import io.fluxer.control.stack.StackPlan;
import io.fluxer.control.stack.SwarmObjectPlan;
import io.fluxer.control.store.ControlStore;
import io.fluxer.control.store.ControlStore.Deployment;
import io.fluxer.control.store.DeploymentState;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs deployments against the swarm: applies a stack's desired state ({@link StackPlan}), removes a
 * stack, scales, restarts or rolls back a service, then watches the result converge
 * ({@link Convergence}).
 *
 * <p>A deployment (created {@code queued} in the store by the caller) moves
 * {@code queued → updating → converging → succeeded}, or to {@code failed} from any of these; a
 * failed deployment that updated services whose {@code UpdateConfig.FailureAction} is
 * {@code rollback} returns them to their previous spec and ends {@code rolled_back}. Every move is
 * stored, then published on {@code deploy:<stack>} and {@code deploy:all} ({@link DeployEvents}).
 *
 * <p>The deployments of one stack run one after the other, in the order they were submitted; a
 * deployment waits in {@code queued} while an earlier one of its stack runs. Everything runs on the
 * context the deployer was created on and never blocks it: engine calls go through
 * {@link SwarmClient}'s worker pool, the store is the reactive PG client, waits are timers.
 *
 * <p>Every create, update, scale, restart and rollback of a service whose image lives on a registry
 * with stored credentials ({@link ControlStore#registryAuth}) sends them to the engine
 * ({@link RegistryAuth}), so every node can pull it; they appear in no message of the timeline.
 */
public final class Deployer {
  private static final System.Logger LOG = System.getLogger(Deployer.class.getName());

  private final Vertx vertx;
  private final Context context;
  private final SwarmClient client;
  private final ControlStore store;
  private final DeployEvents events;
  private final DeployerOptions options;
  private final Convergence convergence;
  /** Stack → the last deployment submitted for it (on {@link #context} only). */
  private final Map<String, Future<DeploymentState>> queues = new HashMap<>();

  public Deployer(Vertx vertx, SwarmClient client, ControlStore store, DeployEvents events, DeployerOptions options) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.client = client;
    this.store = store;
    this.events = events;
    this.options = options;
    this.convergence = new Convergence(vertx, client, options);
  }

  public DeployerOptions options() {
    return options;
  }

  /**
   * Applies {@code plan} for deployment {@code d}: creates missing networks, secrets and configs,
   * creates missing services, updates those whose spec hash changed (unchanged ones are not touched),
   * removes the stack's other services when {@code prune}, then waits for the created and updated ones
   * to converge.
   *
   * @return the state the deployment ended in (never fails)
   */
  public Future<DeploymentState> deployStack(Deployment d, StackPlan plan, boolean prune) {
    return submit(d, run -> applyStack(run, plan, prune));
  }

  /**
   * Takes over a stack deployed by other means ({@link StackAdoption}): labels the services that are
   * what {@code plan} asks for, restarting nothing, and reports the others. The deployment (kind
   * {@code adopt}) goes through its states at once and ends succeeded, or failed when the engine
   * refused a change.
   *
   * @return what was found, once the deployment succeeded; the failure's message otherwise
   */
  public Future<StackAdoption.Outcome> adoptStack(Deployment d, StackPlan plan) {
    StackAdoption.Outcome[] found = new StackAdoption.Outcome[1];
    String[] failure = {"the adoption did not succeed"};
    return submit(d, run -> run.to(DeploymentState.UPDATING, "adopting revision " + d.revision() + ": comparing "
            + plan.services().size() + " planned service(s) with the swarm", null)
        .compose(v -> StackAdoption.adopt(client, plan))
        .compose(outcome -> {
          found[0] = outcome;
          return run.to(DeploymentState.CONVERGING, "labelled " + outcome.adopted().size()
              + " service(s) with their spec hash (labels only: no task restarted)", null)
              .map(v -> outcome.message(d.revision()));
        })
        .onFailure(e -> failure[0] = describe(e)))
        .compose(state -> state == DeploymentState.SUCCEEDED ? Future.succeededFuture(found[0])
            : Future.failedFuture(new DeploymentFailure(failure[0])));
  }

  /** Removes the stack's services, then its secrets, configs and networks, and marks it removed in the store. */
  public Future<DeploymentState> removeStack(Deployment d) {
    return submit(d, this::removeStack);
  }

  /** Sets a replicated service's replicas and waits for them to run. */
  public Future<DeploymentState> scale(Deployment d, String serviceId, long replicas) {
    return submit(d, run -> client.inspectService(serviceId).compose(before -> {
      Long from = before.replicas();
      return run.to(DeploymentState.UPDATING, "scaling " + before.name() + " from " + from + " to " + replicas, null)
          .compose(v -> client.listTasks(before.id()))
          .compose(tasks -> {
            run.baseline(tasks);
            return authFor(before.spec()).compose(auth -> client.scaleService(before.id(), replicas, auth));
          })
          .compose(v -> converge(run, List.of(new Watched(before.id(), before.name())), Target.FORWARD,
              before.name() + " scaled to " + replicas));
    }));
  }

  /** Restarts every task of a service: a forced update ({@code TaskTemplate.ForceUpdate} + 1). */
  public Future<DeploymentState> restart(Deployment d, String serviceId) {
    return submit(d, run -> client.inspectService(serviceId).compose(before -> run
        .to(DeploymentState.UPDATING, "restarting " + before.name(), null)
        .compose(v -> client.listTasks(before.id()))
        .compose(tasks -> {
          run.baseline(tasks);
          return authFor(before.spec()).compose(auth -> client.updateService(before, spec -> {
            JsonObject template = spec.getJsonObject("TaskTemplate");
            template.put("ForceUpdate", template.getLong("ForceUpdate", 0L) + 1);
            return spec;
          }, auth));
        })
        .compose(v -> converge(run, List.of(new Watched(before.id(), before.name())), Target.FORWARD,
            before.name() + " restarted"))));
  }

  /** The engine's one-level rollback ({@code rollback=previous}) of a service, then waits for it to converge. */
  public Future<DeploymentState> rollbackService(Deployment d, String serviceId) {
    return submit(d, run -> client.inspectService(serviceId).compose(before -> run
        .to(DeploymentState.UPDATING, "rolling " + before.name() + " back to its previous spec", null)
        .compose(v -> client.listTasks(before.id()))
        .compose(tasks -> {
          run.baseline(tasks);
          return authFor(before.previousSpec()).compose(auth -> client.rollbackService(before.id(), auth));
        })
        .compose(v -> converge(run, List.of(new Watched(before.id(), before.name())), Target.ROLLBACK,
            before.name() + " rolled back to its previous spec"))));
  }

  // ---- running deployments

  /** A deployment's work up to convergence; its result is the success message. */
  private interface Job extends Function<DeploymentRun, Future<String>> {}

  private Future<DeploymentState> submit(Deployment d, Job job) {
    Promise<DeploymentState> done = Promise.promise();
    context.runOnContext(v -> {
      DeploymentRun run = new DeploymentRun(store, events, d);
      run.announce();
      Future<DeploymentState> previous = queues.getOrDefault(d.stack(), Future.succeededFuture());
      Future<DeploymentState> mine = previous.transform(ignored -> execute(run, job));
      queues.put(d.stack(), mine);
      mine.onComplete(ar -> {
        if (queues.get(d.stack()) == mine) {
          queues.remove(d.stack());
        }
        done.handle(ar);
      });
    });
    return done.future();
  }

  private Future<DeploymentState> execute(DeploymentRun run, Job job) {
    Future<String> work;
    try {
      work = job.apply(run);
    } catch (RuntimeException e) {
      work = Future.failedFuture(e);
    }
    return work
        .compose(message -> run.to(DeploymentState.SUCCEEDED, message, null).<Void>mapEmpty())
        .recover(e -> fail(run, e))
        .recover(e -> {
          LOG.log(Level.ERROR, "deployment " + run.deployment().id() + " of " + run.stack()
              + " could not be recorded: " + e.getMessage(), e);
          return Future.succeededFuture();
        })
        .map(v -> run.state());
  }

  /** Moves to converging, watches, and fails with the outcome's message when it did not converge. */
  private Future<String> converge(DeploymentRun run, List<Watched> services, Target target, String success) {
    String names = services.stream().map(Watched::name).reduce((a, b) -> a + ", " + b).orElse("nothing");
    return run.to(DeploymentState.CONVERGING, "waiting for " + names + " to converge", null)
        .compose(v -> convergence.watch(run, services, target))
        .compose(outcome -> outcome.converged()
            ? Future.succeededFuture(success)
            : Future.failedFuture(new DeploymentFailure(outcome.message())));
  }

  /** Records the failure; rolls back the updated services that ask for it. */
  private Future<Void> fail(DeploymentRun run, Throwable cause) {
    String message = cause instanceof DeploymentFailure ? cause.getMessage() : describe(cause);
    if (run.state().finished()) {
      return Future.failedFuture(cause); // the store refused the last move: nothing more to do here
    }
    List<Updated> toRollBack = run.updated().stream().filter(u -> "rollback".equals(u.failureAction())).toList();
    // said with the failure, so a client following the deployment knows to wait for rolled_back
    JsonObject detail = toRollBack.isEmpty() ? null : new JsonObject().put(DeploymentRun.ROLLBACK, "started");
    return run.to(DeploymentState.FAILED, message, detail)
        .compose(d -> toRollBack.isEmpty() ? Future.succeededFuture() : rollBack(run, toRollBack));
  }

  private Future<Void> rollBack(DeploymentRun run, List<Updated> services) {
    String names = services.stream().map(Updated::name).reduce((a, b) -> a + ", " + b).orElseThrow();
    Future<Void> started = Future.succeededFuture();
    for (Updated u : services) {
      started = started.compose(v -> rollBackOnce(run, u, 1));
    }
    List<Watched> watched = services.stream().map(u -> new Watched(u.id(), u.name())).toList();
    return started
        .compose(v -> convergence.watch(run, watched, Target.ROLLBACK))
        .compose(outcome -> outcome.converged()
            ? run.to(DeploymentState.ROLLED_BACK, "rolled back " + names + " to the previous spec", null).<Void>mapEmpty()
            : run.rollbackFailed("the rollback of " + names + " did not converge: " + outcome.message()))
        .recover(e -> run.rollbackFailed("the rollback of " + names + " failed: " + describe(e)));
  }

  /**
   * Rolls one service back unless it already left the spec this deployment gave it (the engine rolls
   * back on its own when the update fails and {@code failure_action} is rollback). Sent at the
   * inspected version, looked at again when the engine says it changed in between.
   */
  private Future<Void> rollBackOnce(DeploymentRun run, Updated u, int attempt) {
    return client.inspectService(u.id()).compose(s -> {
      String state = s.updateState();
      boolean stillOurs = u.specHash().equals(specHash(s.spec()));
      if (!stillOurs || (state != null && state.startsWith("rollback"))) {
        return run.note(u.name() + ": the engine is already rolling back" + (state == null ? "" : " (" + state + ")"),
            new JsonObject().put("service", u.name()), false);
      }
      return authFor(s.previousSpec()).compose(auth -> client.rollbackServiceAt(s, auth))
          .compose(v -> run.note("rolling " + u.name() + " back to its previous spec",
              new JsonObject().put("service", u.name()), false))
          .recover(e -> e instanceof DockerEngineException de && de.isOutOfSequence() && attempt < 5
              ? rollBackOnce(run, u, attempt + 1) : Future.failedFuture(e));
    });
  }

  // ---- stacks

  private Future<String> applyStack(DeploymentRun run, StackPlan plan, boolean prune) {
    String stack = plan.stack();
    String revision = run.deployment().revision() == null ? "" : "revision " + run.deployment().revision() + ": ";
    Map<String, String> outcome = new LinkedHashMap<>(); // service → created/updated/unchanged/removed
    List<Watched> watched = new ArrayList<>();
    return run.to(DeploymentState.UPDATING, revision + plan.services().size() + " service(s)"
            + (prune ? ", pruning the others" : ""), null)
        .compose(v -> applyPlan(run, plan, prune, outcome, watched))
        .compose(v -> converge(run, watched, Target.FORWARD, revision + summary(outcome)))
        .compose(message -> pruneObjects(stack).map(n -> n == 0 ? message
            : message + "; removed " + n + " secret/config version(s) no service uses any more"));
  }

  /**
   * Carries on with a stack deployment a control plane that stopped (or lost the leader lock) left
   * unfinished, without failing it: a queued one runs as usual; an updating one applies the plan
   * again (what was applied already is unchanged, nothing restarts twice) and a converging one only
   * waits; either then waits for every service of the plan to converge. Never prunes (the request's
   * prune flag is not stored).
   */
  public Future<DeploymentState> resumeStack(Deployment d, StackPlan plan) {
    if (d.state() == DeploymentState.QUEUED) {
      return deployStack(d, plan, false);
    }
    return submit(d, run -> resumeApply(run, plan));
  }

  private Future<String> resumeApply(DeploymentRun run, StackPlan plan) {
    String revision = run.deployment().revision() == null ? "" : "revision " + run.deployment().revision() + ": ";
    boolean updating = run.state() == DeploymentState.UPDATING;
    Map<String, String> outcome = new LinkedHashMap<>();
    Future<Void> applied = run.note("resumed by the control plane that took over: "
        + (updating ? "applying the plan again" : "waiting for convergence"), new JsonObject(), false);
    if (updating) {
      applied = applied.compose(v -> applyPlan(run, plan, false, outcome, new ArrayList<>()));
    }
    return applied.compose(v -> client.listStackServices(plan.stack())).compose(existing -> {
      Set<String> planned = new HashSet<>();
      plan.services().forEach(sp -> planned.add(sp.name()));
      List<Watched> watched = new ArrayList<>();
      existing.forEach(o -> {
        JsonObject service = (JsonObject) o;
        String name = service.getJsonObject("Spec", new JsonObject()).getString("Name");
        if (planned.contains(name)) {
          watched.add(new Watched(service.getString("ID"), name));
        }
      });
      String success = revision + (outcome.isEmpty() ? plan.services().size() + " service(s) converged"
          : summary(outcome)) + " (resumed)";
      if (updating) {
        return converge(run, watched, Target.FORWARD, success);
      }
      return convergence.watch(run, watched, Target.FORWARD).compose(o -> o.converged()
          ? Future.succeededFuture(success) : Future.failedFuture(new DeploymentFailure(o.message())));
    });
  }

  /** Creates or updates the plan's networks, secrets, configs and services; removes the others when {@code prune}. */
  private Future<Void> applyPlan(DeploymentRun run, StackPlan plan, boolean prune, Map<String, String> outcome,
                                 List<Watched> watched) {
    String stack = plan.stack();
    return ensureNetworks(plan)
        .compose(v -> ensureObjects(plan.secrets(), client::listSecrets, client::createSecret))
        .compose(secretIds -> ensureObjects(plan.configs(), client::listConfigs, client::createConfig)
            .compose(configIds -> client.listStackServices(stack).compose(existing -> {
              Map<String, JsonObject> byName = new LinkedHashMap<>();
              existing.forEach(o -> byName.put(((JsonObject) o).getJsonObject("Spec", new JsonObject())
                  .getString("Name"), (JsonObject) o));
              Future<Void> chain = Future.succeededFuture();
              for (ServicePlan sp : plan.services()) {
                chain = chain.compose(x -> applyService(run, sp, sp.specWithIds(secretIds, configIds),
                    byName.get(sp.name()), outcome, watched));
              }
              if (prune) {
                Set<String> wanted = new HashSet<>();
                plan.services().forEach(sp -> wanted.add(sp.name()));
                for (Map.Entry<String, JsonObject> e : byName.entrySet()) {
                  if (!wanted.contains(e.getKey())) {
                    chain = chain.compose(x -> ignoreNotFound(client.removeService(e.getValue().getString("ID"))))
                        .onSuccess(x -> outcome.put(e.getKey(), "removed"));
                  }
                }
              }
              return chain;
            })));
  }

  /**
   * Removes the stack's secrets and configs that neither the current nor the previous spec of any of
   * its services refers to: the versions a changed value left behind (the previous spec's are kept
   * for the engine's one-level rollback). One the engine refuses (a stopping task still holds it)
   * stays until the next deployment. Answers how many went.
   */
  private Future<Integer> pruneObjects(String stack) {
    String label = SwarmClient.STACK_NAMESPACE_LABEL + "=" + stack;
    return client.listStackServices(stack).compose(services -> {
      Set<String> used = new HashSet<>();
      for (Object o : services) {
        for (String which : List.of("Spec", "PreviousSpec")) {
          JsonObject container = ((JsonObject) o).getJsonObject(which, new JsonObject())
              .getJsonObject("TaskTemplate", new JsonObject()).getJsonObject("ContainerSpec", new JsonObject());
          container.getJsonArray("Secrets", new JsonArray()).forEach(r -> used.add(((JsonObject) r).getString("SecretID")));
          container.getJsonArray("Configs", new JsonArray()).forEach(r -> used.add(((JsonObject) r).getString("ConfigID")));
        }
      }
      int[] removed = new int[1];
      Function<Function<String, Future<Void>>, Function<JsonObject, Future<Void>>> unused = remove -> object -> {
        if (used.contains(object.getString("ID"))) {
          return Future.succeededFuture();
        }
        return remove.apply(object.getString("ID")).map(v -> {
          removed[0]++;
          return (Void) null;
        }).recover(e -> {
          LOG.log(Level.DEBUG, "kept " + object.getString("ID") + " of " + stack + " for now: " + e.getMessage());
          return Future.succeededFuture();
        });
      };
      return client.listSecrets(label).compose(secrets -> each(secrets, unused.apply(client::removeSecret)))
          .compose(v -> client.listConfigs(label))
          .compose(configs -> each(configs, unused.apply(client::removeConfig)))
          .map(v -> removed[0]);
    }).recover(e -> {
      // the deployment converged: left-over versions are tidied up by the next one
      LOG.log(Level.WARNING, "could not tidy the secrets and configs of " + stack + ": " + e.getMessage());
      return Future.succeededFuture(0);
    });
  }

  private Future<Void> applyService(DeploymentRun run, ServicePlan sp, JsonObject spec, JsonObject existing,
                                    Map<String, String> outcome, List<Watched> watched) {
    if (existing == null) {
      return authFor(spec).compose(auth -> client.createService(spec, auth)).map(created -> {
        outcome.put(sp.name(), "created");
        watched.add(new Watched(created.getString("ID"), sp.name()));
        return null;
      });
    }
    String id = existing.getString("ID");
    if (upToDate(sp, existing)) {
      outcome.put(sp.name(), "unchanged");
      return Future.succeededFuture();
    }
    return client.listTasks(id).compose(tasks -> {
      run.baseline(tasks);
      return authFor(spec).compose(auth -> client.updateService(id, current -> {
        // a restart's ForceUpdate stays: lowering it would not restart anything, only differ
        Long force = current.getJsonObject("TaskTemplate", new JsonObject()).getLong("ForceUpdate");
        JsonObject next = spec.copy();
        if (force != null) {
          next.getJsonObject("TaskTemplate").put("ForceUpdate", force);
        }
        return next;
      }, auth));
    }).map(updated -> {
      outcome.put(sp.name(), "updated");
      watched.add(new Watched(id, sp.name()));
      run.updatedService(new Updated(id, sp.name(), sp.specHash(),
          spec.getJsonObject("UpdateConfig", new JsonObject()).getString("FailureAction")));
      return null;
    });
  }

  private Future<Void> ensureNetworks(StackPlan plan) {
    if (plan.networks().isEmpty()) {
      return Future.succeededFuture();
    }
    return client.listNetworks(null).compose(all -> {
      Set<String> names = new HashSet<>();
      all.forEach(n -> names.add(((JsonObject) n).getString("Name")));
      Future<Void> chain = Future.succeededFuture();
      for (NetworkPlan n : plan.networks()) {
        if (names.contains(n.name())) {
          continue;
        }
        if (n.external()) {
          return Future.failedFuture(new DeploymentFailure("network " + n.name()
              + " is declared external but does not exist"));
        }
        chain = chain.compose(v -> client.createNetwork(n.spec()).mapEmpty());
      }
      return chain;
    });
  }

  /** Creates the secrets (or configs) that do not exist yet; answers name → ID for every one the plan uses. */
  private Future<Map<String, String>> ensureObjects(List<SwarmObjectPlan> wanted, Function<String, Future<JsonArray>> list,
                                                    Function<JsonObject, Future<JsonObject>> create) {
    if (wanted.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return list.apply(null).compose(all -> {
      Map<String, String> ids = new HashMap<>();
      all.forEach(o -> {
        JsonObject object = (JsonObject) o;
        ids.put(object.getJsonObject("Spec", new JsonObject()).getString("Name"), object.getString("ID"));
      });
      Future<Void> chain = Future.succeededFuture();
      for (SwarmObjectPlan p : wanted) {
        if (ids.containsKey(p.name())) {
          continue;
        }
        if (p.external()) {
          return Future.failedFuture(new DeploymentFailure(p.kind().name().toLowerCase() + " " + p.name()
              + " is declared external but does not exist"));
        }
        chain = chain.compose(v -> create.apply(p.spec()).map(created -> {
          ids.put(p.name(), created.getString("ID"));
          return null;
        }));
      }
      return chain.map(v -> ids);
    });
  }

  private Future<String> removeStack(DeploymentRun run) {
    String stack = run.stack();
    String label = SwarmClient.STACK_NAMESPACE_LABEL + "=" + stack;
    long deadline = System.nanoTime() + options.deadline().toNanos();
    int[] counts = new int[4];
    return run.to(DeploymentState.UPDATING, "removing the services of " + stack, null)
        .compose(v -> client.listStackServices(stack))
        .compose(services -> {
          counts[0] = services.size();
          return each(services, s -> ignoreNotFound(client.removeService(s.getString("ID"))));
        })
        .compose(v -> run.to(DeploymentState.CONVERGING, "removed " + counts[0]
            + " service(s); removing secrets, configs and networks once their tasks are gone", null))
        // secrets, configs and networks are refused while in use: retried until the tasks are gone
        .compose(v -> client.listSecrets(label)).compose(secrets -> {
          counts[1] = secrets.size();
          return each(secrets, s -> retry(() -> ignoreNotFound(client.removeSecret(s.getString("ID"))), deadline));
        })
        .compose(v -> client.listConfigs(label)).compose(configs -> {
          counts[2] = configs.size();
          return each(configs, c -> retry(() -> ignoreNotFound(client.removeConfig(c.getString("ID"))), deadline));
        })
        .compose(v -> client.listNetworks(label)).compose(networks -> {
          counts[3] = networks.size();
          // refused while tasks still use them: retried; removed ones linger in the node's list for a
          // moment, and removing them again answers "not found"
          return each(networks, n -> retry(() -> ignoreNotFound(client.removeNetwork(n.getString("Id"))), deadline));
        })
        // a removed network stays listed for a moment; a deploy of the same stack queued behind this
        // removal would take it for present, skip creating it, and its services would fail with
        // "network ... not found": the removal ends once the engine no longer lists them
        .compose(v -> retry(() -> client.listNetworks(label).compose(left -> left.isEmpty()
            ? Future.<Void>succeededFuture()
            : Future.failedFuture(new DeploymentFailure(left.size() + " network(s) of " + stack
                + " still listed after their removal"))), deadline))
        .compose(v -> store.markRemoved(stack))
        .map(v -> "removed " + stack + ": " + counts[0] + " service(s), " + counts[1] + " secret(s), "
            + counts[2] + " config(s), " + counts[3] + " network(s)");
  }

  // ---- helpers

  /**
   * The stored credentials of the registry the image of {@code spec} (a service spec) lives on
   * ({@link RegistryHost#ofImage}), or null when none are stored: sent to the engine with the create,
   * update or rollback, so that every node can pull the image.
   */
  private Future<RegistryAuth> authFor(JsonObject spec) {
    String image = spec == null ? null : spec.getJsonObject("TaskTemplate", new JsonObject())
        .getJsonObject("ContainerSpec", new JsonObject()).getString("Image");
    return store.registryAuth(RegistryHost.ofImage(image)).map(found -> found.orElse(null));
  }

  private static String summary(Map<String, String> outcome) {
    Map<String, List<String>> byWhat = new LinkedHashMap<>();
    for (String what : List.of("created", "updated", "unchanged", "removed")) {
      byWhat.put(what, new ArrayList<>());
    }
    outcome.forEach((name, what) -> byWhat.get(what).add(name));
    List<String> parts = new ArrayList<>();
    byWhat.forEach((what, names) -> {
      if (!names.isEmpty()) {
        parts.add(what + " " + String.join(", ", names));
      }
    });
    return parts.isEmpty() ? "no services" : String.join("; ", parts);
  }

  /**
   * Whether a deploy leaves {@code existing} (a service of {@code GET /services}) as it is: its
   * {@value SpecHash#LABEL} label is the plan's hash. Otherwise it is updated. The dry run
   * ({@link DryRun}) decides with this too.
   */
  public static boolean upToDate(ServicePlan sp, JsonObject existing) {
    return sp.specHash().equals(specHash(existing.getJsonObject("Spec", new JsonObject())));
  }

  private static String specHash(JsonObject spec) {
    return spec.getJsonObject("Labels", new JsonObject()).getString(SpecHash.LABEL);
  }

  private static Future<Void> each(JsonArray items, Function<JsonObject, Future<Void>> action) {
    Future<Void> chain = Future.succeededFuture();
    for (Object item : items) {
      chain = chain.compose(v -> action.apply((JsonObject) item));
    }
    return chain;
  }

  private static Future<Void> ignoreNotFound(Future<Void> removal) {
    return removal.recover(e -> e instanceof DockerEngineException de && de.isNotFound()
        ? Future.succeededFuture() : Future.failedFuture(e));
  }

  /** Repeats {@code attempt} every poll interval while it fails, until the deadline. */
  private Future<Void> retry(Supplier<Future<Void>> attempt, long deadline) {
    return attempt.get().recover(e -> {
      if (System.nanoTime() >= deadline) {
        return Future.failedFuture(e);
      }
      Promise<Void> later = Promise.promise();
      vertx.setTimer(options.pollInterval().toMillis(), t -> retry(attempt, deadline).onComplete(later));
      return later.future();
    });
  }

  private static String describe(Throwable e) {
    if (e instanceof DockerEngineException de) {
      return "the Docker engine refused: " + de.engineMessage() + " (" + de.method() + " " + de.path() + ")";
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  /** A deployment that did not converge or could not be applied, with the message for the timeline. */
  static final class DeploymentFailure extends RuntimeException {
    DeploymentFailure(String message) {
      super(message, null, false, false);
    }
  }
}
