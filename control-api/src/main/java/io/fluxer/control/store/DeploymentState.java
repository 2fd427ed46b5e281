package io.fluxer.control.store;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Where a deployment is: {@code queued → updating → converging → succeeded | failed}, and a failed
 * one that the stack asks to roll back goes on to {@code rolled_back}. A deployment can fail from
 * any unfinished state (the engine refused, the deadline passed).
 */
public enum DeploymentState {
  QUEUED, UPDATING, CONVERGING, SUCCEEDED, FAILED, ROLLED_BACK;

  /** The name on the wire and in the database, e.g. {@code rolled_back}. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static DeploymentState of(String id) {
    return valueOf(id.toUpperCase(Locale.ROOT));
  }

  /** Whether nothing follows (the deployment is over). */
  public boolean finished() {
    return this == SUCCEEDED || this == ROLLED_BACK || this == FAILED;
  }

  /** The states this one may move to. */
  public Set<DeploymentState> next() {
    return switch (this) {
      case QUEUED -> EnumSet.of(UPDATING, FAILED);
      case UPDATING -> EnumSet.of(CONVERGING, FAILED);
      case CONVERGING -> EnumSet.of(SUCCEEDED, FAILED);
      case FAILED -> EnumSet.of(ROLLED_BACK);
      case SUCCEEDED, ROLLED_BACK -> EnumSet.noneOf(DeploymentState.class);
    };
  }

  public boolean canMoveTo(DeploymentState target) {
    return next().contains(target);
  }
}
