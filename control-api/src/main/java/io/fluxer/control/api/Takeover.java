package io.fluxer.control.api;

import io.fluxer.control.deploy.Deployer;
import io.fluxer.control.stack.StackPolicy;
import io.fluxer.control.store.ControlStore;
import io.fluxer.control.store.ControlStore.Deployment;
import io.fluxer.control.store.DeploymentState;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.lang.System.Logger.Level;
import java.util.List;

/**
 * What a control plane does with the deployments the previous leader left unfinished when it takes
 * the leader lock: stack deployments (kind {@code deploy}, with a revision) carry on
 * ({@link Deployer#resumeStack}) and end as they would have; the others (scale, restart, rollback of
 * a service, removal, adoption) are marked failed, to be run again.
 */
public final class Takeover {
  private static final System.Logger LOG = System.getLogger(Takeover.class.getName());

  private Takeover() {}

  /** Resumes or fails each unfinished deployment, oldest first; completes with those resumed. */
  public static Future<List<Deployment>> resume(ControlStore store, Deployer deployer, StackPolicy policy) {
    return store.unfinished().compose(all -> {
      Future<Void> chain = Future.succeededFuture();
      for (Deployment d : all) {
        chain = chain.compose(v -> resumeOne(store, deployer, policy, d));
      }
      return chain.map(v -> all.stream().filter(Takeover::resumable).toList());
    });
  }

  private static boolean resumable(Deployment d) {
    return "deploy".equals(d.kind()) && d.revision() != null;
  }

  private static Future<Void> resumeOne(ControlStore store, Deployer deployer, StackPolicy policy, Deployment d) {
    if (!resumable(d)) {
      return fail(store, d, "control-api stopped while this " + d.kind() + " ran; run it again");
    }
    return store.revision(d.stack(), d.revision()).compose(found -> {
      if (found.isEmpty()) {
        return fail(store, d, "revision " + d.revision() + " of " + d.stack() + " is gone; deploy again");
      }
      try {
        var plan = StackOps.parse(d.stack(), found.get(), policy, 409, "revision " + d.revision() + " of " + d.stack()
            + " cannot be deployed any more");
        LOG.log(Level.INFO, "resuming deployment " + d.id() + " of " + d.stack() + " (" + d.state().id()
            + ") left by the previous leader");
        deployer.resumeStack(d, plan);
        return Future.succeededFuture();
      } catch (ControlError e) {
        return fail(store, d, e.getMessage());
      }
    });
  }

  private static Future<Void> fail(ControlStore store, Deployment d, String message) {
    LOG.log(Level.WARNING, "deployment " + d.id() + " of " + d.stack() + " left unfinished by the previous leader: "
        + message);
    return store.transition(d.id(), DeploymentState.FAILED, message, new JsonObject()).<Void>mapEmpty()
        .recover(e -> Future.succeededFuture());
  }
}
