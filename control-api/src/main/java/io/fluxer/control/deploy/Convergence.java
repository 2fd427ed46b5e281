package io.fluxer.control.deploy;

import io.fluxer.control.docker.DockerEngineException;
import io.fluxer.control.docker.InspectedService;
import io.fluxer.control.docker.SwarmClient;
import io.fluxer.control.docker.TaskInfo;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Watches services until they converge: polls each one and its tasks every
 * {@link DeployerOptions#pollInterval()} (a Vert.x timer, nothing blocks) and reports task transitions
 * to the deployment as it goes.
 *
 * <p>A service has converged when exactly its desired replicas (every desired task of a global
 * service) are {@code running} the service's current task template ({@link TaskInfo#runs}) and no
 * replaced task still runs. A task with a healthcheck only reaches {@code running} once healthy. All
 * services must then stay converged for the monitor period (the longest {@code UpdateConfig.Monitor}
 * among them, {@code RollbackConfig.Monitor} for a rollback, see {@link DeployerOptions#monitor}),
 * and the engine must have finished its own update or rollback of them (it watches its monitor
 * period too, at the same time).
 *
 * <p>It fails early when the engine gives up on an update (its {@code UpdateStatus} says paused, or
 * that it rolled the update back), when a service disappears, or at the deadline.
 */
final class Convergence {

  /** What the watched services are heading for: the spec just sent, or the previous one (a rollback). */
  enum Target { FORWARD, ROLLBACK }

  /** A watched service: its id and the name used in messages. */
  record Watched(String id, String name) {}

  /** How a watch ended. */
  record Outcome(boolean converged, String message) {}

  private static final Set<String> ENGINE_ROLLED_BACK = Set.of("rollback_started", "rollback_paused", "rollback_completed");

  private final Vertx vertx;
  private final SwarmClient client;
  private final DeployerOptions options;

  Convergence(Vertx vertx, SwarmClient client, DeployerOptions options) {
    this.vertx = vertx;
    this.client = client;
    this.options = options;
  }

  /** Watches until converged (and held), failed, or {@code deadline} passed; never fails itself. */
  Future<Outcome> watch(DeploymentRun run, List<Watched> services, Target target) {
    if (services.isEmpty()) {
      return Future.succeededFuture(new Outcome(true, "nothing to converge"));
    }
    Promise<Outcome> outcome = Promise.promise();
    long deadline = System.nanoTime() + options.deadline().toNanos();
    new Watch(run, services, target, deadline, outcome).start();
    return outcome.future();
  }

  private final class Watch {
    private final DeploymentRun run;
    private final List<Watched> services;
    private final Target target;
    private final long deadline;
    private final Promise<Outcome> outcome;
    private long heldSince = -1;
    private String lastProgress = "not looked yet";

    Watch(DeploymentRun run, List<Watched> services, Target target, long deadline, Promise<Outcome> outcome) {
      this.run = run;
      this.services = services;
      this.target = target;
      this.deadline = deadline;
      this.outcome = outcome;
    }

    void start() {
      client.nodeHostnames()
          .onSuccess(run::nodeNames)
          .onComplete(ignored -> poll());
    }

    private void poll() {
      List<Future<Status>> looks = new ArrayList<>();
      for (Watched w : services) {
        looks.add(client.inspectService(w.id())
            .compose(s -> client.listTasks(w.id()).map(tasks -> status(w, s, tasks))));
      }
      Future.join(looks).onComplete(ar -> {
        List<String> progress = new ArrayList<>();
        Duration hold = Duration.ZERO;
        boolean all = true;
        boolean busy = false;
        for (int i = 0; i < looks.size(); i++) {
          Future<Status> look = looks.get(i);
          Watched w = services.get(i);
          if (look.failed()) {
            if (look.cause() instanceof DockerEngineException e && e.isNotFound()) {
              finish(false, "service " + w.name() + " was removed while the deployment converged");
              return;
            }
            all = false;
            progress.add(w.name() + ": engine error: " + look.cause().getMessage());
            continue;
          }
          Status s = look.result();
          if (s.failure != null) {
            finish(false, s.failure);
            return;
          }
          all &= s.converged;
          busy |= s.engineBusy;
          progress.add(s.progress);
          hold = hold.compareTo(s.monitor) < 0 ? s.monitor : hold;
        }
        lastProgress = String.join("; ", progress);
        long now = System.nanoTime();
        if (all) {
          if (heldSince < 0) {
            heldSince = now;
          }
          if (now - heldSince >= hold.toNanos() && !busy) {
            finish(true, "converged: " + lastProgress);
            return;
          }
        } else {
          heldSince = -1;
        }
        if (now >= deadline) {
          finish(false, "not converged within " + options.deadline().toSeconds() + " s: " + lastProgress);
          return;
        }
        vertx.setTimer(options.pollInterval().toMillis(), t -> poll());
      });
    }

    private void finish(boolean converged, String message) {
      outcome.tryComplete(new Outcome(converged, message));
    }

    private Status status(Watched w, InspectedService s, List<TaskInfo> tasks) {
      run.observe(w.name(), tasks);
      String update = s.updateState();
      String updateMessage = updateMessage(s);
      JsonObject spec = s.spec();
      Long asked = spec.getJsonObject("UpdateConfig", new JsonObject()).getLong("Monitor");
      if (target == Target.ROLLBACK) {
        asked = spec.getJsonObject("RollbackConfig", new JsonObject()).getLong("Monitor", asked);
      }
      Duration monitor = options.monitor(asked);
      if (target == Target.FORWARD && update != null && ENGINE_ROLLED_BACK.contains(update)) {
        return Status.failed("the engine rolled back the update of " + w.name() + updateMessage);
      }
      if ("paused".equals(update) || "rollback_paused".equals(update)) {
        return Status.failed("the engine paused the " + (update.startsWith("rollback") ? "rollback" : "update")
            + " of " + w.name() + updateMessage);
      }
      boolean engineBusy = "updating".equals(update) || "rollback_started".equals(update);

      JsonObject template = spec.getJsonObject("TaskTemplate", new JsonObject());
      List<TaskInfo> desired = tasks.stream().filter(t -> "running".equals(t.desiredState())).toList();
      long good = desired.stream().filter(t -> t.isRunning() && t.runs(template)).count();
      long stale = tasks.stream().filter(t -> !"running".equals(t.desiredState()) && t.isRunning()).count();
      Long replicas = s.replicas();
      boolean tasksDone = replicas != null
          ? good == replicas && desired.size() == replicas
          : !desired.isEmpty() && good == desired.size();
      boolean converged = tasksDone && stale == 0;
      String progress = w.name() + " " + good + "/" + (replicas != null ? replicas : desired.size()) + " running"
          + (stale > 0 ? ", " + stale + " old still running" : "")
          + (engineBusy ? ", engine " + update : "");
      return new Status(converged, engineBusy, progress, monitor, null);
    }
  }

  private static String updateMessage(InspectedService s) {
    JsonObject status = s.raw().getJsonObject("UpdateStatus");
    String message = status == null ? null : status.getString("Message");
    return message == null || message.isEmpty() ? "" : ": " + message;
  }

  /**
   * @param converged  the tasks are where they should be (the monitor period counts from here)
   * @param engineBusy the engine still runs its update or rollback (its own monitor period, say): not done yet
   */
  private record Status(boolean converged, boolean engineBusy, String progress, Duration monitor, String failure) {
    static Status failed(String failure) {
      return new Status(false, false, null, Duration.ZERO, failure);
    }
  }
}
